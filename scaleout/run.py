"""Run one playbook through ansible-runner, with progress and a redacted log."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ansible_runner

from scaleout.artifacts import RunLog, private_data_dir, redact_tree
from scaleout.paths import REPO_ROOT
from scaleout.progress import Failure, Progress
from scaleout.redact import Redactor
from scaleout.strategy import strategy_env


@dataclass
class RunResult:
    """What one playbook run gave back."""

    status: str
    rc: int
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    run_dir: Path | None = None
    # Data the playbook published with ansible.builtin.set_stats.
    custom_stats: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "successful" and self.rc == 0


def runner_envvars(strategy: str, repo_root: Path = REPO_ROOT) -> dict[str, str]:
    """Environment of ansible-playbook: the repo's ansible.cfg and collections, this Python's tools, the strategy."""
    tools = str(Path(sys.executable).parent)
    return {
        **strategy_env(strategy),
        "ANSIBLE_CONFIG": str(repo_root / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(repo_root / ".collections"),
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_NOCOLOR": "1",
        "PATH": tools + os.pathsep + os.environ.get("PATH", os.defpath),
    }


def run_playbook(
    playbook: Path,
    run_dir: Path,
    inventory: str | Path,
    *,
    limit: Iterable[str] = (),
    extravars: dict[str, Any] | None = None,
    secrets: Iterable[str] = (),
    write: Callable[[str], None] = print,
    verbosity: int = 0,
    repo_root: Path = REPO_ROOT,
    cmdline: str = "",
    strategy: str = "linear",
) -> RunResult:
    """Run ``playbook`` (absolute path) and return its status and per-host stats.

    Progress lines go through ``write``; the same lines and every event, with
    secrets removed, go to the run folder. Values of secret-named extravars and
    the given ``secrets`` are removed from everything kept in the run folder.
    ``verbosity``: N > 0 shows every host result and passes -v N times to
    ansible-playbook; -1 (quiet) writes only the failures, the run folder
    still gets every line. ``cmdline``: more ansible-playbook arguments (vault files and password file).
    """
    extravars = dict(extravars or {})
    redactor = Redactor(secrets)
    redactor.learn(extravars)
    log = RunLog(run_dir, redactor)

    quiet = verbosity < 0

    def emit(line: str, *, error: bool = False) -> None:
        """Log every line; with quiet, show the errors only."""
        if error or not quiet:
            write(redactor.text(line))
        log.line(line)

    progress = Progress(emit, verbose=verbosity > 0)
    custom_stats: dict[str, Any] = {}

    def on_event(event: dict[str, Any]) -> bool:
        log.event(event)
        progress.handle(event)
        if event.get("event") == "playbook_on_stats":
            custom_stats.update((event.get("event_data") or {}).get("artifact_data") or {})
        return True

    limit_text = ",".join(limit)
    emit(f"run {playbook.name}" + (f" limited to {limit_text}" if limit_text else ""))
    data_dir = private_data_dir(run_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        runner = ansible_runner.run(
            private_data_dir=str(data_dir),
            playbook=str(playbook.resolve()),
            inventory=str(inventory),
            limit=limit_text or None,
            extravars=extravars,
            envvars=runner_envvars(strategy, repo_root),
            event_handler=on_event,
            verbosity=max(verbosity, 0) or None,
            cmdline=cmdline or None,
            quiet=True,
        )
    finally:
        redact_tree(data_dir, redactor)
    status = str(runner.status)
    rc = int(runner.rc if runner.rc is not None else 1)
    if quiet:  # the recap's failure lines were logged, not shown
        for failure in progress.failures:
            write(redactor.text(f"FAILED: {failure}"))
    if status != "successful" and not progress.failures:
        emit(f"FAILED: ansible-playbook ended {status} with rc {rc}; see {data_dir / 'artifacts'}", error=True)
    return RunResult(status, rc, progress.stats, progress.failures, run_dir, custom_stats)
