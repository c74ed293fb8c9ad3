"""Carry out a plan: provider actions and playbook runs, in order, stopping at the first failure."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from scaleout.artifacts import new_run_dir
from scaleout.extra_vars import ExtraVars
from scaleout.model import Cluster
from scaleout.paths import REPO_ROOT
from scaleout.plan import Plan
from scaleout.providers.base import Provider, ProviderError
from scaleout.run import run_playbook
from scaleout.status import render_status, status_document

# Each step's wall time, for benchmarks/lab.py.
TIMINGS_NAME = "steps.json"


class NotAvailableError(RuntimeError):
    """Something the command needs is missing; nothing was changed."""


class Execution:
    """Runs the steps of one plan against one provider, with a run folder for its artifacts."""

    def __init__(
        self,
        plan: Plan,
        provider: Provider,
        artifacts_dir: Path,
        *,
        inventory: Path | None = None,
        verbosity: int = 0,
        as_json: bool = False,
        extra: ExtraVars | None = None,
    ) -> None:
        self.plan = plan
        self.provider = provider
        self.artifacts_dir = artifacts_dir
        self.fixed_inventory = inventory
        # -1 with -q (errors and the final result only), 0 by default, N with N times -v.
        self.verbosity = verbosity
        self.as_json = as_json
        # The operator's -e variables and vault password file, for every playbook.
        self.extra = extra or ExtraVars()
        # With --json, progress goes to stderr so that stdout holds the document only.
        self.out = sys.stderr if as_json else sys.stdout
        self.custom_stats: dict[str, Any] = {}
        # Set by a status run: whether the report found the cluster healthy, and the report itself.
        self.healthy = True
        self.report: dict[str, Any] | None = None
        # Set by run() and _finish(), for the --json result.
        self.run_dir: Path | None = None
        self.url = ""

    def say(self, text: str) -> None:
        """A progress line: not shown with -q."""
        if self.verbosity >= 0:
            self.show(text)

    def show(self, text: str) -> None:
        """A line shown even with -q: the final result, and the lines run_playbook lets through (failures)."""
        print(text, file=self.out, flush=True)

    def run(self) -> bool:
        missing = [s.playbook for s in self.plan.steps if s.playbook and not (REPO_ROOT / s.playbook).is_file()]
        if missing:
            print(f"error: {', '.join(missing)} not found; nothing was changed", file=sys.stderr)
            return False
        run_dir = self.run_dir = new_run_dir(self.artifacts_dir, self.plan.cluster, self.plan.command)
        self.say(f"run folder: {run_dir}")
        started = time.monotonic()
        timings: list[dict[str, Any]] = []
        try:
            if self.plan.command == "up" or self.plan.launch:
                self.provider.prepare(self.plan.cluster)
            for number, step in enumerate(self.plan.steps, start=1):
                self.say(f"[{number}/{len(self.plan.steps)}] {step.description}")
                step_started = time.monotonic()
                error = ""
                try:
                    ok = self._step(step, run_dir)
                except ProviderError as exc:
                    ok, error = False, str(exc)
                seconds = round(time.monotonic() - step_started, 1)
                entry: dict[str, Any] = {"step": step.description, "kind": step.kind, "seconds": seconds, "ok": ok}
                if error:
                    entry["error"] = error
                timings.append(entry)
                if not ok:
                    print(f"error: {self._failure(step.description, error, timings[:-1], run_dir)}", file=sys.stderr)
                    return False
        except ProviderError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return False
        finally:
            (run_dir / TIMINGS_NAME).write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")
        self._finish(time.monotonic() - started)
        return True

    def _failure(self, step: str, error: str, done: list[dict[str, Any]], run_dir: Path) -> str:
        """What failed, and, after steps that finished, that the run did change something before it."""
        message = f"{step} failed: {error}" if error else f"{step} failed; see {run_dir}"
        if done and not self.plan.read_only:
            # A provider's "nothing was changed" speaks of its own step only.
            message = message.replace("nothing was changed", "this step changed nothing")
            finished = "; ".join(entry["step"] for entry in done)
            message += f". Finished before it: {finished}. Run the command again to finish"
        return message

    def _inventory(self) -> Path:
        # status reports stopped nodes, scale-in takes one out; the others refuse them.
        return self.fixed_inventory or self.provider.inventory(self.plan.cluster, include_stopped=self.plan.stopped_ok)

    def _step(self, step: Any, run_dir: Path) -> bool:
        cluster = self.plan.cluster
        if step.kind == "launch":
            nodes = self.provider.launch(Cluster(cluster), self.plan.launch)
            for node in nodes:
                self.say(f"    launched {node.name:<20} {','.join(node.groups):<16} {node.private_ip}")
            return True
        if step.kind == "register":
            self.provider.register(cluster, step.hosts)
            return True
        if step.kind == "deregister":
            self.provider.deregister(cluster, step.hosts)
            return True
        if step.kind == "teardown":
            for line in self.provider.teardown(cluster):
                self.say(f"    removed {line}")
            return True
        if step.kind == "destroy":
            self.provider.destroy(cluster, step.hosts)
            self.say(f"    removed {', '.join(step.hosts) or 'nothing'}")
            return True
        if step.kind == "bake":
            image = self.provider.bake(
                cluster, lambda inventory: self._playbook(step, run_dir, inventory), rebuild=step.rebuild
            )
            self.say(f"    compute nodes of cluster {cluster} now launch from {image}")
            return True
        return self._playbook(step, run_dir, self._inventory())

    def _playbook(self, step: Any, run_dir: Path, inventory: Path) -> bool:
        """Run the step's playbook on ``inventory``; whether it succeeded."""
        cluster = self.plan.cluster
        assert step.playbook is not None
        result = run_playbook(
            REPO_ROOT / step.playbook,
            run_dir,
            inventory,
            limit=step.limit,
            # The provider's variables and the step's own win over the operator's -e.
            extravars={**self.extra.variables, **self.provider.playbook_vars(cluster), **step.extravars},
            cmdline=self.extra.cmdline(),
            secrets=self.provider.secrets(cluster),
            write=self.show,
            verbosity=self.verbosity,
            strategy=self.provider.strategy,
        )
        self.custom_stats.update(result.custom_stats)
        return result.ok

    def _finish(self, seconds: float) -> None:
        self.show(f"{self.plan.command} on cluster {self.plan.cluster} done in {seconds:.0f}s")
        url = self.url = self.provider.public_url(self.plan.cluster)
        if self.plan.command == "status":
            self.report = status_document(self.plan.cluster, self.provider, self.custom_stats, url)
            self.healthy = bool(self.report["healthy"])
            if not self.as_json:  # with --json, the command line prints it in its result
                print(render_status(self.report))
        elif url and self.plan.command != "down":
            self.show(f"Pydio is served at {url}")
