"""HAProxy following Pydio's own AjaXplorer cookie, with HTTP redirected to HTTPS.

The scenario's lb.yml is run again with other variables, and once more
afterwards to put the converged settings back.
"""

from __future__ import annotations

import pytest
from conftest import LB, WEBS, get, node, wait_for_status


@pytest.fixture(scope="module")
def app_cookie_mode(run_playbook):
    run = run_playbook("lb.yml", "-e", "elb_haproxy_cookie_mode=app_cookie", "-e", "elb_http_redirect=true")
    assert run.returncode == 0, run.stdout[-3000:]
    lb = node(LB)
    for web in WEBS:
        wait_for_status(lb, web, "UP", 20)
    yield run
    back = run_playbook("lb.yml")
    assert back.returncode == 0, back.stdout[-3000:]


def test_configuration_uses_a_stick_table_on_ajaxplorer(app_cookie_mode):
    config = node(LB).file("/etc/haproxy/haproxy.cfg").content_string
    assert "stick store-response res.cook(AjaXplorer)" in config
    assert "stick match req.cook(AjaXplorer)" in config
    assert "cookie SERVERID" not in config


def test_http_is_redirected_to_https(app_cookie_mode, lb_address):
    reply = get(lb_address, "/pydio/?x=1")
    assert reply.status == 301
    assert reply.headers["location"] == "https://pydio.lab.test/pydio/?x=1"


def test_ajaxplorer_session_stays_on_its_node(app_cookie_mode, lb_address):
    homes = set()
    for _ in range(6):
        first = get(lb_address, tls=True)
        assert first.status == 200
        assert "SERVERID" not in first.cookies
        session = first.cookies["AjaXplorer"]
        again = {get(lb_address, tls=True, cookies={"AjaXplorer": session}).served_by for _ in range(10)}
        assert again == {first.served_by}, session
        homes.add(first.served_by)
    assert homes == set(WEBS), "new sessions should start on both nodes"
