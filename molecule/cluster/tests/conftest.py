"""Helpers for the cluster scenario: requests through the load balancer, playbooks, stats.

Every request to the service is made from inside cluster-lb1 to HAProxy on
http://127.0.0.1/, with the session's cookies carried by the test (one dict
per cookie jar). Every loop is bounded in count and time.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import time
from pathlib import Path

import pytest
import testinfra
from scenario_helpers import node

SCENARIO = Path(__file__).resolve().parent.parent
LB = "cluster-lb1"
WEBS = ("cluster-node1", "cluster-node2")
STATUS = "/pydio/index.php?get_action=status"
# Pydio's bootstrap.json, through a web node's mount of the config volume.
BOOTSTRAP = "/mnt/pydio-config/appdata/plugins/boot.conf/bootstrap.json"
STATS = "http://127.0.0.1:8404/stats;csv"

# Run on cluster-lb1: one HTTP request to HAProxy with urllib, no redirect
# followed. argv[1] is a JSON request {path, cookies, upload: [name, base64],
# form: {field: value}} (a form is POSTed urlencoded);
# prints status, headers and body (base64) as JSON.
HTTP_CLIENT = r"""
import base64, json, sys, urllib.error, urllib.parse, urllib.request, uuid
req = json.loads(sys.argv[1])
data, headers = None, {"Host": "pydio.lab.test"}
if req.get("cookies"):
    headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in req["cookies"].items())
if req.get("upload"):
    name, content = req["upload"][0], base64.b64decode(req["upload"][1])
    boundary = uuid.uuid4().hex
    data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"userfile_0\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
if req.get("form"):
    data = urllib.parse.urlencode(req["form"]).encode()
    headers["Content-Type"] = "application/x-www-form-urlencoded"
request = urllib.request.Request("http://127.0.0.1" + req["path"], data=data, headers=headers)
try:
    response = urllib.request.urlopen(request, timeout=20)
except urllib.error.HTTPError as error:
    response = error
print(json.dumps({"status": response.status, "headers": [[k, v] for k, v in response.headers.items()],
                  "body": base64.b64encode(response.read()).decode()}))
"""


def address_of(host: testinfra.host.Host) -> str:
    return host.check_output("hostname -I").split()[0]


class Response:
    def __init__(self, raw: dict) -> None:
        self.status: int = raw["status"]
        self.headers: list[tuple[str, str]] = [(k, v) for k, v in raw["headers"]]
        self.body: bytes = base64.b64decode(raw["body"])

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def node(self) -> str | None:
        served = self.header("X-Pydio-Node")
        return served[0] if served else None

    def set_cookies(self) -> dict[str, str]:
        cookies = {}
        for value in self.header("Set-Cookie"):
            name, _, rest = value.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        return cookies

    def json(self) -> dict:
        return json.loads(self.body)


class Session:
    """A cookie jar: the cookies the service set are sent back with each request."""

    def __init__(self, lb: testinfra.host.Host) -> None:
        self.lb = lb
        self.cookies: dict[str, str] = {}

    def request(
        self, path: str, upload: tuple[str, bytes] | None = None, form: dict[str, str] | None = None
    ) -> Response:
        spec = {"path": path, "cookies": self.cookies}
        if form:
            spec["form"] = form
        if upload:
            spec["upload"] = [upload[0], base64.b64encode(upload[1]).decode()]
        cmd = self.lb.run("python3 -c %s %s", HTTP_CLIENT, json.dumps(spec))
        assert cmd.rc == 0, cmd.stderr
        response = Response(json.loads(cmd.stdout))
        self.cookies.update(response.set_cookies())
        return response


def stats(lb: testinfra.host.Host) -> dict[str, dict[str, str]]:
    """HAProxy's stats CSV of the pydio_web backend, read on the LB's loopback, by server name."""
    script = f"import urllib.request; print(urllib.request.urlopen('{STATS}', timeout=5).read().decode())"
    out = lb.check_output(f'python3 -c "{script}"')
    rows = csv.DictReader(io.StringIO(out.lstrip("# ")))
    return {row["svname"]: row for row in rows if row["pxname"] == "pydio_web" and row["svname"] != "BACKEND"}


def wait_for_status(lb: testinfra.host.Host, server: str, status: str, deadline_s: float) -> None:
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        if stats(lb).get(server, {}).get("status", "").startswith(status):
            return
        time.sleep(0.5)
    raise AssertionError(f"{server} did not become {status} within {deadline_s}s: {stats(lb).get(server)}")


def recap(output: str) -> dict[str, str]:
    """The PLAY RECAP lines of an ansible-playbook run, by host."""
    lines = output.split("PLAY RECAP", 1)[-1].splitlines()
    return {line.split()[0]: line for line in lines if " : ok=" in line}


@pytest.fixture(scope="session")
def lb() -> testinfra.host.Host:
    return node(LB)


@pytest.fixture
def session(lb):
    """A new cookie jar for each use: session() gives another one."""
    return lambda: Session(lb)
