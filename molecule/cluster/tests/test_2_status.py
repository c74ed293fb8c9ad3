"""playbooks/status.yml: a read-only report of the pool, the volumes, the web nodes and HAProxy."""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from conftest import WEBS, wait_for_status
from scenario_helpers import PROJECT, run_playbook

testinfra_hosts = ["ansible://cluster-lb1"]

STATUS_PLAYBOOK = str(PROJECT / "playbooks" / "status.yml")
CLUSTER = {*WEBS, "cluster-db1", "cluster-lb1"}


def report(*extra: str) -> tuple[dict, dict]:
    """Run status.yml with the json callback; give scaleout_status and the per-host stats."""
    env = {"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json", "ANSIBLE_SHOW_CUSTOM_STATS": "1"}
    result = run_playbook(STATUS_PLAYBOOK, *extra, env=env, merge=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    # The JSON document starts on a line of its own; molecule's profile_tasks
    # callback prints its timings around it.
    lines = result.stdout.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: lines.index("{\n")])
    out, _ = json.JSONDecoder().raw_decode(result.stdout[start:])
    return out["global_custom_stats"]["scaleout_status"], out["stats"]


@pytest.fixture(scope="module")
def status():
    return report()


def test_status_changes_nothing_anywhere(status):
    _, per_host = status
    # localhost reads the ALB's view on AWS; here it only learns that the load balancer is HAProxy.
    assert set(per_host) == CLUSTER | {"localhost"}
    for host, counts in per_host.items():
        assert counts["changed"] == 0, (host, counts)
        assert counts["failures"] == 0 and counts["unreachable"] == 0, (host, counts)


def test_status_reports_the_pool_and_the_volumes(status):
    data, _ = status
    assert data["storage_host"] == "cluster-node1"
    assert len(data["peers"]) == 2
    assert all(peer["connected"] for peer in data["peers"]), data["peers"]
    volumes = {volume["name"]: volume for volume in data["volumes"]}
    assert set(volumes) == {"pydio-data", "pydio-config"}
    for volume in volumes.values():
        assert volume["status"] == "Started"
        assert (volume["replica"], volume["brick_count"]) == (2, 2)
        assert sorted(volume["bricks_online"]) == sorted(volume["bricks"])
        assert volume["heal_pending"] == 0


def test_status_reports_the_web_nodes_and_haproxy(status):
    data, _ = status
    assert data["web"] == {web: 200 for web in WEBS}
    assert sorted((row["lb"], row["server"], row["status"], row["check"]) for row in data["lb"]) == [
        ("cluster-lb1", web, "UP", "L7OK") for web in WEBS
    ]
    assert data["unreachable"] == []
    assert data["errors"] == []


def test_status_reports_the_database_and_what_each_web_node_can_reach(status):
    data, _ = status
    (server,) = data["database"]
    assert (server["host"], server["role"], server["answers"], server["error"]) == ("cluster-db1", "primary", True, "")
    assert server["version"]
    assert server["replication"] is None
    assert server["last_backup"] is None or server["last_backup_age_seconds"] >= 0
    assert data["web_detail"] == {web: "OK" for web in WEBS}


def test_status_in_check_mode_gives_the_same_report():
    data, per_host = report("--check")
    assert data["database"][0]["answers"] is True
    assert data["web"] == {web: 200 for web in WEBS}
    assert {volume["name"] for volume in data["volumes"]} == {"pydio-data", "pydio-config"}
    assert len(data["lb"]) == 2
    assert all(counts["changed"] == 0 for counts in per_host.values())


def test_a_web_node_that_is_down_is_reported_not_fatal(host):
    web = host.get_host("ansible://cluster-node2", ansible_inventory=host.backend.ansible_inventory)
    web.check_output("systemctl stop apache2")
    try:
        data, _ = report()
        assert data["web"] == {"cluster-node1": 200, "cluster-node2": -1}
    finally:
        web.check_output("systemctl start apache2")
        wait_for_status(host, "cluster-node2", "UP", 30)


def test_an_unreachable_host_is_reported_not_fatal(host):
    subprocess.run(["docker", "stop", "cluster-db1"], check=True, capture_output=True, timeout=120)
    try:
        data, per_host = report()
        assert data["unreachable"] == ["cluster-db1"]
        # The web nodes answer, but cannot serve without their database: their check says so.
        assert data["web"] == {web: 503 for web in WEBS}
        assert all("the database does not accept this node" in data["web_detail"][web] for web in WEBS)
        assert data["database"] == [{"host": "cluster-db1", "answers": False, "error": "the host did not answer"}]
        assert all(counts["failures"] == 0 for counts in per_host.values()), per_host
    finally:
        subprocess.run(["docker", "start", "cluster-db1"], check=True, capture_output=True, timeout=120)
        db = host.get_host("ansible://cluster-db1", ansible_inventory=host.backend.ansible_inventory)
        for _ in range(60):
            if db.run("systemctl is-active mariadb").rc == 0:
                break
            time.sleep(1)
        assert db.service("mariadb").is_running
        for web in WEBS:
            wait_for_status(host, web, "UP", 30)
