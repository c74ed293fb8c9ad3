"""Providers: where the nodes of a cluster run (local Docker lab, or AWS EC2)."""
