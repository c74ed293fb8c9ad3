#!/usr/bin/env python3
"""Operator entry point of scaleout.pydio; the logic lives in the scaleout package."""

import sys

from scaleout.cli import main

if __name__ == "__main__":
    sys.exit(main())
