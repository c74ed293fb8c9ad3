"""Operator tooling for the scaleout.pydio collection: plan, run and report."""

from scaleout.version import __version__

__all__ = ["__version__"]
