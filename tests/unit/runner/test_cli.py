"""runner.py as a subprocess: parsing, exit codes and messages."""

import json

import pytest
from runner_helpers import LAB, REPO, free_port, run_cli, write_inventory

from scaleout.model import Cluster


@pytest.mark.parametrize(
    ("args", "code", "stream", "expected"),
    [
        (["--provider", "gcp", "deploy"], 2, "stderr", "invalid choice: 'gcp' (choose from 'lab', 'aws')"),
        (["deploy", "--provider", "gcp"], 2, "stderr", "invalid choice: 'gcp'"),
        (["frobnicate"], 2, "stderr", "invalid choice: 'frobnicate'"),
        ([], 2, "stderr", "the following arguments are required: COMMAND"),
        (["scale"], 2, "stderr", "one of the arguments --compute --storage is required"),
        (["scale", "--compute", "--storage"], 2, "stderr", "not allowed with argument"),
        (["scale", "--compute", "two"], 2, "stderr", "invalid int value: 'two'"),
        (["scale-in"], 2, "stderr", "the following arguments are required: --compute"),
        (["--cluster", "Bad_Name", "--dry-run", "deploy"], 2, "stderr", "invalid cluster name 'Bad_Name'"),
        (["--dry-run", "deploy"], 0, "stdout", "playbook: playbooks/site.yml"),
        (["deploy", "--dry-run", "-v"], 0, "stdout", "Plan for deploy on cluster lab"),
        (["--dry-run", "scale", "--storage", "3"], 2, "stderr", "would not fill a replica set"),
        (["--dry-run", "scale-in", "--compute", "lab-node1"], 2, "stderr", "storage node that holds bricks"),
        (["--dry-run", "scale-in", "--compute", "lab-node9"], 2, "stderr", "'lab-node9' is not a node"),
        (["--dry-run", "--provider", "aws", "down"], 2, "stderr", "add --yes to confirm"),
        (["--dry-run", "--provider", "aws", "down", "--yes"], 0, "stdout", "destroy every node"),
        (["--dry-run", "scale", "--compute", "2"], 0, "stdout", "limit:    lab-node6,lab-node7,lab-node4"),
        (["--dry-run", "bake"], 0, "stdout", "limit:    a builder node outside the cluster"),
        (["--dry-run", "bake", "--rebuild"], 0, "stdout", "from a builder outside the cluster (bake.yml), again"),
        (["--dry-run", "--provider", "aws", "bake"], 0, "stdout", "limit:    a builder node outside the cluster"),
        (["--provider", "aws", "bake"], 1, "stderr", "needs --aws-config"),
        (["--dry-run", "-e", "@/no/such/vars.yml", "deploy"], 2, "stderr", "-e @/no/such/vars.yml: cannot read"),
        (
            ["deploy", "--dry-run", "-e", "x=1", "--vault-password-file", "/no/such/pass"],
            2,
            "stderr",
            "--vault-password-file /no/such/pass: no such file",
        ),
        (["deploy", "--dry-run", "-e", "x=1", "-e", '{"y": 2}'], 0, "stdout", "Plan for deploy on cluster lab"),
        (
            ["--lab-port", "0", "--dry-run", "deploy"],
            2,
            "stderr",
            "port 0 is out of range: give a number from 1 to 65535",
        ),
        (
            ["deploy", "--lab-port", "65536", "--dry-run"],
            2,
            "stderr",
            "port 65536 is out of range: give a number from 1 to 65535",
        ),
        (
            ["--dry-run", "--lab-port", "http", "deploy"],
            2,
            "stderr",
            "'http' is not a port number: give a number from 1 to 65535",
        ),
    ],
)
def test_exit_codes_and_messages(lab_inventory, tmp_path, args, code, stream, expected):
    result = run_cli("--cluster", "lab", "--inventory", str(lab_inventory), *args, cwd=tmp_path)
    assert result.returncode == code, result.stdout + result.stderr
    assert expected in getattr(result, stream)
    if code == 2:
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["scale", "--compute"], ["deploy"], ["status"]])
def test_an_inventory_with_an_unknown_group_is_refused(tmp_path, command):
    """A misspelled `lbs:` would silently drop the LB from the plan."""
    path = write_inventory(tmp_path / "hosts.yml", LAB)
    path.write_text(path.read_text().replace("\n    lb:\n", "\n    lbs:\n"))
    result = run_cli("--cluster", "lab", "--inventory", str(path), "--dry-run", *command, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "unknown group(s) lbs; the known groups are storage, compute, db, lb, session_store" in result.stderr


@pytest.mark.parametrize("command", [["status"], ["scale-in", "--compute", "lab-node5"]])
def test_an_inventory_without_a_db_group_is_refused(tmp_path, command):
    path = write_inventory(tmp_path / "hosts.yml", Cluster("lab", tuple(n for n in LAB.nodes if n.name != "lab-node3")))
    result = run_cli("--cluster", "lab", "--inventory", str(path), "--dry-run", *command, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cluster 'lab' has no db node (its db group is empty or missing)" in result.stderr


def test_dry_run_deploy_without_inventory_plans_the_default_lab(tmp_path):
    result = run_cli("--cluster", "never-launched", "--artifacts-dir", str(tmp_path / "a"), "--dry-run", "deploy")
    assert result.returncode == 0, result.stderr
    assert "playbook: playbooks/site.yml" in result.stdout
    assert "assumes the default layout that `up` creates" in result.stdout
    assert not (tmp_path / "a").exists()


def test_aws_without_settings_says_what_is_missing(tmp_path):
    result = run_cli("--provider", "aws", "--dry-run", "status", cwd=tmp_path)
    assert result.returncode == 1
    assert "the aws provider needs its settings: pass --aws-config FILE" in result.stderr
    assert "nothing was changed" in result.stderr


def test_up_without_archive_says_how_to_pass_one(tmp_path, monkeypatch):
    """The lab needs a Pydio archive; without one, `up` explains before launching anything."""
    artifacts = tmp_path / "artifacts"
    new_lab = ("--cluster", "never-launched", "--lab-port", str(free_port()), "--artifacts-dir", str(artifacts))
    result = run_cli(*new_lab, "up", timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "--pydio-archive FILE" in result.stderr
    assert "--pydio-archive stand-in" in result.stderr
    assert "nothing was changed" in result.stderr
    assert not artifacts.exists()


def test_up_with_a_missing_archive_fails_before_any_change(tmp_path):
    artifacts = tmp_path / "artifacts"
    missing = tmp_path / "nope.tar.gz"
    new_lab = ("--cluster", "never-launched", "--lab-port", str(free_port()), "--artifacts-dir", str(artifacts))
    result = run_cli(*new_lab, "up", "--pydio-archive", str(missing))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"--pydio-archive {missing}: no such file" in result.stderr
    assert not artifacts.exists()


def test_runner_py_is_thin():
    assert len((REPO / "runner.py").read_text().splitlines()) < 15


def test_dry_run_json_is_machine_readable(lab_inventory):
    result = run_cli("--cluster", "lab", "--inventory", str(lab_inventory), "--dry-run", "status", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["steps"][0]["playbook"] == "playbooks/status.yml"
    assert data["read_only"] is True


def test_restore_of_a_missing_file_is_refused_before_any_change(tmp_path, lab_inventory):
    artifacts = tmp_path / "artifacts"
    missing = tmp_path / "nope.sql.gz"
    args = ("--cluster", "lab", "--inventory", str(lab_inventory), "--artifacts-dir", str(artifacts))
    result = run_cli(*args, "restore", "--from", str(missing), "--database", "scratch")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"restore --from {missing}: no such file" in result.stderr
    assert not artifacts.exists()


def test_restore_into_the_live_database_needs_overwrite(tmp_path, lab_inventory):
    dump = tmp_path / "pydio.sql.gz"
    dump.write_bytes(b"")
    artifacts = tmp_path / "artifacts"
    args = ("--cluster", "lab", "--inventory", str(lab_inventory), "--artifacts-dir", str(artifacts))
    result = run_cli(*args, "restore", "--from", str(dump))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "would overwrite the live database" in result.stderr
    assert not artifacts.exists()
    planned = run_cli(*args, "--dry-run", "restore", "--from", str(dump), "--overwrite")
    assert planned.returncode == 0, planned.stderr
    assert "playbooks/restore.yml" in planned.stdout
