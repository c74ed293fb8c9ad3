"""-v, -vv, -vvv and -q on REAL ansible-runner runs: what reaches ansible-playbook's command line and the screen."""

import json

import pytest
from runner_helpers import REPO

from scaleout.artifacts import new_run_dir
from scaleout.run import run_playbook

PLAYBOOK = REPO / "tests" / "unit" / "runner" / "playbooks" / "progress.yml"
FAILURE = "FAILED: localhost failed at task 'A failing task': the disk is on fire"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The sample playbook run once per verbosity: -1 (-q), 0, 2 (-vv); what was shown, and the run folder."""
    root = tmp_path_factory.mktemp("artifacts")
    found = {}
    for verbosity in (-1, 0, 2):
        run_dir = new_run_dir(root, "lab", f"deploy-{verbosity}")
        lines: list[str] = []
        run_playbook(
            PLAYBOOK,
            run_dir,
            "localhost,",
            extravars={"db_password": "Zq9-not-a-real-password"},
            write=lines.append,
            verbosity=verbosity,
        )
        found[verbosity] = (lines, run_dir)
    return found


def ansible_command_line(run_dir):
    """The command line ansible-runner ran, from its own artifacts."""
    (path,) = (run_dir / "runner" / "artifacts").glob("*/command")
    return json.loads(path.read_text())["command"]


@pytest.mark.parametrize(("verbosity", "flag"), [(-1, None), (0, None), (2, "-vv")])
def test_verbosity_reaches_the_ansible_playbook_command_line(runs, verbosity, flag):
    command = ansible_command_line(runs[verbosity][1])
    assert command[0].endswith("ansible-playbook")
    flags = [arg for arg in command if arg.startswith("-v")]
    assert flags == ([flag] if flag else [])


def test_verbose_shows_ok_results(runs):
    assert "    ok          localhost" in runs[2][0]
    assert "    ok          localhost" not in runs[0][0]


def test_quiet_shows_the_failure_only_and_logs_everything(runs):
    lines, run_dir = runs[-1]
    assert lines == [FAILURE]
    log = (run_dir / "runner.log").read_text().splitlines()
    assert "PLAY Runner progress sample" in log
    assert "RECAP" in log
    assert FAILURE in log
