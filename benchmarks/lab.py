#!/usr/bin/env python3
"""Lab benchmark: the idempotent re-run of site.yml, and scale --compute, against the first deploy.

    .venv/bin/python benchmarks/lab.py [--cluster bench] [--keep]

Runs, through runner.py and on one lab cluster, in one sitting:
  1. ``up --pydio-archive stand-in``: launch 4 containers, then site.yml (the first converge);
  2. ``deploy``: site.yml again, which must change nothing (the idempotent re-run);
  3. ``scale --compute``: launch 1 container, then scale_compute.yml limited to it and the lb;
then ``down``. Each command's step timings come from the ``steps.json`` runner.py writes
in its run folder. Prints the figures and their ratios; the machine is shared and noisy,
so only ratios from one run are meaningful.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RUN_FOLDER = re.compile(r"^run folder: (?P<path>.+)$", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def runner(
    cluster: str, port: int, artifacts: Path, *args: str, ok: tuple[int, ...] = (0,)
) -> tuple[float, list[dict[str, Any]], dict]:
    """Run one runner.py command; return its wall time, its step timings and its summed recap."""
    argv = [sys.executable, str(REPO / "runner.py"), "--cluster", cluster, "--lab-port", str(port)]
    argv += ["--artifacts-dir", str(artifacts), *args]
    print(f"$ runner.py {' '.join(args)}", flush=True)
    started = time.monotonic()
    result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if result.returncode not in ok:
        sys.exit(f"runner.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    match = RUN_FOLDER.search(result.stdout)
    if not match:
        return wall, [], {}
    folder = Path(match.group("path"))
    steps = json.loads((folder / "steps.json").read_text())
    changed: dict[str, int] = {}
    events = folder / "events.jsonl"  # absent when no playbook ran (down)
    for line in events.read_text().splitlines() if events.exists() else []:
        event = json.loads(line)
        if event.get("event") == "playbook_on_stats":
            for host, count in (event["event_data"].get("changed") or {}).items():
                changed[host] = changed.get(host, 0) + int(count)
    return wall, steps, changed


def playbook_seconds(steps: list[dict[str, Any]]) -> float:
    return sum(step["seconds"] for step in steps if step["kind"] == "playbook")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cluster", default="bench")
    parser.add_argument("--keep", action="store_true", help="leave the lab running afterwards")
    options = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        artifacts = Path(tmp)
        # A lab left behind by an interrupted run; exit 2 when there is none.
        runner(options.cluster, port, artifacts, "down", ok=(0, 2))
        try:
            up_wall, up_steps, _ = runner(options.cluster, port, artifacts, "up", "--pydio-archive", "stand-in")
            _, re_steps, re_changed = runner(options.cluster, port, artifacts, "deploy")
            sc_wall, sc_steps, sc_changed = runner(options.cluster, port, artifacts, "scale", "--compute")
        finally:
            if not options.keep:
                runner(options.cluster, port, artifacts, "down", ok=(0, 2))  # 2: up made nothing
    first = playbook_seconds(up_steps)
    rerun = playbook_seconds(re_steps)
    scale_playbook = playbook_seconds(sc_steps)
    print()
    print(f"{'measure':<52} {'seconds':>8}")
    print(f"{'up: whole command (launch 4 nodes + site.yml)':<52} {up_wall:>8.1f}")
    print(f"{'  site.yml, first converge':<52} {first:>8.1f}")
    print(f"{'deploy: site.yml re-run (idempotent)':<52} {rerun:>8.1f}")
    print(f"{'scale --compute: whole command (launch 1 + playbook)':<52} {sc_wall:>8.1f}")
    print(f"{'  scale_compute.yml':<52} {scale_playbook:>8.1f}")
    print()
    print(f"re-run / first converge              {rerun / first:5.2f}   (goal <= 0.20)")
    print(f"scale --compute / up (whole command) {sc_wall / up_wall:5.2f}   (goal <= 0.35)")
    print(f"scale_compute.yml / first converge   {scale_playbook / first:5.2f}")
    print(f"changed on the re-run: {sum(re_changed.values())} (must be 0)")
    print(f"hosts changed by scale --compute: {', '.join(sorted(h for h, c in sc_changed.items() if c))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
