"""Helpers for the runner.py tests: the repo root on sys.path, a CLI runner, a sample cluster, a fake docker."""

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scaleout.model import Cluster, Node  # noqa: E402
from scaleout.providers.base import ProviderError  # noqa: E402
from scaleout.providers.lab_inventory import render_lab_inventory  # noqa: E402


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 30, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run `python runner.py ARGS` as an operator would, from another folder, with ``env`` added."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, str(REPO / "runner.py"), *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def container(cluster: str, name: str, groups: str, *, running: bool = True, port: int | None = None) -> dict:
    """The `docker inspect` document of one lab container."""
    labels = {"scaleout.cluster": cluster, "scaleout.groups": groups}
    if port is not None:
        labels["scaleout.port"] = str(port)
    return {
        "Id": f"id-{name}",
        "Name": f"/{name}",
        "State": {"Running": running},
        "Config": {"Labels": labels},
        "NetworkSettings": {"Networks": {f"scaleout-{cluster}": {"IPAddress": "10.9.0.2"}}},
    }


class FakeDocker:
    """The docker CLI as the lab provider calls it, on containers and networks held in memory.

    It records every call, removes what `rm` and `network rm` name, and starts nothing.
    """

    def __init__(self, containers: Iterable[dict] = (), networks: Iterable[str] = ()) -> None:
        self.containers = list(containers)
        self.networks = set(networks)
        self.calls: list[list[str]] = []

    def changes(self) -> list[list[str]]:
        """The calls that would have changed something."""
        return [
            call
            for call in self.calls
            if call[0] in ("run", "rm") or call[:2] in (["network", "create"], ["network", "rm"])
        ]

    def __call__(self, argv):
        argv = list(argv)
        self.calls.append(argv)
        out = ""
        if argv[0] == "ps":
            out = "\n".join(c["Id"] for c in self._matching(argv))
        elif argv[:2] == ["inspect", "--format"]:
            out = json.dumps(self._by_id(argv[3])["Config"]["Labels"])
        elif argv[0] == "inspect":
            out = json.dumps([self._by_id(i) for i in argv[1:]])
        elif argv[:2] == ["network", "ls"]:
            name = argv[-1].removeprefix("name=^").removesuffix("$")
            out = f"id-{name}" if name in self.networks else ""
        elif argv[:2] == ["network", "create"]:
            self.networks.add(argv[-1])
        elif argv[:2] == ["network", "rm"]:
            self.networks.discard(argv[2])
        elif argv[0] == "rm":
            gone = {a for a in argv[1:] if not a.startswith("-")}
            self.containers = [c for c in self.containers if c["Name"].lstrip("/") not in gone]
        elif argv[0] == "run":
            raise ProviderError("docker run failed: the fake docker starts no container")
        return subprocess.CompletedProcess(["docker", *argv], 0, out, "")

    def _by_id(self, ident: str) -> dict:
        return next(c for c in self.containers if c["Id"] == ident)

    def _matching(self, argv: list[str]) -> list[dict]:
        every = "-aq" in argv or "-a" in argv
        filters = [argv[i + 1].removeprefix("label=") for i, a in enumerate(argv) if a == "--filter"]
        found = [c for c in self.containers if every or c["State"]["Running"]]
        for label in filters:
            key, _, value = label.partition("=")
            found = [
                c for c in found if key in c["Config"]["Labels"] and (not value or c["Config"]["Labels"][key] == value)
            ]
        return found
