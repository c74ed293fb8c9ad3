"""Fixtures for the runner.py tests."""

from pathlib import Path

import pytest
from runner_helpers import LAB, write_inventory


@pytest.fixture
def lab_inventory(tmp_path: Path) -> Path:
    """A lab inventory with two storage+compute nodes, a db, an lb and one compute-only node."""
    return write_inventory(tmp_path / "hosts.yml", LAB)
