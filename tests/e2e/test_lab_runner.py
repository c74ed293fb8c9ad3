"""The lab end to end, through runner.py as an operator uses it.

`up` builds the seed layout (2 storage+compute nodes, a db and an HAProxy lb)
in systemd containers, then the cluster grows by two compute nodes and by a
storage replica set, and shrinks by the compute nodes again (the second one
while it is down), while every request goes through the load balancer
published on a loopback port.

The Pydio is the stand-in of scaleout/providers/stand_in_pydio (`--pydio-archive
stand-in`): it says which node served each request. The cluster keeps the
users' sessions in memcached on its db node (`pydio_session_store: memcached`,
in the cluster's group_vars as an operator sets it), so a logged-in user
outlives the web node holding the session. The tests run in file order; each
step builds on the one before.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import http.cookiejar
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from scaleout.providers.lab import node_from_inspect

REPO = Path(__file__).resolve().parents[2]
CLUSTER = "e2e"
GROUP_VARS = REPO / "inventory" / "lab" / CLUSTER / "group_vars" / "all"
STORE_NODE = f"{CLUSTER}-node3"
RUN_FOLDER = re.compile(r"^run folder: (?P<path>.+)$", re.MULTILINE)
BAKED = re.compile(r"now launch from (?P<image>\S+)$", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Lab:
    port: int
    artifacts: Path
    uploaded: dict[str, str] = field(default_factory=dict)
    # The image `bake` made for new compute nodes.
    baked: str = ""

    def runner(self, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, str(REPO / "runner.py"), "--cluster", CLUSTER, "--lab-port", str(self.port)]
        argv += ["--artifacts-dir", str(self.artifacts), *args]
        result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False)
        sys.stdout.write(result.stdout[-4000:])
        sys.stderr.write(result.stderr[-4000:])
        return result

    def status(self) -> dict[str, Any]:
        """The status document; the exit code (0 healthy, 3 degraded) is kept in it as ``exit``."""
        result = self.runner("status", "--json", timeout=600)
        assert result.returncode in (0, 3), result.stderr[-2000:]
        document = json.loads(result.stdout)
        assert document["healthy"] == (result.returncode == 0), document["problems"]
        return {**document, "exit": result.returncode}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/pydio/index.php"


class Session:
    """A browser-like client: its own cookie jar, so HAProxy keeps it on one node."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, url: str, timeout: float = 20) -> tuple[int, bytes, str]:
        try:
            with self.opener.open(url, timeout=timeout) as response:
                return response.status, response.read(), response.headers.get("X-Pydio-Node", "")
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers.get("X-Pydio-Node", "")

    def post(self, url: str, form: dict[str, str], timeout: float = 20) -> tuple[int, bytes, str]:
        request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode())
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read(), response.headers.get("X-Pydio-Node", "")
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers.get("X-Pydio-Node", "")

    def upload(self, url: str, name: str, content: bytes) -> tuple[int, dict[str, Any]]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="userfile_0"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            f"{url}?get_action=upload", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        with self.opener.open(request, timeout=30) as response:
            return response.status, json.loads(response.read())


def recap_of(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, int]]:
    """The per-host stats of every playbook run of a runner command, from its run folder."""
    match = RUN_FOLDER.search(result.stdout)
    assert match, result.stdout[-2000:]
    totals: dict[str, dict[str, int]] = {}
    for line in (Path(match.group("path")) / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        if event.get("event") != "playbook_on_stats":
            continue
        for column, counts in event["event_data"].items():
            if isinstance(counts, dict) and column in ("ok", "changed", "failures", "dark"):
                for host, count in counts.items():
                    totals.setdefault(column, {}).setdefault(host, 0)
                    totals[column][host] += int(count)
    return totals


def task_results(result: subprocess.CompletedProcess[str], task: str) -> dict[str, str]:
    """What ``task`` did on each host ("changed", "ok", "skipped" or "failed"), from a runner command's run folder."""
    match = RUN_FOLDER.search(result.stdout)
    assert match, result.stdout[-2000:]
    outcomes: dict[str, str] = {}
    for line in (Path(match.group("path")) / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        data = event.get("event_data", {})
        if data.get("task") != task or "host" not in data:
            continue
        if event.get("event") == "runner_on_ok":
            outcomes[data["host"]] = "changed" if data.get("res", {}).get("changed") else "ok"
        elif event.get("event") == "runner_on_skipped":
            outcomes[data["host"]] = "skipped"
        elif event.get("event") == "runner_on_failed":
            outcomes[data["host"]] = "failed"
    return outcomes


def nodes_behind_lb(lab: Lab, tries: int = 40) -> set[str]:
    """Which nodes answer cookie-less requests through the LB (round robin)."""
    seen: set[str] = set()
    for _ in range(tries):
        code, _, node = Session().get(f"{lab.url}?get_action=status")
        assert code == 200
        seen.add(node)
    return seen


def volume(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(v for v in document["volumes"] if v["name"] == name)


def lb_servers(document: dict[str, Any]) -> dict[str, str]:
    return {entry["server"]: entry["status"] for entry in document["lb"]}


def lb_entry(document: dict[str, Any], server: str) -> dict[str, Any]:
    return next(entry for entry in document["lb"] if entry["server"] == server)


# The lab's HAProxy checks every 10 s and takes a node out after 2 failures:
# a window longer than that sees any failure that would take the node out.
CHECK_WINDOW = 25.0


def assert_steady_up(lab: Lab, server: str, window: float = CHECK_WINDOW) -> None:
    """`server` is UP after a passed check now, and stays so, with no failed check, for a full check window.

    The command that put it into rotation returns only once HAProxy has checked it,
    so there is nothing to wait for; a node that flaps after joining fails here.
    """
    samples: list[dict[str, Any]] = []
    deadline = time.monotonic() + window
    # At least three samples, however long each status takes on a loaded machine.
    while len(samples) < 3 or time.monotonic() < deadline:
        samples.append(lb_entry(lab.status(), server))
        time.sleep(3)
    seen = [(entry["status"], entry["check"], entry["check_failures"]) for entry in samples]
    assert set(seen) == {("UP", "L7OK", 0)}, seen


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Any:
    lab = Lab(free_port(), tmp_path_factory.mktemp("artifacts"))
    lab.runner("down", timeout=300)  # a lab left behind by an interrupted run
    GROUP_VARS.mkdir(parents=True, exist_ok=True)
    (GROUP_VARS / "sessions.yml").write_text("---\npydio_session_store: memcached\n", encoding="utf-8")
    yield lab
    if os.environ.get("SCALEOUT_E2E_KEEP") != "1":
        result = lab.runner("down", timeout=300)
        assert result.returncode == 0, result.stderr


def test_up_builds_the_seed_layout_and_serves_through_the_lb(lab: Lab) -> None:
    result = lab.runner("up", "--pydio-archive", "stand-in")
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Pydio is served at http://127.0.0.1:{lab.port}/pydio/" in result.stdout
    code, body, _ = Session().get(f"http://127.0.0.1:{lab.port}/pydio/check.txt")
    assert code == 200, body
    assert nodes_behind_lb(lab) == {f"{CLUSTER}-node1", f"{CLUSTER}-node2"}
    document = lab.status()
    # `up` returns once HAProxy has checked every web node: no wait is needed.
    assert lb_servers(document) == {f"{CLUSTER}-node1": "UP", f"{CLUSTER}-node2": "UP"}
    assert {entry["check"] for entry in document["lb"]} == {"L7OK"}, document["lb"]
    data = volume(document, "pydio-data")
    assert (data["status"], data["replica"], data["brick_count"]) == ("Started", 2, 2)
    assert all(peer["connected"] for peer in document["peers"])
    assert (document["exit"], document["problems"]) == (0, [])
    assert store_users() == web_users("1", "2")


def test_a_file_uploaded_on_one_session_downloads_on_another(lab: Lab) -> None:
    content = secrets.token_bytes(256 * 1024)
    name = f"e2e-{uuid.uuid4().hex[:8]}.bin"
    code, reply = Session().upload(lab.url, name, content)
    assert code == 200, reply
    lab.uploaded[name] = hashlib.sha256(content).hexdigest()
    code, body, _ = Session().get(f"{lab.url}?get_action=download&file={name}")
    assert code == 200
    assert hashlib.sha256(body).hexdigest() == lab.uploaded[name]


def test_bake_makes_an_image_for_new_compute_nodes_and_a_second_bake_reuses_it(lab: Lab) -> None:
    # --rebuild: bake even when an image of this base image is here from an earlier run.
    result = lab.runner("bake", "--rebuild")
    assert result.returncode == 0, result.stderr[-3000:]
    match = BAKED.search(result.stdout)
    assert match, result.stdout[-2000:]
    lab.baked = match.group("image")
    # Nothing of the cluster was touched, and no builder is left.
    assert recap_of(result).get("ok", {}).keys() <= {f"scaleout-bake-{CLUSTER}"}
    left = subprocess.run(["docker", "ps", "-aq", "--filter", "label=scaleout.bake"], capture_output=True, text=True)
    assert left.stdout.split() == []
    again = lab.runner("bake")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "is already baked" in again.stdout
    folder = RUN_FOLDER.search(again.stdout)
    assert folder and not (Path(folder.group("path")) / "events.jsonl").exists()  # no playbook ran


def test_scale_compute_adds_nodes_that_serve_and_changes_only_them_and_the_lb(lab: Lab) -> None:
    result = lab.runner("scale", "--compute", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    new, lb = {f"{CLUSTER}-node5", f"{CLUSTER}-node6"}, f"{CLUSTER}-node4"
    # The new nodes started from the baked image: dpkg reports its packages
    # installed, so apt does not even run.
    for node in sorted(new):
        image = subprocess.run(
            ["docker", "inspect", "--format", "{{.Config.Image}}", node], capture_output=True, text=True, check=True
        )
        assert image.stdout.strip() == lab.baked
    installs = task_results(result, "Install Apache, PHP and the PHP modules Pydio needs")
    assert {host: outcome for host, outcome in installs.items() if host in new} == dict.fromkeys(new, "skipped")
    recap = recap_of(result)
    changed = {host for host, count in recap.get("changed", {}).items() if count}
    assert new <= changed
    assert changed <= {*new, lb}, recap
    assert set(recap.get("ok", {})) <= {*new, lb}, recap
    assert new <= nodes_behind_lb(lab, tries=30)
    assert store_users() == web_users("1", "2", "5", "6")
    for node in sorted(new):
        assert_steady_up(lab, node)


def test_a_session_stays_on_one_node(lab: Lab) -> None:
    session = Session()
    served = {session.get(f"{lab.url}?get_action=status")[2] for _ in range(12)}
    assert len(served) == 1, served


def test_scale_storage_adds_a_replica_set_and_keeps_the_files(lab: Lab) -> None:
    result = lab.runner("scale", "--storage")
    assert result.returncode == 0, result.stderr[-3000:]
    data = volume(lab.status(), "pydio-data")
    assert (data["replica"], data["distribute"], data["brick_count"]) == (2, 2, 4)
    assert data["heal_pending"] == 0
    for name, digest in lab.uploaded.items():
        code, body, node = Session().get(f"{lab.url}?get_action=download&file={name}")
        assert code == 200, (node, body[:500])
        assert hashlib.sha256(body).hexdigest() == digest


def test_scale_in_drains_first_with_no_failed_request(lab: Lab) -> None:
    stop = threading.Event()
    outcomes: list[str] = []

    def client_loop(session: Session) -> None:
        for _ in range(5000):  # bounded: about 10 minutes at most
            if stop.is_set():
                return
            try:
                code, body, node = session.get(f"{lab.url}?get_action=status", timeout=10)
                outcomes.append("ok" if code == 200 else f"http {code} from {node}: {body[:200]!r}")
            except OSError as error:
                outcomes.append(f"error {error}")
            time.sleep(0.1)

    # One client with a session (it may be pinned to the leaving node), one without.
    clients = [threading.Thread(target=client_loop, args=(Session(),)) for _ in range(2)]
    for thread in clients:
        thread.start()
    try:
        result = lab.runner("scale-in", "--compute", f"{CLUSTER}-node5")
    finally:
        time.sleep(2)
        stop.set()
        for thread in clients:
            thread.join(timeout=30)
    assert result.returncode == 0, result.stderr[-3000:]
    failures = [outcome for outcome in outcomes if outcome != "ok"]
    assert len(outcomes) > 20
    assert failures == [], failures[:10]
    document = lab.status()
    assert f"{CLUSTER}-node5" not in {node["name"] for node in document["nodes"]}
    assert f"{CLUSTER}-node5" not in lb_servers(document)
    assert nodes_behind_lb(lab) == {f"{CLUSTER}-node1", f"{CLUSTER}-node2", f"{CLUSTER}-node6"}
    assert store_users() == web_users("1", "2", "6")


def docker(*argv: str, timeout: float = 60) -> str:
    return subprocess.run(["docker", *argv], capture_output=True, text=True, check=True, timeout=timeout).stdout


def docker_exec(container: str, *command: str) -> str:
    return docker("exec", container, *command)


def db_rows(sql: str) -> list[list[str]]:
    """The rows of ``sql``, run by MariaDB on the lab's db node."""
    out = docker_exec(f"{CLUSTER}-node3", "mariadb", "--batch", "--skip-column-names", "-e", sql)
    return [line.split("\t") for line in out.splitlines()]


# Run on the lb node: HAProxy's stats as CSV, from its loopback.
READ_STATS = "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8404/stats;csv').read().decode())"


def store_users() -> set[str]:
    """The session store's users, read from its SASL database on the db node."""
    listed = docker_exec(STORE_NODE, "sasldblistusers2", "-f", "/etc/sasl2/memcached-sasldb2")
    return {line.split("@", 1)[0] for line in listed.splitlines() if "@" in line}


def web_users(*nodes: str) -> set[str]:
    return {f"web-{CLUSTER}-node{number}" for number in nodes}


def wait_until_haproxy_has(server: str, status: str, deadline_s: float = 60) -> None:
    """Wait until HAProxy's stats page, read on the lb node, gives ``server`` that status."""
    seen: dict[str, str] = {}
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        rows = csv.DictReader(io.StringIO(docker_exec(f"{CLUSTER}-node4", "python3", "-c", READ_STATS).lstrip("# ")))
        seen = next((row for row in rows if row["pxname"] == "pydio_web" and row["svname"] == server), {})
        if seen.get("status") == status:
            return
        time.sleep(1)
    raise AssertionError(f"HAProxy did not give {server} {status} within {deadline_s} s: {seen}")


def logged_in_session_on(lab: Lab, node: str, tries: int = 12) -> Session:
    """A session of the admin, logged in through the LB, that HAProxy keeps on ``node``."""
    password = yaml.safe_load((GROUP_VARS / "secrets.yml").read_text())["pydio_admin_password"]
    for _ in range(tries):
        session = Session()
        code, body, served = session.post(lab.url, {"get_action": "login", "userid": "admin", "password": password})
        assert code == 200 and b'logging_result value="1"' in body, body[:300]
        if served == node:
            return session
    raise AssertionError(f"no login of {tries} landed on {node}")


def test_scale_in_takes_out_a_node_that_is_down_and_revokes_its_trust(lab: Lab) -> None:
    leaving = f"{CLUSTER}-node6"
    # Its address as the lab provider reads it, the one auth.allow and the grants were given.
    address = node_from_inspect(json.loads(docker("inspect", leaving))[0], CLUSTER).private_ip
    assert address
    assert address in docker_exec(f"{CLUSTER}-node1", "gluster", "volume", "get", "pydio-data", "auth.allow")
    user = logged_in_session_on(lab, leaving)
    docker("stop", leaving, timeout=120)
    wait_until_haproxy_has(leaving, "DOWN")
    # The node that held the session is gone: the next request is served by another one, still logged in.
    code, body, served = user.get(f"{lab.url}?get_action=status")
    assert (code, served in (f"{CLUSTER}-node1", f"{CLUSTER}-node2")) == (200, True), (code, served, body[:300])
    assert json.loads(body)["user"] == "admin"

    result = lab.runner("scale-in", "--compute", leaving)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    document = lab.status()
    assert leaving not in {node["name"] for node in document["nodes"]}
    assert leaving not in lb_servers(document)
    assert nodes_behind_lb(lab) == {f"{CLUSTER}-node1", f"{CLUSTER}-node2"}
    # Its trust is gone although it never answered: its address leaves auth.allow and its database account.
    for name in ("pydio-data", "pydio-config"):
        assert address not in docker_exec(f"{CLUSTER}-node1", "gluster", "volume", "get", name, "auth.allow")
    assert [address] not in db_rows("SELECT host FROM mysql.user")
    assert store_users() == web_users("1", "2")


def test_scale_in_refuses_a_storage_node_and_changes_nothing(lab: Lab) -> None:
    result = lab.runner("scale-in", "--compute", f"{CLUSTER}-node1", timeout=120)
    assert result.returncode == 2
    assert "storage node that holds bricks" in result.stderr
    assert "run folder" not in result.stdout


def table_checksums(database: str) -> dict[str, str]:
    """CHECKSUM TABLE of every table of ``database``, read on the lab's db node."""
    tables = [
        row[0] for row in db_rows(f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{database}'")
    ]
    if not tables:
        return {}
    rows = db_rows("CHECKSUM TABLE " + ", ".join(f"`{database}`.`{table}`" for table in tables))
    return {name.split(".", 1)[1]: checksum for name, checksum in rows}


def test_backup_copies_a_dump_off_the_db_node_that_restores_into_a_scratch_database(lab: Lab) -> None:
    live = table_checksums("pydio")
    assert "ajxp_users" in live, live
    result = lab.runner("backup", timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    dumps = sorted((lab.artifacts / CLUSTER / "backups").glob("pydio-*.sql.gz"))
    assert len(dumps) == 1, dumps
    text = gzip.decompress(dumps[0].read_bytes()).decode()
    assert "CREATE TABLE `ajxp_users`" in text
    assert not re.search(r"^(CREATE DATABASE|USE )", text, re.MULTILINE)

    refused = lab.runner("restore", "--from", str(dumps[0]), "--database", "pydio", timeout=600)
    assert refused.returncode == 1
    assert "would overwrite the live database" in refused.stdout + refused.stderr
    assert table_checksums("pydio") == live

    restored = lab.runner("restore", "--from", str(dumps[0]), "--database", "pydio_scratch", timeout=600)
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert table_checksums("pydio_scratch") == live
    assert table_checksums("pydio") == live


def test_status_lists_a_stopped_node_reports_the_rest_and_exits_degraded(lab: Lab) -> None:
    # Last: the node stays stopped, and `down` removes it with the others.
    stopped = f"{CLUSTER}-node2"
    docker("stop", stopped, timeout=120)
    document = lab.status()
    assert document["exit"] == 3
    assert {node["name"]: node["state"] for node in document["nodes"]}[stopped] == "stopped"
    assert f"node {stopped} is stopped" in document["problems"]
    assert stopped in document["unreachable"]
    data = volume(document, "pydio-data")  # still read, from the storage node that answers
    assert data["status"] == "Started"
    assert len(data["bricks_online"]) == data["brick_count"] - 1
    assert document["web"][f"{CLUSTER}-node1"] == 200
