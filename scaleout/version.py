"""The version of scaleout.pydio. Its one source is galaxy.yml, the collection's own metadata."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "scaleout-pydio"
# galaxy.yml beside the package: present in a checkout (runner.py, an editable install, a build).
GALAXY_YML = Path(__file__).resolve().parents[1] / "galaxy.yml"


def galaxy_version(text: str) -> str:
    """The top-level ``version:`` of a galaxy.yml (no YAML parser: setuptools reads it while building)."""
    found = re.search(r"^version:\s*['\"]?([0-9][^\s'\"#]*)", text, re.MULTILINE)
    if not found:
        raise ValueError("galaxy.yml has no top-level version")
    return found.group(1)


def read_version() -> str:
    """The checkout's galaxy.yml version, else that of the installed distribution (built from it)."""
    try:
        return galaxy_version(GALAXY_YML.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return metadata.version(DISTRIBUTION)


__version__ = read_version()
