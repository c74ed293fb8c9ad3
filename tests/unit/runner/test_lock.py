"""The per-cluster lock: a second operation fails at once and names the holder."""

import subprocess
import sys
import time

import pytest
from runner_helpers import REPO, run_cli

from scaleout.lock import ClusterLock, LockBusyError

HOLDER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from scaleout.lock import ClusterLock
with ClusterLock(Path(sys.argv[2]), "lab", "scale --compute 3"):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lock of cluster 'lab' until its stdin closes."""
    folder = tmp_path / "artifacts" / "lab"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(REPO), str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    yield proc, folder
    proc.stdin.close()
    proc.wait(timeout=10)


def test_second_lock_fails_at_once_naming_the_holder(holder):
    proc, folder = holder
    start = time.monotonic()
    with pytest.raises(LockBusyError) as error:
        ClusterLock(folder, "lab", "scale --storage").acquire()
    assert time.monotonic() - start < 2
    message = str(error.value)
    assert f"pid {proc.pid}" in message
    assert "command 'scale --compute 3'" in message
    assert "started 20" in message
    assert "nothing was changed" in message


@pytest.mark.parametrize("command", [["scale", "--compute"], ["backup"]])
def test_second_changing_command_through_the_cli_is_refused(holder, lab_inventory, command):
    proc, folder = holder
    result = run_cli(
        "--cluster", "lab", "--inventory", str(lab_inventory), "--artifacts-dir", str(folder.parent),
        *command,
    )  # fmt: skip
    assert result.returncode == 1
    assert "cluster 'lab' is busy" in result.stderr
    assert f"pid {proc.pid}" in result.stderr
    assert "cannot run yet" not in result.stderr  # refused before anything else


def test_lock_is_free_again_when_the_holder_ends(holder):
    proc, folder = holder
    proc.stdin.close()
    proc.wait(timeout=10)
    with ClusterLock(folder, "lab", "deploy"):
        pass


@pytest.mark.parametrize("other", ["prod", "lab2"])
def test_other_clusters_are_not_blocked(holder, other):
    _, folder = holder
    with ClusterLock(folder.parent / other, other, "deploy"):
        pass


def test_released_lock_can_be_taken_again(tmp_path):
    lock = ClusterLock(tmp_path / "lab", "lab", "deploy")
    with lock, pytest.raises(LockBusyError):
        ClusterLock(tmp_path / "lab", "lab", "scale").acquire()
    with ClusterLock(tmp_path / "lab", "lab", "scale"):
        pass
