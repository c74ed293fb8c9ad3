"""A web node that cannot serve leaves the load balancer, and comes back.

The health check (check.txt) fails when the node's gluster mounts are gone,
when Pydio's bootstrap.json reads back without its database settings, or when
the database does not accept it, and HAProxy takes the node out within its
check window (2 s interval, fall 2 in this scenario). The mounts outlive a
stop and start of glusterd, and a restart of Apache mounts them first.
Runs last: it breaks the cluster on purpose and repairs it.
"""

from __future__ import annotations

import json
import time

from conftest import BOOTSTRAP, STATUS, WEBS, Session, address_of, node, stats, wait_for_status

testinfra_hosts = ["ansible://cluster-lb1"]

# Generous bounds: fall/rise 2 checks of a 2 s interval, plus the 1 s check timeout.
WINDOW = 20

CHECK = r"""
import json, sys, urllib.error, urllib.request
try:
    response = urllib.request.urlopen(sys.argv[1], timeout=10)
except urllib.error.HTTPError as error:
    response = error
print(json.dumps([response.status, response.read().decode()]))
"""


def check_txt(lb, web: str) -> tuple[int, str]:
    """check.txt of one web node, asked directly (not through HAProxy)."""
    out = lb.check_output("python3 -c %s %s", CHECK, f"http://{address_of(node(web))}/pydio/check.txt")
    status, body = json.loads(out)
    return status, body


def requests_through_lb(lb, count: int) -> list[tuple[int, str | None]]:
    outcomes = []
    for _ in range(count):
        reply = Session(lb).request(STATUS)
        outcomes.append((reply.status, reply.node))
    return outcomes


def test_a_node_without_its_data_mount_fails_its_check_and_a_restart_of_apache_remounts(host):
    web = node(WEBS[1])
    # Gone for the host and for Apache: Apache's private mount namespace
    # (PrivateTmp) keeps its own copy of the mount table in these containers.
    apache = web.check_output("systemctl show --property MainPID --value apache2")
    web.check_output(f"nsenter --target {apache} --mount umount -l /mnt/pydio-data")
    web.check_output("umount -l /mnt/pydio-data")
    try:
        status, body = check_txt(host, WEBS[1])
        assert status == 503, body
        assert "/mnt/pydio-data is not mounted" in body
        wait_for_status(host, WEBS[1], "DOWN", WINDOW)
        assert all(code == 200 and served == WEBS[0] for code, served in requests_through_lb(host, 6))
    finally:
        # Apache requires its mounts: restarting it mounts the volume from fstab first.
        web.check_output("systemctl restart apache2")
    assert web.mount_point("/mnt/pydio-data").filesystem == "fuse.glusterfs"
    assert check_txt(host, WEBS[1]) == (200, "OK\n")
    wait_for_status(host, WEBS[1], "UP", WINDOW)


def test_the_mounts_outlive_glusterd_and_no_request_fails_after_the_window(host):
    web = node(WEBS[0])
    web.check_output("systemctl stop glusterd")
    web.check_output("systemctl start glusterd")
    for path in ("/mnt/pydio-config", "/mnt/pydio-data"):
        assert web.mount_point(path).filesystem == "fuse.glusterfs", path
    web.check_output("systemctl restart apache2")
    time.sleep(WINDOW / 2)
    for server in WEBS:
        wait_for_status(host, server, "UP", WINDOW)
    outcomes = requests_through_lb(host, 12)
    assert all(code == 200 for code, _ in outcomes), outcomes
    assert {served for _, served in outcomes} == set(WEBS), outcomes


def test_web_nodes_that_read_bootstrap_json_without_its_database_settings_fail_their_check(host):
    web = node(WEBS[0])
    web.check_output(f"install -m 0600 {BOOTSTRAP} /root/bootstrap.json.saved")
    try:
        # Emptied in place, owner and mode kept: what every Pydio request then fails on.
        web.check_output(f"truncate -s 0 {BOOTSTRAP}")
        for server in WEBS:
            wait_for_status(host, server, "DOWN", WINDOW)
            status, body = check_txt(host, server)
            assert status == 503, body
            assert f"{BOOTSTRAP} cannot be read or holds no database settings" in body
    finally:
        web.check_output(f"cat /root/bootstrap.json.saved > {BOOTSTRAP} && rm /root/bootstrap.json.saved")
    for server in WEBS:
        wait_for_status(host, server, "UP", WINDOW)
    assert all(check_txt(host, server) == (200, "OK\n") for server in WEBS)


def test_web_nodes_the_database_refuses_fail_their_check(host):
    db = node("cluster-db1")
    db.check_output("systemctl stop mariadb")
    try:
        for web in WEBS:
            status, body = check_txt(host, web)
            assert status == 503, body
            assert "the database does not accept this node" in body
            assert "lab-db-secret" not in body
        for web in WEBS:
            wait_for_status(host, web, "DOWN", WINDOW)
    finally:
        db.check_output("systemctl start mariadb")
    for web in WEBS:
        wait_for_status(host, web, "UP", WINDOW)
    servers = stats(host)
    assert all(servers[web]["check_code"] == "200" for web in WEBS), servers
