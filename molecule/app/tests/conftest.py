"""Helpers for the app scenario's testinfra checks."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from scenario_helpers import scenario_playbooks

SCENARIO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def run_playbook():
    """Run a playbook of this scenario against molecule's inventory."""
    return scenario_playbooks(SCENARIO)


# Run on a lab host: one HTTP request with urllib; prints status, headers and
# body (base64) as JSON. A file given as "upload" is sent as multipart field
# userfile_0, as Pydio's uploader does; "form" is posted urlencoded; "cookie"
# is sent as the Cookie header.
HTTP_CLIENT = r"""
import base64, json, sys, urllib.error, urllib.parse, urllib.request, uuid
url, upload_name, upload_b64, form, cookie = sys.argv[1:6]
data, headers = None, {}
if cookie:
    headers["Cookie"] = cookie
if form:
    data = urllib.parse.urlencode(json.loads(form)).encode()
    headers["Content-Type"] = "application/x-www-form-urlencoded"
if upload_name:
    boundary = uuid.uuid4().hex
    data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"userfile_0\"; filename=\"{upload_name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + base64.b64decode(upload_b64) + \
           f"\r\n--{boundary}--\r\n".encode()
    headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
request = urllib.request.Request(url, data=data, headers=headers)
try:
    response = urllib.request.urlopen(request, timeout=20)
except urllib.error.HTTPError as error:
    response = error
print(json.dumps({"status": response.status, "headers": [[k, v] for k, v in response.headers.items()],
                  "body": base64.b64encode(response.read()).decode()}))
"""


class Response:
    def __init__(self, raw: dict) -> None:
        self.status: int = raw["status"]
        self.headers: list[tuple[str, str]] = [(k, v) for k, v in raw["headers"]]
        self.body: bytes = base64.b64decode(raw["body"])

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self) -> dict:
        return json.loads(self.body)

    def cookie(self) -> str:
        """The cookies the response set, as a Cookie header (the last value of each name wins)."""
        pairs = dict(value.split(";", 1)[0].split("=", 1) for value in self.header("Set-Cookie"))
        return "; ".join(f"{name}={value}" for name, value in pairs.items())


@pytest.fixture(scope="session")
def http():
    """Make an HTTP request from a lab host: http(host, url, upload=(name, bytes), form={...}, cookie="k=v")."""

    def _request(
        client, url: str, upload: tuple[str, bytes] | None = None, form: dict | None = None, cookie: str = ""
    ) -> Response:
        name, content = upload if upload else ("", b"")
        encoded = base64.b64encode(content).decode()
        cmd = client.run(
            "python3 -c %s %s %s %s %s %s", HTTP_CLIENT, url, name, encoded, json.dumps(form) if form else "", cookie
        )
        assert cmd.rc == 0, cmd.stderr
        return Response(json.loads(cmd.stdout))

    return _request
