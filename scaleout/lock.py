"""A per-cluster lock so that two operations on one cluster cannot run at once."""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

LOCK_NAME = ".lock"


class LockBusyError(RuntimeError):
    """Another operation holds the cluster's lock."""

    def __init__(self, cluster: str, holder: dict[str, Any]) -> None:
        self.cluster = cluster
        self.holder = holder
        who = (
            f"pid {holder.get('pid', '?')}, command {holder.get('command', '?')!r}, "
            f"started {holder.get('started', '?')}"
        )
        super().__init__(f"cluster {cluster!r} is busy: another operation holds its lock ({who}); nothing was changed")


class ClusterLock:
    """Non-blocking ``fcntl.flock`` on ``<cluster folder>/.lock``.

    The holder writes its pid, command and start time into the file, so that a
    second caller can say who is in the way. The kernel drops the lock when the
    holder exits, even if it crashes, so a stale file never blocks anybody.
    """

    def __init__(self, cluster_dir: Path, cluster: str, command: str) -> None:
        self.path = cluster_dir / LOCK_NAME
        self.cluster = cluster
        self.command = command
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise LockBusyError at once."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise LockBusyError(self.cluster, read_holder(self.path)) from None
        holder = {
            "pid": os.getpid(),
            "command": self.command,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(holder) + "\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Drop the lock (the file stays; its content is only informative)."""
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> ClusterLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def read_holder(path: Path) -> dict[str, Any]:
    """What the current holder wrote into the lock file (empty if unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
