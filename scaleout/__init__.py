"""Operator tooling for the scaleout.pydio collection: plan, run and report."""
