"""Helpers for the gluster_brick scenario's testinfra checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_helpers import scenario_playbooks

SCENARIO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def run_playbook():
    """Run a playbook of this scenario against molecule's inventory."""
    return scenario_playbooks(SCENARIO)
