"""The whole cluster through its load balancer, as a client sees it.

Requests go from cluster-lb1 to HAProxy on its loopback; the stand-in Pydio
says which node served each one (X-Pydio-Node).
"""

from __future__ import annotations

import secrets

from conftest import STATUS, WEBS, Session, address_of, node, stats, wait_for_status

testinfra_hosts = ["ansible://cluster-lb1"]


def sessions_on_both_nodes(lb) -> dict[str, Session]:
    """New sessions until one lives on each web node (round robin: a few suffice)."""
    found: dict[str, Session] = {}
    for _ in range(10):
        jar = Session(lb)
        reply = jar.request(STATUS)
        assert reply.status == 200, reply.body
        found.setdefault(reply.node, jar)
        if set(found) == set(WEBS):
            return found
    raise AssertionError(f"new sessions only reached {sorted(found)}")


def test_both_backends_are_up_in_haproxy(host):
    for web in WEBS:
        wait_for_status(host, web, "UP", 30)
    servers = stats(host)
    assert set(servers) == set(WEBS), servers
    for web in WEBS:
        assert servers[web]["status"] == "UP", servers[web]
        assert servers[web]["check_status"] == "L7OK", servers[web]
        assert servers[web]["check_code"] == "200", servers[web]


def test_backends_are_the_web_nodes_addresses(host):
    config = host.file("/etc/haproxy/haproxy.cfg").content_string
    for web in WEBS:
        assert f"server {web} {address_of(node(web))}:80 check cookie " in config


def test_check_txt_answers_200_through_the_lb(host):
    reply = Session(host).request("/pydio/check.txt")
    assert reply.status == 200
    assert reply.body == b"OK\n"


def test_a_session_stays_on_one_node(host):
    for web, jar in sessions_on_both_nodes(host).items():
        assert {"SERVERID", "AjaXplorer"} <= set(jar.cookies), jar.cookies
        replies = [jar.request(STATUS) for _ in range(6)]
        assert {reply.node for reply in replies} == {web}
        # One PHP session all along: its hit counter went up on that node.
        hits = [reply.json()["session"]["hits"] for reply in replies]
        assert hits == list(range(hits[0], hits[0] + 6)), hits
        assert {reply.json()["session"]["name"] for reply in replies} == {"AjaXplorer"}


def test_upload_in_one_session_downloads_in_a_session_on_the_other_node(host):
    jars = sessions_on_both_nodes(host)
    uploader, downloader = jars[WEBS[0]], jars[WEBS[1]]
    name = f"through-lb-{secrets.token_hex(6)}.bin"
    content = secrets.token_bytes(8192)
    stored = uploader.request("/pydio/index.php?get_action=upload", upload=(name, content))
    assert stored.status == 200, stored.body
    assert stored.node == WEBS[0]
    assert stored.json()["stored"] == f"/mnt/pydio-data/common/{name}"

    fetched = downloader.request(f"/pydio/index.php?get_action=download&file={name}")
    assert fetched.status == 200, fetched.body
    assert fetched.node == WEBS[1]
    assert fetched.body == content


def test_pydio_server_url_is_the_load_balancer(host):
    state = Session(host).request(STATUS).json()
    lb_address = address_of(host)
    assert state["server_url"] == f"http://{lb_address}/pydio"
    assert state["public_download_url"] == f"http://{lb_address}/pydio/public"
