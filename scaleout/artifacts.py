"""Run folders: ``artifacts/<cluster>/<timestamp>-<command>/`` with a redacted log."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from scaleout.redact import Redactor

LOG_NAME = "runner.log"
EVENTS_NAME = "events.jsonl"


def cluster_dir(root: Path, cluster: str) -> Path:
    """The per-cluster folder (it also holds the cluster's lock)."""
    return root / cluster


def new_run_dir(root: Path, cluster: str, command: str, now: float | None = None) -> Path:
    """Create and return a fresh run folder; ansible-runner's private_data_dir is ``<run>/runner``."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(now))
    slug = re.sub(r"[^a-z0-9]+", "-", command.lower()).strip("-") or "run"
    base = cluster_dir(root, cluster) / f"{stamp}-{slug}"
    path, suffix = base, 1
    while path.exists():
        suffix += 1
        path = base.with_name(f"{base.name}-{suffix}")
    path.mkdir(parents=True)
    return path


def private_data_dir(run_dir: Path) -> Path:
    """ansible-runner's private_data_dir (its own artifacts go to ``artifacts/`` under it)."""
    return run_dir / "runner"


class RunLog:
    """Appends redacted lines to ``runner.log`` and redacted events to ``events.jsonl``."""

    def __init__(self, run_dir: Path, redactor: Redactor) -> None:
        self.path = run_dir / LOG_NAME
        self.events_path = run_dir / EVENTS_NAME
        self.redactor = redactor

    def line(self, text: str) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(self.redactor.text(text) + "\n")

    def event(self, event: dict[str, Any]) -> None:
        with self.events_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(self.redactor.data(event), default=str) + "\n")


def redact_tree(folder: Path, redactor: Redactor) -> int:
    """Redact every text file under ``folder`` in place; returns how many files changed.

    ansible-runner writes the raw events, stdout and the command line into its
    artifacts; this makes sure no secret stays there after a run.
    """
    changed = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        clean = redactor.text(text)
        if clean != text:
            path.write_text(clean, encoding="utf-8")
            changed += 1
    return changed
