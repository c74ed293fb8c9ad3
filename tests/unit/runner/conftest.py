"""Fixtures for the runner.py tests."""

from pathlib import Path

import pytest
from runner_helpers import LAB, write_inventory

from scaleout.cli import ENVIRONMENT


@pytest.fixture(autouse=True)
def no_option_variables(monkeypatch):
    """The operator's SCALEOUT_CLUSTER and the like do not reach the tests, unless a test sets them."""
    for name in ENVIRONMENT.values():
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def lab_inventory(tmp_path: Path) -> Path:
    """A lab inventory with two storage+compute nodes, a db, an lb and one compute-only node."""
    return write_inventory(tmp_path / "hosts.yml", LAB)
