"""Defaults of the command line. This module imports nothing, so that --help and --version need no dependency."""

PROVIDERS = ("lab", "aws")
DEFAULT_CLUSTER = "pydio"
# The loopback port on which the lab publishes a new cluster's load balancer.
DEFAULT_LAB_PORT = 8080
