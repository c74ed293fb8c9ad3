"""Where the project's files are: the one definition of the checkout's root."""

from __future__ import annotations

from pathlib import Path

# The checkout runner.py runs from: playbooks/, roles/, inventory/, tests/.
REPO_ROOT = Path(__file__).resolve().parents[1]
