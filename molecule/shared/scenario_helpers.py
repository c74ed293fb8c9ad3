"""What the scenarios' testinfra checks share: playbooks of this checkout and the lab's nodes.

Every scenario's tests/conftest.py imports from here; pyproject.toml puts
this folder on pytest's path (``pythonpath``), which molecule's verifier
picks up as it runs pytest below the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import testinfra

PROJECT = Path(__file__).resolve().parents[2]

PlaybookRunner = Callable[..., subprocess.CompletedProcess[str]]


def run_playbook(
    *args: str,
    inventory: str | None = None,
    env: dict[str, str] | None = None,
    merge: bool = True,
    timeout: int = 1800,
) -> subprocess.CompletedProcess[str]:
    """ansible-playbook ARGS with this checkout's collection, against molecule's inventory (or ``inventory``).

    Output is plain text (no colour); stderr is merged into stdout unless ``merge`` is false.
    """
    environ = dict(os.environ)
    environ["ANSIBLE_COLLECTIONS_PATH"] = str(PROJECT / ".collections")
    environ["ANSIBLE_FORCE_COLOR"] = "0"
    environ.update(env or {})
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            inventory or os.environ["MOLECULE_INVENTORY_FILE"],
            *args,
        ],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge else subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
    )


def scenario_playbooks(scenario: Path, timeout: int = 600) -> PlaybookRunner:
    """run_playbook for the playbooks of one scenario: ``run(name, *extra, inventory=None)``."""

    def _run(playbook: str, *extra: str, inventory: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_playbook(str(scenario / playbook), *extra, inventory=inventory, timeout=timeout)

    return _run


def node(name: str) -> testinfra.host.Host:
    """A testinfra host of molecule's inventory."""
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={os.environ['MOLECULE_INVENTORY_FILE']}")
