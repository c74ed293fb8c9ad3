"""Helpers for the mysql scenario's testinfra checks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCENARIO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def run_playbook():
    """Run a playbook of this scenario against molecule's inventory."""

    def _run(playbook: str, *extra: str, inventory: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        project = SCENARIO.parent.parent
        env["ANSIBLE_COLLECTIONS_PATH"] = str(project / ".collections")
        env.setdefault("ANSIBLE_FORCE_COLOR", "0")
        return subprocess.run(
            [
                "ansible-playbook",
                "-i",
                inventory or os.environ["MOLECULE_INVENTORY_FILE"],
                str(SCENARIO / playbook),
                *extra,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
            check=False,
        )

    return _run
