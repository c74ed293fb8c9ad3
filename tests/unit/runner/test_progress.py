"""Progress and redaction on REAL ansible-runner events from a tiny local playbook."""

import json

import pytest
from runner_helpers import REPO

from scaleout.artifacts import new_run_dir
from scaleout.progress import Progress, failure_message
from scaleout.run import run_playbook

PLAYBOOK = REPO / "tests" / "unit" / "runner" / "playbooks" / "progress.yml"
SECRET = "Zq9-not-a-real-password-41"


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    """Run the sample playbook once through ansible-runner and keep what it printed."""
    root = tmp_path_factory.mktemp("artifacts")
    run_dir = new_run_dir(root, "lab", "deploy")
    lines: list[str] = []
    result = run_playbook(
        PLAYBOOK,
        run_dir,
        "localhost,",
        extravars={"db_password": SECRET},
        write=lines.append,
    )
    return result, lines, run_dir


def test_status_and_stats(real_run):
    result, _, _ = real_run
    assert result.status == "failed"
    assert not result.ok
    assert result.stats["ok"] == {"localhost": 3}
    assert result.stats["changed"] == {"localhost": 1}
    assert result.stats["failed"] == {"localhost": 1}


def test_progress_lines_name_play_task_and_host_state(real_run):
    _, lines, _ = real_run
    text = "\n".join(lines)
    assert "PLAY Runner progress sample" in lines
    for task in ("An ok task", "A changed task", "Echo the database password", "A failing task"):
        assert f"  TASK {task}" in lines
    assert "    changed     localhost" in lines
    assert "    FAILED      localhost: the disk is on fire" in lines
    assert not [line for line in lines if line.startswith("    ok ")]  # ok results only with -v
    assert "{" not in text  # no JSON dumps


def test_failure_names_host_task_and_message(real_run):
    result, lines, _ = real_run
    assert [str(f) for f in result.failures] == ["localhost failed at task 'A failing task': the disk is on fire"]
    assert lines[-1] == "FAILED: localhost failed at task 'A failing task': the disk is on fire"


def test_recap_table(real_run):
    _, lines, _ = real_run
    start = lines.index("RECAP")
    header, row = lines[start + 1].split(), lines[start + 2].split()
    assert header == ["host", "ok", "changed", "failed", "unreachable", "skipped", "rescued", "ignored"]
    assert row == ["localhost", "3", "1", "1", "0", "0", "0", "0"]


def test_the_secret_never_reaches_the_screen_or_the_run_folder(real_run):
    _, lines, run_dir = real_run
    assert SECRET not in "\n".join(lines)
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"runner.log", "events.jsonl", "stdout"} <= names  # our log and ansible-runner's own artifacts
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
    log = (run_dir / "runner.log").read_text()
    assert "TASK Echo the database password" in log
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    echoed = [
        e for e in events if e["event_data"].get("task") == "Echo the database password" and "res" in e["event_data"]
    ]
    assert echoed[0]["event_data"]["res"]["msg"] == "the password is ********"


def test_run_folder_layout(real_run):
    _, _, run_dir = real_run
    assert run_dir.parent.name == "lab"
    assert run_dir.name.endswith("-deploy")
    assert list((run_dir / "runner" / "artifacts").iterdir())


@pytest.mark.parametrize(
    ("event", "line"),
    [
        ({"event": "runner_on_skipped", "event_data": {"host": "n1", "task": "t"}}, "    skipped     n1"),
        ({"event": "runner_on_ok", "event_data": {"host": "n1", "res": {"changed": False}}}, "    ok          n1"),
        (
            {
                "event": "runner_on_unreachable",
                "event_data": {"host": "n2", "task": "Gathering", "res": {"msg": "ssh"}},
            },
            "    UNREACHABLE n2: ssh",
        ),
        (
            {"event": "runner_on_failed", "event_data": {"host": "n3", "ignore_errors": True, "res": {"msg": "x"}}},
            "    ignored     n3",
        ),
    ],
)
def test_other_event_types_verbose(event, line):
    lines: list[str] = []
    Progress(lines.append, verbose=True).handle(event)
    assert lines == [line]


@pytest.mark.parametrize(
    ("res", "message"),
    [
        ({"msg": "boom", "stderr": "ignored"}, "boom"),
        ({"msg": "", "stderr": "line1\nline2\nline3\nline4", "rc": 2}, "line2 line3 line4"),
        ({"rc": 3}, "exited with rc 3"),
        ({"results": [{"failed": False, "msg": "fine"}, {"failed": True, "msg": "item broke"}]}, "item broke"),
        ({}, "no message"),
        ({"msg": "x" * 500}, "x" * 237 + "..."),
    ],
)
def test_failure_message(res, message):
    assert failure_message(res) == message


def _stats(**counts: dict[str, int]) -> dict:
    return {"event": "playbook_on_stats", "event_data": counts}


# The events of a task with ignore_unreachable on a stopped lab node, as a Mitogen run sent them.
UNREACHABLE = {
    "event": "runner_on_unreachable",
    "event_data": {
        "host": "e2e-node6",
        "task": "Find out whether the leaving node answers",
        "res": {"unreachable": True, "changed": False, "msg": "Task failed: EOF on stream"},
    },
}


def test_an_unreachable_host_that_ansible_counted_as_ignored_is_no_failure():
    lines: list[str] = []
    progress = Progress(lines.append)
    progress.handle(UNREACHABLE)
    progress.handle(_stats(ok={"e2e-node6": 32}, ignored={"e2e-node6": 1}, dark={}))
    assert progress.failures == []
    assert not [line for line in lines if line.startswith("FAILED:")]


def test_an_unreachable_host_that_ansible_counted_as_lost_stays_a_failure():
    lines: list[str] = []
    progress = Progress(lines.append)
    progress.handle(UNREACHABLE)
    progress.handle(_stats(ok={}, dark={"e2e-node6": 1}))
    assert [failure.host for failure in progress.failures] == ["e2e-node6"]
    assert "FAILED: e2e-node6 unreachable at task 'Find out whether the leaving node answers'" in "\n".join(lines)
