"""Helpers for the lb scenario's checks.

Requests go only to the scenario's own containers: the HAProxy container's
address on the scenario network, from this machine, or loopback inside the
containers. Every loop is bounded in count and time.
"""

from __future__ import annotations

import csv
import http.client
import io
import re
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import testinfra
from scenario_helpers import node, scenario_playbooks

SCENARIO = Path(__file__).resolve().parent.parent
LB = "lb-haproxy"
WEBS = ("lb-web1", "lb-web2")
STATS = "http://127.0.0.1:8404/stats;csv"
SERVED_BY = re.compile(r"served-by: (\S+)</p>")


def container_address(name: str) -> str:
    """The container's address on the scenario network, as Docker reports it."""
    out = subprocess.run(
        ["docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", name],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.split()
    assert len(out) == 1, f"{name} should be on exactly one network, has {out}"
    return out[0]


@dataclass
class Reply:
    status: int
    served_by: str | None
    cookies: dict[str, str]
    headers: dict[str, str]


def get(address: str, path: str = "/pydio/", *, tls: bool = False, cookies: dict[str, str] | None = None) -> Reply:
    """One request to the load balancer; no redirect is followed."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(address, 443, timeout=15, context=context)
    else:
        conn = http.client.HTTPConnection(address, 80, timeout=15)
    headers = {"Host": "pydio.lab.test"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
        set_cookies = {}
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            set_cookies[name.strip()] = rest.split(";", 1)[0]
        match = SERVED_BY.search(body)
        headers_ = {key.lower(): value for key, value in response.headers.items()}
        return Reply(response.status, match.group(1) if match else None, set_cookies, headers_)
    finally:
        conn.close()


def stats(lb: testinfra.host.Host) -> dict[str, dict[str, str]]:
    """HAProxy's stats CSV, read on the LB container's loopback, by server name."""
    script = f"import urllib.request; print(urllib.request.urlopen('{STATS}', timeout=5).read().decode())"
    out = lb.check_output(f'python3 -c "{script}"')
    rows = csv.DictReader(io.StringIO(out.lstrip("# ")))
    return {row["svname"]: row for row in rows if row["pxname"] == "pydio_web"}


def wait_for_status(lb: testinfra.host.Host, server: str, status: str, deadline_s: float) -> float:
    """Poll the stats until `server` has `status`; give the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        if stats(lb)[server]["status"].startswith(status):
            return time.monotonic() - start
        time.sleep(0.25)
    raise AssertionError(f"{server} did not become {status} within {deadline_s}s: {stats(lb)[server]}")


@pytest.fixture(scope="session")
def lb_address() -> str:
    return container_address(LB)


@pytest.fixture(scope="session")
def lb_host() -> testinfra.host.Host:
    return node(LB)


@pytest.fixture(scope="session")
def run_playbook():
    """Run a playbook of this scenario against molecule's inventory."""
    return scenario_playbooks(SCENARIO)
