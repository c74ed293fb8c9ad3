"""scripts/host-setup.sh starts dockerd holding no descriptor of its caller, and bounds its lock wait.

The two chains of `make test` both run host-setup.sh; the second waits on the
first's lock. A dockerd started while the lock is held must not inherit it, or
every later caller waits for as long as dockerd runs; nor may it inherit
make's jobserver pipe (`make -j2`), or make never ends. The commands the
script calls (id, dpkg-query, docker, dockerd) are replaced by small scripts on
PATH: what is tested is the script's own handling of descriptors, not Docker.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

from scaleout.paths import REPO_ROOT

HOST_SETUP = REPO_ROOT / "scripts" / "host-setup.sh"

STUBS = {
    "id": "#!/bin/sh\necho 0\n",
    "dpkg-query": "#!/bin/sh\nprintf 'install ok installed'\n",
    "modprobe": "#!/bin/sh\nexit 0\n",
    # `docker info` succeeds once the fake dockerd has written its pid.
    "docker": ('#!/bin/sh\ncase "$1" in\n  info) test -s "$STUB_DIR/dockerd.pid" ;;\n  version) echo stub ;;\nesac\n'),
    # A daemon that keeps every descriptor it was given, as dockerd does.
    "dockerd": (
        "#!/bin/sh\n"
        'echo $$ > "$STUB_DIR/dockerd.pid.new"\n'
        'mv "$STUB_DIR/dockerd.pid.new" "$STUB_DIR/dockerd.pid"\n'
        "exec sleep 60\n"
    ),
}


def _lock_is_free(path: Path) -> bool:
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def _descriptors_once_asleep(pid: int) -> set[int]:
    """The open descriptors of the fake dockerd, read once it has become `sleep` (the daemon itself)."""
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0] != b"sleep":
        assert time.monotonic() < deadline, "the fake dockerd never reached its exec"
        time.sleep(0.05)
    return {int(fd.name) for fd in Path(f"/proc/{pid}/fd").iterdir()}


def test_dockerd_holds_neither_the_lock_nor_the_callers_pipes(tmp_path: Path) -> None:
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, text in STUBS.items():
        stub = stubs / name
        stub.write_text(text)
        stub.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{stubs}:{os.environ['PATH']}",
        "STUB_DIR": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "HOST_SETUP_DOCKERD_LOG": str(tmp_path / "dockerd.log"),
    }
    # A pipe handed down the way `make -j` hands down its jobserver.
    jobserver_read, jobserver_write = os.pipe()
    try:
        result = subprocess.run(
            ["bash", str(HOST_SETUP)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            pass_fds=(jobserver_read, jobserver_write),
        )
    finally:
        os.close(jobserver_read)
        os.close(jobserver_write)
    pid_file = tmp_path / "dockerd.pid"
    try:
        assert result.returncode == 0, result.stderr
        assert "starting dockerd" in result.stdout
        assert _lock_is_free(tmp_path / "scaleout-host-setup.lock")
        assert _descriptors_once_asleep(int(pid_file.read_text())) == {0, 1, 2}
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGTERM)


def test_a_held_lock_fails_after_the_wait(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "HOST_SETUP_LOCK_WAIT": "1"}
    lock = tmp_path / "scaleout-host-setup.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = subprocess.run(
            ["bash", str(HOST_SETUP)], env=env, capture_output=True, text=True, timeout=60, check=False
        )
    assert result.returncode == 1
    assert f"waited 1s for {lock}" in result.stderr
