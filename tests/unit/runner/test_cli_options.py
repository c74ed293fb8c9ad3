"""The command line's conventions: --version, help, the environment's defaults, -v/-q, --json, the package."""

import importlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from runner_helpers import REPO, FakeDocker, container, run_cli

from scaleout import cli, command
from scaleout.providers.lab import LabProvider
from scaleout.version import galaxy_version

GALAXY_VERSION = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


# --- --version and the package -------------------------------------------------
def test_version_prints_the_collections_version():
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"scaleout.pydio {GALAXY_VERSION}\n"


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("namespace: scaleout\nversion: 1.2.3\n", "1.2.3"),
        ("version: '2.0.0-rc1'  # next\n", "2.0.0-rc1"),
        ('dependencies:\n  version: 9.9.9\nversion: "1.0.1"\n', "1.0.1"),
    ],
)
def test_galaxy_version(text, version):
    assert galaxy_version(text) == version


def test_galaxy_yml_without_a_version_is_an_error():
    with pytest.raises(ValueError, match="no top-level version"):
        galaxy_version("name: pydio\ndependencies:\n  version: 1.0.0\n")


def test_the_console_script_resolves_to_main(capsys):
    module, _, name = PYPROJECT["project"]["scripts"]["scaleout"].partition(":")
    entry = getattr(importlib.import_module(module), name)
    assert entry is cli.main
    assert entry(["--version"]) == 0
    assert capsys.readouterr().out == f"scaleout.pydio {GALAXY_VERSION}\n"


def test_the_package_takes_its_version_and_dependencies_from_their_one_source():
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]
    module, _, attribute = dynamic["version"]["attr"].rpartition(".")
    assert getattr(importlib.import_module(module), attribute) == GALAXY_VERSION
    assert dynamic["dependencies"]["file"] == ["requirements.txt"]
    assert PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"] == ["scaleout*"]


def test_help_and_version_import_no_dependency():
    """The parser may not need ansible-runner, boto3 or PyYAML: `scaleout --version` works in a bare venv."""
    code = (
        "import sys; from scaleout import cli; cli.build_parser(); "
        "print(sorted(m for m in ('ansible_runner', 'boto3', 'yaml') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- help ---------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_each_subcommand_has_a_description_in_its_help(name, capsys):
    assert cli.main([name, "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    short, description = cli.COMMANDS[name]
    assert description != short
    assert description in out
    for variable in cli.ENVIRONMENT.values():
        assert variable in out


def test_subcommand_help_as_an_operator_sees_it():
    result = run_cli("scale-in", "--help")
    assert result.returncode == 0
    assert "Deregister a compute node from the load balancer" in result.stdout
    assert "SCALEOUT_CLUSTER     sets --cluster" in result.stdout


# --- the environment ------------------------------------------------------------
@pytest.mark.parametrize(
    ("variables", "argv", "expected"),
    [
        ({}, ["deploy"], {"provider": "lab", "cluster": "pydio", "aws_config": None}),
        (
            {"SCALEOUT_PROVIDER": "aws", "SCALEOUT_CLUSTER": "prod", "SCALEOUT_AWS_CONFIG": "aws.yml"},
            ["deploy"],
            {"provider": "aws", "cluster": "prod", "aws_config": Path("aws.yml")},
        ),
        (
            {"SCALEOUT_PROVIDER": "aws", "SCALEOUT_CLUSTER": "prod", "SCALEOUT_AWS_CONFIG": "aws.yml"},
            ["--provider", "lab", "--cluster", "dev", "--aws-config", "other.yml", "deploy"],
            {"provider": "lab", "cluster": "dev", "aws_config": Path("other.yml")},
        ),
        (
            {"SCALEOUT_PROVIDER": "aws", "SCALEOUT_CLUSTER": "prod"},
            ["deploy", "--provider", "lab", "--cluster", "dev"],
            {"provider": "lab", "cluster": "dev", "aws_config": None},
        ),
        ({"SCALEOUT_PROVIDER": "", "SCALEOUT_CLUSTER": "  "}, ["status"], {"provider": "lab", "cluster": "pydio"}),
    ],
)
def test_variables_set_defaults_and_the_command_line_wins(monkeypatch, variables, argv, expected):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    args = cli.parse_args(argv)
    assert {key: getattr(args, key) for key in expected} == expected


def test_an_unknown_provider_in_the_environment_is_bad_usage(tmp_path):
    result = run_cli("--dry-run", "deploy", env={"SCALEOUT_PROVIDER": "gcp"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SCALEOUT_PROVIDER='gcp' is not a provider (choose from 'lab', 'aws')" in result.stderr
    assert run_cli("--provider", "lab", "--version", env={"SCALEOUT_PROVIDER": "gcp"}).returncode == 0


def test_the_cluster_variable_reaches_the_plan(lab_inventory, tmp_path):
    args = ("--inventory", str(lab_inventory), "--dry-run", "--json", "deploy")
    result = run_cli(*args, env={"SCALEOUT_CLUSTER": "lab"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cluster"] == "lab"
    overridden = run_cli("--cluster", "other", *args, env={"SCALEOUT_CLUSTER": "lab"}, cwd=tmp_path)
    assert overridden.returncode == 2
    assert "describes cluster 'lab', not 'other'" in overridden.stderr


# --- -v and -q ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "verbose", "quiet"),
    [
        (["deploy"], 0, False),
        (["-v", "deploy"], 1, False),
        (["-vv", "deploy"], 2, False),
        (["deploy", "-vvv"], 3, False),
        (["--verbose", "--verbose", "deploy"], 2, False),
        (["-q", "deploy"], 0, True),
        (["deploy", "--quiet"], 0, True),
    ],
)
def test_verbosity_options(argv, verbose, quiet):
    args = cli.parse_args(argv)
    assert (args.verbose, args.quiet) == (verbose, quiet)


@pytest.mark.parametrize("argv", [["-q", "-v", "deploy"], ["-q", "deploy", "-vv"]])
def test_quiet_and_verbose_exclude_each_other(argv, capsys):
    assert cli.main(argv) == 2
    assert "-q/--quiet: not allowed with argument -v/--verbose" in capsys.readouterr().err


# --- --json ---------------------------------------------------------------------
PLAN_KEYS = {"command", "cluster", "launch", "steps", "read_only", "note"}
STEP_KEYS = {"kind", "description", "playbook", "limit", "hosts", "extravars", "rebuild"}


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "--dry-run", "deploy"],
        ["deploy", "--dry-run", "--json"],
        ["--dry-run", "scale", "--compute", "2", "--json"],
        ["--dry-run", "scale-in", "--compute", "lab-node5", "--json"],
        ["--dry-run", "--json", "backup"],
        ["--dry-run", "--json", "-q", "status"],
        ["--dry-run", "--json", "-vv", "--provider", "aws", "down", "--yes"],
        ["--dry-run", "--json", "bake", "--rebuild"],
    ],
)
def test_dry_run_json_is_the_plan_alone_on_stdout(lab_inventory, tmp_path, argv):
    result = run_cli("--cluster", "lab", "--inventory", str(lab_inventory), *argv, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert set(plan) == PLAN_KEYS
    assert plan["cluster"] == "lab"
    assert plan["steps"]
    assert all(set(step) == STEP_KEYS for step in plan["steps"])
    assert all(set(node) == {"name", "groups"} for node in plan["launch"])


def test_a_refusal_with_json_is_a_result_document(lab_inventory, tmp_path):
    result = run_cli(
        "--cluster", "lab", "--inventory", str(lab_inventory), "--json", "scale-in", "--compute", "lab-node1"
    )
    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["exit_code"] == 2
    assert document["run_dir"] is None
    assert "storage node that holds bricks" in document["error"]
    assert "error: " in result.stderr


class FakeLab:
    """main() with the lab provider on a FakeDocker holding a cluster `c`, artifacts in a temporary folder."""

    def __init__(self, tmp_path, monkeypatch):
        self.docker = FakeDocker(
            [container("c", f"c-node{n}", groups) for n, groups in enumerate(("storage,compute", "db", "lb"), 1)],
            ["scaleout-c"],
        )
        self.artifacts = tmp_path / "artifacts"
        inventory_root = tmp_path / "inventory"

        def make_provider(name, repo_root, aws_config, lab_port, *, needed=True):
            return LabProvider("img:test", inventory_root, port=lab_port, docker=self.docker)

        monkeypatch.setattr(command, "make_provider", make_provider)

    def run(self, *args: str) -> int:
        return cli.main(["--artifacts-dir", str(self.artifacts), "--cluster", "c", *args])


@pytest.fixture
def fake_lab(tmp_path, monkeypatch):
    return FakeLab(tmp_path, monkeypatch)


def test_a_run_with_json_prints_the_result_and_its_run_folder(fake_lab, capsys):
    assert fake_lab.run("down", "--json") == 0
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert document == {
        "command": "down",
        "cluster": "c",
        "provider": "lab",
        "ok": True,
        "exit_code": 0,
        "run_dir": document["run_dir"],
        "url": "",
        "error": None,
    }
    run_dir = Path(document["run_dir"])
    assert run_dir.parent == (fake_lab.artifacts / "c").resolve()
    assert (run_dir / "steps.json").is_file()
    assert f"run folder: {fake_lab.artifacts / 'c'}" in err  # progress went to stderr
    assert "[1/1] destroy every node" in err


def test_quiet_shows_only_the_final_result(fake_lab, capsys):
    assert fake_lab.run("-q", "down") == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("down on cluster c done in ")
    assert len(out.splitlines()) == 1
