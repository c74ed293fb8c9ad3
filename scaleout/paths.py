"""Where the project's files are: the one definition of the checkout's root."""

from __future__ import annotations

from pathlib import Path

# The checkout runner.py runs from: playbooks/, roles/, inventory/, tests/.
REPO_ROOT = Path(__file__).resolve().parents[1]
# The sources of the stand-in Pydio archive. The lab builds it at run time (`up --pydio-archive stand-in`),
# so it ships with the package; the molecule scenarios and the unit tests build it from here too.
STAND_IN_PYDIO = REPO_ROOT / "scaleout" / "providers" / "stand_in_pydio"
