#!/usr/bin/env python3
"""Lab benchmark: the idempotent re-run of site.yml, and scale --compute with and without a baked image, against up.

    .venv/bin/python benchmarks/lab.py [--cluster bench] [--keep] [--strategy mitogen|linear]

Runs, through runner.py and on one lab cluster, in one sitting:
  1. ``up --pydio-archive stand-in``: launch 4 containers, then site.yml (the first converge);
  2. ``deploy``: site.yml again, which must change nothing (the idempotent re-run);
  3. ``scale --compute``: launch 1 container, then scale_compute.yml limited to it and the lb;
  4. ``bake``: the image of the web nodes' packages (made, or found from an earlier bake of the
     same base image, which then is only recorded);
  5. ``scale --compute`` again: 1 more container, which starts from the baked image;
then ``down``. Each command's step timings come from the ``steps.json`` runner.py writes
in its run folder, the task counts and the per-task profile of the re-run from its
``events.jsonl``. Prints the figures and their ratios; the machine is shared and noisy,
so only ratios from one run are meaningful. ``--strategy`` picks Ansible's strategy
(scaleout/strategy.py): Mitogen's, the default, or linear.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RUN_FOLDER = re.compile(r"^run folder: (?P<path>.+)$", re.MULTILINE)
# A task's result on one host; items of a loop are not counted apart from their task.
HOST_RESULTS = {"runner_on_ok", "runner_on_skipped", "runner_on_failed", "runner_on_unreachable"}
# Events that end the task before them, for its wall time.
BOUNDARIES = {"playbook_on_task_start", "playbook_on_play_start", "playbook_on_stats"}


@dataclass
class Run:
    """One runner.py command: its wall time, its step timings, and what its events tell."""

    wall: float
    steps: list[dict[str, Any]] = field(default_factory=list)
    changed: dict[str, int] = field(default_factory=dict)
    tasks_per_host: Counter = field(default_factory=Counter)
    task_seconds: Counter = field(default_factory=Counter)


def read_events(run: Run, events: list[dict[str, Any]]) -> None:
    """Fill ``run`` from ansible-runner's events: changes and task results per host, wall time per task."""
    marks = [event for event in events if event.get("event") in BOUNDARIES]
    for start, end in itertools.pairwise(marks):
        if start["event"] == "playbook_on_task_start":
            data = start["event_data"]
            name = f"{data['role']} : {data['task']}" if data.get("role") else data["task"]
            seconds = datetime.fromisoformat(end["created"]).timestamp()
            run.task_seconds[name] += seconds - datetime.fromisoformat(start["created"]).timestamp()
    for event in events:
        if event.get("event") in HOST_RESULTS:
            run.tasks_per_host[event["event_data"]["host"]] += 1
        elif event.get("event") == "playbook_on_stats":
            for host, count in (event["event_data"].get("changed") or {}).items():
                run.changed[host] = run.changed.get(host, 0) + int(count)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def runner(cluster: str, port: int, artifacts: Path, *args: str, ok: tuple[int, ...] = (0,)) -> Run:
    """Run one runner.py command; return its wall time, step timings and events."""
    argv = [sys.executable, str(REPO / "runner.py"), "--cluster", cluster, "--lab-port", str(port)]
    argv += ["--artifacts-dir", str(artifacts), *args]
    print(f"$ runner.py {' '.join(args)}", flush=True)
    started = time.monotonic()
    result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
    run = Run(wall=time.monotonic() - started)
    if result.returncode not in ok:
        sys.exit(f"runner.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    match = RUN_FOLDER.search(result.stdout)
    if not match:
        return run
    folder = Path(match.group("path"))
    run.steps = json.loads((folder / "steps.json").read_text())
    events = folder / "events.jsonl"  # absent when no playbook ran (down)
    if events.exists():
        read_events(run, [json.loads(line) for line in events.read_text().splitlines()])
    return run


def playbook_seconds(steps: list[dict[str, Any]]) -> float:
    return sum(step["seconds"] for step in steps if step["kind"] == "playbook")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cluster", default="bench")
    parser.add_argument("--keep", action="store_true", help="leave the lab running afterwards")
    parser.add_argument("--strategy", choices=("mitogen", "linear"), default="mitogen")
    parser.add_argument("--artifacts-dir", type=Path, help="keep the run folders here (default: a temporary one)")
    parser.add_argument("--top", type=int, default=15, help="how many of the re-run's slowest tasks to list")
    options = parser.parse_args()
    os.environ["SCALEOUT_STRATEGY"] = options.strategy
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        artifacts = options.artifacts_dir or Path(tmp)
        # A lab left behind by an interrupted run; exit 2 when there is none.
        runner(options.cluster, port, artifacts, "down", ok=(0, 2))
        try:
            up = runner(options.cluster, port, artifacts, "up", "--pydio-archive", "stand-in")
            rerun = runner(options.cluster, port, artifacts, "deploy")
            scale = runner(options.cluster, port, artifacts, "scale", "--compute")
            bake = runner(options.cluster, port, artifacts, "bake")
            baked = runner(options.cluster, port, artifacts, "scale", "--compute")
        finally:
            if not options.keep:
                runner(options.cluster, port, artifacts, "down", ok=(0, 2))  # 2: up made nothing
    first = playbook_seconds(up.steps)
    again = playbook_seconds(rerun.steps)
    scale_playbook = playbook_seconds(scale.steps)
    baked_playbook = playbook_seconds(baked.steps)
    made = "made" if bake.steps and bake.tasks_per_host else "found and recorded"
    print()
    print(f"strategy: {options.strategy}")
    print(f"{'measure':<52} {'seconds':>8}")
    print(f"{'up: whole command (launch 4 nodes + site.yml)':<52} {up.wall:>8.1f}")
    print(f"{'  site.yml, first converge':<52} {first:>8.1f}")
    print(f"{'deploy: site.yml re-run (idempotent)':<52} {again:>8.1f}")
    print(f"{'scale --compute: whole command (launch 1 + playbook)':<52} {scale.wall:>8.1f}")
    print(f"{'  scale_compute.yml':<52} {scale_playbook:>8.1f}")
    print(f"{f'bake (image {made})':<52} {bake.wall:>8.1f}")
    print(f"{'scale --compute, baked: whole command':<52} {baked.wall:>8.1f}")
    print(f"{'  scale_compute.yml':<52} {baked_playbook:>8.1f}")
    print()
    print(f"re-run / first converge                      {again / first:5.2f}   (goal <= 0.20)")
    print(f"scale --compute / up (whole command)         {scale.wall / up.wall:5.2f}   (unbaked)")
    print(f"scale --compute / up (whole command), baked  {baked.wall / up.wall:5.2f}   (goal <= 0.35)")
    print(f"scale_compute.yml / first converge           {scale_playbook / first:5.2f}   (unbaked)")
    print(f"scale_compute.yml / first converge, baked    {baked_playbook / first:5.2f}")
    print(f"changed on the re-run: {sum(rerun.changed.values())} (must be 0)")
    for label, run in (("scale --compute", scale), ("scale --compute, baked", baked)):
        print(f"hosts changed by {label}: {', '.join(sorted(h for h, c in run.changed.items() if c))}")
    print()
    print("tasks per host on the re-run: " + ", ".join(f"{h} {n}" for h, n in sorted(rerun.tasks_per_host.items())))
    print(f"the re-run's {options.top} slowest tasks (wall seconds, all hosts together):")
    for name, seconds in rerun.task_seconds.most_common(options.top):
        print(f"  {seconds:6.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
