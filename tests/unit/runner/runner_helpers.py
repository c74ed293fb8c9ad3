"""Helpers for the runner.py tests: the repo root on sys.path, a CLI runner, a sample cluster."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scaleout.lab_inventory import render_lab_inventory  # noqa: E402
from scaleout.plan import Cluster, Node  # noqa: E402


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run `python runner.py ARGS` as an operator would, from another folder."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, str(REPO / "runner.py"), *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def write_inventory(path: Path, cluster: Cluster) -> Path:
    ips = {node.name: f"172.30.0.{index}" for index, node in enumerate(cluster.nodes, start=10)}
    path.write_text(render_lab_inventory(cluster, ips), encoding="utf-8")
    return path


LAB = Cluster(
    "lab",
    (
        Node("lab-node1", ("storage", "compute")),
        Node("lab-node2", ("storage", "compute")),
        Node("lab-node3", ("db",)),
        Node("lab-node4", ("lb",)),
        Node("lab-node5", ("compute",)),
    ),
)
