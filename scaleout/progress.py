"""Concise progress from ansible-runner events: play, task, per-host state, recap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Per-host states, in the order the recap table shows them.
RECAP_COLUMNS = ("ok", "changed", "failed", "unreachable", "skipped", "rescued", "ignored")
_STATS_KEYS = {
    "ok": "ok",
    "changed": "changed",
    "failed": "failures",
    "unreachable": "dark",
    "skipped": "skipped",
    "rescued": "rescued",
    "ignored": "ignored",
}


@dataclass(frozen=True)
class Failure:
    """One failed or unreachable host: what, where and why."""

    host: str
    task: str
    message: str
    unreachable: bool = False

    def __str__(self) -> str:
        what = "unreachable" if self.unreachable else "failed"
        return f"{self.host} {what} at task {self.task!r}: {self.message}"


MAX_MESSAGE = 240


def failure_message(res: dict[str, Any]) -> str:
    """The useful part of a failed result (msg, else stderr, else the rc), cut to MAX_MESSAGE characters."""
    text = _failure_text(res)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def _failure_text(res: dict[str, Any]) -> str:
    for key in ("msg", "stderr", "reason"):
        value = res.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.strip().splitlines()[-3:]) if key == "stderr" else value.strip()
    results = res.get("results")
    if isinstance(results, list):
        for item in results:
            if isinstance(item, dict) and item.get("failed"):
                return _failure_text(item)
    if "rc" in res:
        return f"exited with rc {res['rc']}"
    return "no message"


class Progress:
    """Turns ansible-runner events into short lines written through ``write``."""

    def __init__(self, write: Callable[[str], None] = print, verbose: bool = False) -> None:
        self._write = write
        self.verbose = verbose
        self.play: str | None = None
        self.task: str | None = None
        self.host_state: dict[str, str] = {}
        self.failures: list[Failure] = []
        self.stats: dict[str, dict[str, int]] = {}

    def handle(self, event: dict[str, Any]) -> None:
        """Render one event (unknown event types are ignored)."""
        kind = event.get("event", "")
        data = event.get("event_data") or {}
        host = data.get("host") or ""
        res = data.get("res") if isinstance(data.get("res"), dict) else {}
        if kind == "playbook_on_play_start":
            self.play = data.get("play") or data.get("name") or ""
            self._write(f"PLAY {self.play}")
        elif kind == "playbook_on_task_start":
            self.task = data.get("task") or data.get("name") or ""
            self._write(f"  TASK {self.task}")
        elif kind == "runner_on_ok":
            changed = bool(data.get("changed") or res.get("changed"))
            self._host(host, "changed" if changed else "ok")
        elif kind == "runner_on_skipped":
            self._host(host, "skipped")
        elif kind in ("runner_on_failed", "runner_on_unreachable"):
            unreachable = kind == "runner_on_unreachable"
            if data.get("ignore_errors"):
                self._host(host, "ignored")
                return
            failure = Failure(host, data.get("task") or self.task or "", failure_message(res), unreachable)
            self.failures.append(failure)
            self._host(host, "unreachable" if unreachable else "failed", failure.message)
        elif kind == "playbook_on_stats":
            self.stats = {column: dict(data.get(key) or {}) for column, key in _STATS_KEYS.items()}
            # A task with ignore_unreachable still sends runner_on_unreachable (Mitogen's connections do),
            # but Ansible counts it as ignored: a host with no unreachable count was not lost.
            lost = self.stats["unreachable"]
            self.failures = [f for f in self.failures if not f.unreachable or lost.get(f.host, 0) > 0]
            for line in self.recap().splitlines():
                self._write(line)
            for failure in self.failures:
                self._write(f"FAILED: {failure}")

    def _host(self, host: str, state: str, detail: str = "") -> None:
        self.host_state[host] = state
        if state in ("ok", "skipped") and not self.verbose:
            return
        label = state.upper() if state in ("failed", "unreachable") else state
        self._write(f"    {label:<11} {host}" + (f": {detail}" if detail else ""))

    def recap(self) -> str:
        """A table with one row per host and one column per state."""
        hosts = sorted({host for counts in self.stats.values() for host in counts} | set(self.host_state))
        width = max([len("host"), *(len(host) for host in hosts)])
        header = f"{'host':<{width}}  " + "  ".join(f"{column:>11}" for column in RECAP_COLUMNS)
        rows = [
            f"{host:<{width}}  "
            + "  ".join(f"{self.stats.get(column, {}).get(host, 0):>11}" for column in RECAP_COLUMNS)
            for host in hosts
        ]
        return "\n".join(["RECAP", header, *rows])
