"""Traffic through the load balancer: spread, stickiness, TLS, failover.

Requests go from this machine to the HAProxy container's address only.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from conftest import LB, WEBS, get, node, stats, wait_for_status

# Health checks of the scenario: inter 2s, fastinter 1s, fall 2, rise 2, timeout 1s.
TAKEN_OUT_WITHIN_S = 2 * 2 + 1 + 2  # fall x inter (more than inter + fastinter) + timeout + slack


def test_requests_without_cookie_spread_over_both_nodes(lb_address):
    served = Counter(get(lb_address).served_by for _ in range(20))
    assert set(served) == set(WEBS), served
    assert min(served.values()) >= 5, served


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_cookie_pins_a_session_to_one_node(lb_address, tls):
    pinned = {}
    for _ in range(6):
        first = get(lb_address, tls=tls)
        assert first.status == 200
        assert "SERVERID" in first.cookies, first.headers
        cookie = {"SERVERID": first.cookies["SERVERID"]}
        again = {get(lb_address, tls=tls, cookies=cookie).served_by for _ in range(10)}
        assert again == {first.served_by}
        pinned[first.cookies["SERVERID"]] = first.served_by
    assert set(pinned.values()) == set(WEBS), "sessions should start on both nodes"
    assert len(pinned) == 2, "one cookie value per node"


def test_https_is_served_without_redirect_of_http(lb_address):
    assert get(lb_address, tls=True).status == 200
    assert get(lb_address).status == 200


@pytest.mark.parametrize("web", WEBS)
def test_web_nodes_were_given_the_public_url(lb_address, web):
    assert node(web).file("/etc/lbtest-public-url").content_string.strip() == f"https://{lb_address}"


@pytest.mark.parametrize("web", WEBS)
def test_haproxy_polls_check_txt_with_its_host_header(lb_address, web):
    log = node(web).file("/var/log/apache2/lbtest.log").content_string
    checks = [
        line
        for line in log.splitlines()
        if line == f'{lb_address} pydio-check.test "GET /pydio/check.txt HTTP/1.1" 200'
    ]
    assert len(checks) >= 3, log[-2000:]


def test_stopped_node_is_taken_out_and_requests_keep_succeeding(lb_address):
    lb = node(LB)
    web1 = node("lb-web1")
    wait_for_status(lb, "lb-web1", "UP", 20)
    # A session that lives on lb-web1.
    cookie = None
    for _ in range(10):
        reply = get(lb_address)
        if reply.served_by == "lb-web1":
            cookie = {"SERVERID": reply.cookies["SERVERID"]}
            break
    assert cookie is not None, "no request reached lb-web1"

    web1.check_output("systemctl stop apache2")
    try:
        started = time.monotonic()
        statuses = []
        took = None
        while time.monotonic() - started < 20 and took is None:
            statuses.append(get(lb_address).status)
            statuses.append(get(lb_address, cookies=cookie).status)
            if stats(lb)["lb-web1"]["status"].startswith("DOWN"):
                took = time.monotonic() - started
        assert took is not None, f"lb-web1 still in service after 20s: {stats(lb)['lb-web1']}"
        assert took <= TAKEN_OUT_WITHIN_S, f"taken out after {took:.1f}s"
        assert statuses and all(status == 200 for status in statuses), Counter(statuses)

        after = [get(lb_address, cookies=cookie) for _ in range(10)] + [get(lb_address) for _ in range(10)]
        assert {reply.status for reply in after} == {200}
        assert {reply.served_by for reply in after} == {"lb-web2"}
    finally:
        web1.check_output("systemctl start apache2")
        wait_for_status(lb, "lb-web1", "UP", 20)
