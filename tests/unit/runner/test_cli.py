"""runner.py as a subprocess: parsing, exit codes and messages."""

import json

import pytest
from runner_helpers import REPO, run_cli


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
    ],
)
def test_exit_codes_and_messages(lab_inventory, tmp_path, args, code, stream, expected):
    result = run_cli("--cluster", "lab", "--inventory", str(lab_inventory), *args, cwd=tmp_path)
    assert result.returncode == code, result.stdout + result.stderr
    assert expected in getattr(result, stream)
    if code == 2:
        assert "Traceback" not in result.stderr


def test_dry_run_deploy_without_inventory_plans_the_default_lab(tmp_path):
    result = run_cli("--cluster", "never-launched", "--artifacts-dir", str(tmp_path / "a"), "--dry-run", "deploy")
    assert result.returncode == 0, result.stderr
    assert "playbook: playbooks/site.yml" in result.stdout
    assert "assumes the default lab layout" in result.stdout
    assert not (tmp_path / "a").exists()


def test_aws_without_inventory_says_the_provider_is_missing(tmp_path):
    result = run_cli("--provider", "aws", "--dry-run", "status", cwd=tmp_path)
    assert result.returncode == 1
    assert "aws provider is not implemented yet" in result.stderr


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        (["scale", "--compute"], "launch needs the lab provider, which is not implemented yet"),
        (["scale", "--storage"], "playbooks/scale_storage.yml does not exist yet"),
        (["scale-in", "--compute", "lab-node5"], "deregister needs the lab provider"),
        (["status"], "playbooks/status.yml does not exist yet"),
    ],
)
def test_commands_not_built_yet_fail_before_any_change(lab_inventory, tmp_path, args, missing):
    artifacts = tmp_path / "artifacts"
    result = run_cli("--cluster", "lab", "--inventory", str(lab_inventory), "--artifacts-dir", str(artifacts), *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot run yet; nothing was changed" in result.stderr
    assert missing in result.stderr
    run_folders = [p for p in artifacts.rglob("*") if p.is_dir()] if artifacts.exists() else []
    assert run_folders in ([], [artifacts / "lab"])  # at most the cluster folder holding the lock


def test_runner_py_is_thin():
    assert len((REPO / "runner.py").read_text().splitlines()) < 15


def test_dry_run_json_is_machine_readable(lab_inventory):
    result = run_cli("--cluster", "lab", "--inventory", str(lab_inventory), "--dry-run", "status", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["steps"][0]["playbook"] == "playbooks/status.yml"
    assert data["read_only"] is True
