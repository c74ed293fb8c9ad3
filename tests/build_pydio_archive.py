#!/usr/bin/env python3
"""Build the stand-in for pydio-core-8.2.5.tar.gz: scaleout/providers/stand_in_archive.py, run as a script.

    python tests/build_pydio_archive.py OUTPUT_DIR

prints the archive's path and its sha256 checksum, tab-separated (the molecule scenarios' prepare.yml run it).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scaleout.providers.stand_in_archive import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
