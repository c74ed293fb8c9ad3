"""The pool, the volumes, their options and the client mounts after converge."""

from __future__ import annotations

import pytest
from conftest import gluster_xml

testinfra_hosts = ["ansible://gl1"]


def _volume(host, name):
    root = gluster_xml(host, "volume", "info", name)
    assert root.findtext("opRet") == "0"
    return root.find("volInfo/volumes/volume")


def test_three_peers_connected(host):
    root = gluster_xml(host, "pool", "list")
    peers = root.findall("peerStatus/peer")
    assert len(peers) == 3
    assert all(p.findtext("connected") == "1" for p in peers)
    names = {p.findtext("hostname") for p in peers}
    assert names - {"localhost"} <= {"gl2", "gl3"}


@pytest.mark.parametrize(
    ("name", "replica", "bricks"),
    [
        ("pydio-data", "2", ["gl1:/bricks/pydio/pydio-data/brick", "gl2:/bricks/pydio/pydio-data/brick"]),
        (
            "pydio-config",
            "3",
            [f"gl{i}:/var/confbrick/pydio-config/brick" for i in (1, 2, 3)],
        ),
    ],
)
def test_volume_started_with_replica_and_bricks(host, name, replica, bricks):
    vol = _volume(host, name)
    assert vol.findtext("statusStr") == "Started"
    assert vol.findtext("typeStr") == "Replicate"
    assert vol.findtext("replicaCount") == replica
    assert [b.findtext("name") for b in vol.findall("bricks/brick")] == bricks


@pytest.mark.parametrize("name", ["pydio-data", "pydio-config"])
def test_volume_options(host, name):
    vol = _volume(host, name)
    options = {o.findtext("name"): o.findtext("value") for o in vol.findall("options/option")}
    assert options["cluster.quorum-type"] == "auto"
    assert options["cluster.server-quorum-type"] == "server"
    assert options["storage.owner-uid"] == "33"
    assert options["performance.parallel-readdir"] == "on"
    assert options["features.cache-invalidation"] == "on"
    allowed = set(options["auth.allow"].split(","))
    expected = {host.backend.run(f"getent hosts {peer}").stdout.split()[0] for peer in ("gl1", "gl2", "gl3")}
    assert allowed == expected


@pytest.mark.parametrize("peer", ["gl1", "gl2", "gl3"])
@pytest.mark.parametrize("name", ["pydio-data", "pydio-config"])
def test_mounts_and_fstab(hosts, peer, name):
    node = hosts[peer]
    mount = node.mount_point(f"/mnt/{name}")
    assert mount.exists
    assert mount.filesystem == "fuse.glusterfs"
    assert node.file(f"/mnt/{name}").uid == 33
    entries = [line.split() for line in node.file("/etc/fstab").content_string.splitlines() if f"/mnt/{name} " in line]
    assert len(entries) == 1
    source, _, fstype, opts = entries[0][:4]
    # A brick host mounts from its own glusterd; others from the first server.
    server = peer if name == "pydio-config" or peer in ("gl1", "gl2") else "gl1"
    assert source == f"{server}:/{name}"
    assert fstype == "glusterfs"
    options = opts.split(",")
    assert "_netdev" in options
    assert ("x-systemd.after=glusterd.service" in options) == (server == peer)
    assert not [o for o in options if o.startswith("x-systemd.requires")]
    backups = next(o for o in options if o.startswith("backup-volfile-servers="))
    backup_servers = backups.split("=", 1)[1].split(":")
    assert server not in backup_servers
    assert len(backup_servers) >= 1


def test_a_file_written_on_one_node_is_read_on_another(hosts):
    hosts["gl1"].run_test("echo across-the-pool > /mnt/pydio-data/probe.txt")
    assert hosts["gl3"].file("/mnt/pydio-data/probe.txt").content_string == "across-the-pool\n"


def test_the_mounts_outlive_a_stop_and_start_of_glusterd(hosts):
    node = hosts["gl1"]
    node.run_test("echo before-the-stop > /mnt/pydio-data/glusterd-restart.txt")
    bricks = node.check_output("pgrep -c -x glusterfsd")
    try:
        node.check_output("systemctl stop glusterd")
        # The bricks keep running without glusterd (KillMode=process).
        assert node.check_output("pgrep -c -x glusterfsd") == bricks
        for name in ("pydio-data", "pydio-config"):
            assert node.mount_point(f"/mnt/{name}").exists, f"/mnt/{name} left with glusterd"
        assert node.file("/mnt/pydio-data/glusterd-restart.txt").content_string == "before-the-stop\n"
    finally:
        node.check_output("systemctl start glusterd")
    for name in ("pydio-data", "pydio-config"):
        assert node.mount_point(f"/mnt/{name}").exists, f"/mnt/{name} not there after glusterd started"
    node.run_test("echo after-the-start > /mnt/pydio-data/glusterd-restart.txt")
    assert hosts["gl2"].file("/mnt/pydio-data/glusterd-restart.txt").content_string == "after-the-start\n"
