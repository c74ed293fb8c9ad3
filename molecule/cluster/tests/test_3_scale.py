"""Growing and shrinking the web tier of the running cluster.

cluster-node3 joins the compute group (scale/inventory.yml) and is added with
playbooks/scale_compute.yml limited as runner.py plans it: the new node and
the lb hosts. It then leaves with playbooks/scale_in.yml while a client on
cluster-lb1 keeps requesting the service, one of its sessions pinned to
cluster-node3: no request may fail.
"""

from __future__ import annotations

import json
import secrets
import time

import pytest
from conftest import (
    BOOTSTRAP,
    SCENARIO,
    STATUS,
    WEBS,
    Session,
    address_of,
    node,
    recap,
    stats,
    wait_for_status,
)
from scenario_helpers import PROJECT, run_playbook

testinfra_hosts = ["ansible://cluster-lb1"]

NEW = "cluster-node3"
SCALE_INVENTORY = str(SCENARIO / "scale" / "inventory.yml")

# Run on cluster-lb1 under systemd-run: requests the service until a stop file
# appears, each on a new connection, alternately without cookie and with the
# cookies given in argv[1]; before each pair it reads the HAProxy state of
# the server named in argv[2] (null once it is gone from the configuration,
# ERROR when the stats page did not answer).
# Writes [seconds, kind, status, served by, state] per request to /root/loop.json.
LOOP_CLIENT = r"""
import csv, http.client, io, json, os, sys, time, urllib.request
cookie, server, results, start = sys.argv[1], sys.argv[2], [], time.monotonic()
def get(cookies):
    conn = http.client.HTTPConnection("127.0.0.1", 80, timeout=30)
    headers = {"Host": "pydio.lab.test"}
    if cookies:
        headers["Cookie"] = cookies
    try:
        conn.request("GET", "/pydio/index.php?get_action=status", headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("X-Pydio-Node")
    except Exception as error:
        return repr(error), None
    finally:
        conn.close()
def state():
    try:
        text = urllib.request.urlopen("http://127.0.0.1:8404/stats;csv", timeout=10).read().decode()
    except Exception as error:
        return "ERROR " + repr(error)
    rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
    return next((row["status"] for row in rows if row["pxname"] == "pydio_web" and row["svname"] == server), None)
while not os.path.exists("/root/loop.stop") and time.monotonic() - start < 900:
    seen = state()
    for kind, cookies in (("new", ""), ("pinned", cookie)):
        status, served = get(cookies)
        results.append([round(time.monotonic() - start, 2), kind, status, served, seen])
    if len(results) == 2:
        open("/root/loop.ready", "w").close()
    time.sleep(0.05)
with open("/root/loop.json.tmp", "w") as out:
    json.dump(results, out)
os.rename("/root/loop.json.tmp", "/root/loop.json")
"""


def cookie_header(jar: Session) -> str:
    return "; ".join(f"{key}={value}" for key, value in jar.cookies.items())


def session_on(lb, web: str) -> Session:
    for _ in range(12):
        jar = Session(lb)
        if jar.request(STATUS).node == web:
            return jar
    raise AssertionError(f"no new session reached {web}")


@pytest.fixture(scope="module")
def scaled_out(host):
    node1 = node(WEBS[0])
    before = node1.check_output(f"sha256sum {BOOTSTRAP}")
    result = run_playbook(
        "-i",
        SCALE_INVENTORY,
        str(PROJECT / "playbooks" / "scale_compute.yml"),
        "--limit",
        f"{NEW},cluster-lb1",
    )
    return result, before


def test_scale_compute_runs_on_the_new_node_and_the_lb_only(scaled_out):
    result, _ = scaled_out
    assert result.returncode == 0, result.stdout[-6000:]
    assert set(recap(result.stdout)) == {NEW, "cluster-lb1"}, recap(result.stdout)


def test_the_shared_configuration_was_left_as_it_was(scaled_out):
    _, before = scaled_out
    assert node(WEBS[0]).check_output(f"sha256sum {BOOTSTRAP}") == before


def test_the_new_node_is_allowed_by_the_volumes_and_mounts_them(scaled_out):
    address = address_of(node(NEW))
    node1 = node(WEBS[0])
    for volume in ("pydio-data", "pydio-config"):
        allowed = node1.check_output(f"gluster volume get {volume} auth.allow").split()[-1].split(",")
        assert address in allowed, allowed
    new = node(NEW)
    for path in ("/mnt/pydio-config", "/mnt/pydio-data"):
        assert new.mount_point(path).filesystem == "fuse.glusterfs"


def test_the_new_node_has_a_database_grant(scaled_out):
    db = node("cluster-db1")
    hosts = db.check_output(
        "mariadb --batch --skip-column-names -e %s", "SELECT host FROM mysql.user WHERE user = 'pydio'"
    ).split()
    assert address_of(node(NEW)) in hosts
    assert len(hosts) == 3, hosts


def test_haproxy_sends_sessions_to_the_new_node(scaled_out, host):
    config = host.file("/etc/haproxy/haproxy.cfg").content_string
    assert f"server {NEW} {address_of(node(NEW))}:80 check cookie " in config
    wait_for_status(host, NEW, "UP", 30)
    assert {server["status"] for server in stats(host).values()} == {"UP"}
    jar = session_on(host, NEW)
    state = jar.request(STATUS).json()
    assert state["node"] == NEW
    assert state["installer"] is False
    assert state["server_url"] == f"http://{address_of(host)}/pydio"
    # A file uploaded on an old node is served by the new one.
    name = f"scale-{secrets.token_hex(6)}.bin"
    content = secrets.token_bytes(2048)
    uploaded = session_on(host, WEBS[0]).request("/pydio/index.php?get_action=upload", upload=(name, content))
    assert uploaded.status == 200, uploaded.body
    fetched = jar.request(f"/pydio/index.php?get_action=download&file={name}")
    assert (fetched.status, fetched.node, fetched.body) == (200, NEW, content)


def test_scale_in_refuses_a_storage_node_before_any_change(scaled_out):
    result = run_playbook(
        "-i",
        SCALE_INVENTORY,
        str(PROJECT / "playbooks" / "scale_in.yml"),
        "--limit",
        f"{WEBS[0]},cluster-lb1",
        "-e",
        json.dumps({"scaleout_leaving_hosts": [WEBS[0]]}),
    )
    assert result.returncode != 0
    text = " ".join(result.stdout.split())
    assert f"scale_in: {WEBS[0]} is also storage, holding bricks of the volumes" in text
    assert all("changed=0" in line for line in recap(result.stdout).values()), recap(result.stdout)
    assert node(WEBS[0]).service("apache2").is_running


def test_scale_in_drains_the_node_without_a_failed_request(scaled_out, host):
    pinned = session_on(host, NEW)
    host.run("rm -f /root/loop.stop /root/loop.ready /root/loop.json")
    host.check_output(f"cat > /root/loop.py <<'EOF'\n{LOOP_CLIENT}\nEOF")
    host.check_output(
        "systemd-run --unit=cluster-loop --collect python3 /root/loop.py %s %s", cookie_header(pinned), NEW
    )
    try:
        for _ in range(60):
            if host.file("/root/loop.ready").exists:
                break
            time.sleep(0.5)
        time.sleep(2)  # a few requests on the new node before it leaves
        result = run_playbook(
            "-i",
            SCALE_INVENTORY,
            str(PROJECT / "playbooks" / "scale_in.yml"),
            "--limit",
            f"{NEW},cluster-lb1",
            "-e",
            json.dumps({"scaleout_leaving_hosts": [NEW]}),
        )
        time.sleep(3)  # requests after the node left
    finally:
        host.run("touch /root/loop.stop")
        for _ in range(120):
            if host.file("/root/loop.json").exists:
                break
            time.sleep(0.5)
    assert result.returncode == 0, result.stdout[-6000:]
    assert set(recap(result.stdout)) == {NEW, "cluster-lb1"}, recap(result.stdout)

    results = json.loads(host.file("/root/loop.json").content_string)
    failures = [r for r in results if r[2] != 200]
    assert not failures, failures[:20]
    assert len(results) >= 40, len(results)
    pinned_nodes = [r[3] for r in results if r[1] == "pinned"]
    assert pinned_nodes[0] == NEW, pinned_nodes[:5]
    assert NEW not in pinned_nodes[-10:], pinned_nodes[-10:]
    assert {r[3] for r in results[-20:]} <= set(WEBS)

    # What HAProxy said of the leaving server while the client ran: UP, then
    # DRAIN, then MAINT, then gone from the configuration, never DOWN (which
    # would mean Apache stopped while HAProxy still counted on it).
    states = [r[4].split()[0] if r[4] else None for r in results]
    read = [state for state in states if state != "ERROR"]  # the stats page can miss a read during the reload
    changes = [state for i, state in enumerate(read) if i == 0 or state != read[i - 1]]
    assert changes == ["UP", "DRAIN", "MAINT", None], changes
    drained = states.index("DRAIN")
    maint = states.index("MAINT")
    # Once drained, no new session went to it; once in maintenance, no request at all.
    assert not [r for r in results[drained:] if r[1] == "new" and r[3] == NEW]
    assert not [r for r in results[maint:] if r[3] == NEW]


def test_the_node_that_left_is_out_of_haproxy_stopped_and_unmounted(scaled_out, host):
    assert f"server {NEW} " not in host.file("/etc/haproxy/haproxy.cfg").content_string
    assert set(stats(host)) == set(WEBS)
    left = node(NEW)
    apache = left.service("apache2")
    assert not apache.is_running
    assert not apache.is_enabled
    for path in ("/mnt/pydio-config", "/mnt/pydio-data"):
        assert not left.mount_point(path).exists
    assert "glusterfs" not in left.file("/etc/fstab").content_string


# The node that left keeps its address, as a new machine given that address
# would: it must be refused by the volumes and by the database.
PROBE_DB = (
    "mysqli_report(MYSQLI_REPORT_OFF);"
    "$db = @mysqli_connect(getenv('DB_HOST'), 'pydio', getenv('DB_PASSWORD'), 'pydio');"
    "echo $db ? 0 : mysqli_connect_errno();"
)


def test_the_node_that_left_is_no_longer_trusted(scaled_out, host):
    address = address_of(node(NEW))
    node1 = node(WEBS[0])
    for volume in ("pydio-data", "pydio-config"):
        allowed = node1.check_output(f"gluster volume get {volume} auth.allow").split()[-1].split(",")
        assert address not in allowed, allowed
        assert {address_of(node(web)) for web in WEBS} <= set(allowed), allowed
    db = node("cluster-db1")
    hosts = db.check_output(
        "mariadb --batch --skip-column-names -e %s", "SELECT host FROM mysql.user WHERE user = 'pydio'"
    ).split()
    assert sorted(hosts) == sorted(address_of(node(web)) for web in WEBS), hosts

    # A file the members see; the node that left must not read it.
    marker = f"trust-probe-{secrets.token_hex(4)}.txt"
    node1.check_output(f"echo members-only > /mnt/pydio-data/{marker}")
    left = node(NEW)
    left.run("mkdir -p /mnt/probe")
    left.run("timeout 90 mount -t glusterfs cluster-node1:/pydio-data /mnt/probe")
    try:
        read = left.run(f"timeout 10 cat /mnt/probe/{marker}")
    finally:
        left.run("umount /mnt/probe")
        node1.run(f"rm -f /mnt/pydio-data/{marker}")
    assert read.rc != 0 and "members-only" not in read.stdout, read.stdout
    errno = left.check_output(
        "DB_HOST=%s DB_PASSWORD=lab-db-secret php -r %s", address_of(node("cluster-db1")), PROBE_DB
    )
    assert errno in {"1130", "1045"}, errno
