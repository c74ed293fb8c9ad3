"""The small interface every provider implements, and what it hands back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from scaleout.model import Cluster, Node


class ProviderError(RuntimeError):
    """A provider could not do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class NodeInfo:
    """One running node as the provider sees it."""

    name: str
    groups: tuple[str, ...]
    private_ip: str
    # Where Ansible reaches the node (container name in the lab, an IP on AWS).
    address: str
    # Provider id: container id or EC2 instance id.
    node_id: str = ""
    # Extra host variables for the inventory (e.g. gluster_brick_device).
    hostvars: dict[str, Any] = field(default_factory=dict)
    # False for a node that exists but is stopped (listed only with include_stopped).
    running: bool = True


class Provider(Protocol):
    """Launch nodes with roles, list them, (de)register them at the LB, destroy them."""

    name: str

    def list_nodes(self, cluster: str, *, include_stopped: bool = False) -> list[NodeInfo]:
        """Every node of ``cluster`` that exists now, in launch order.

        A stopped node is an error (the message says how to start it), or listed with ``running`` False
        when ``include_stopped`` (``status`` and ``down`` do that)."""
        ...

    def launch(self, cluster: Cluster, nodes: Sequence[Node]) -> list[NodeInfo]:
        """Create ``nodes`` (names and groups from the plan); return them once reachable."""
        ...

    def inventory(self, cluster: str, *, include_stopped: bool = False) -> Path:
        """Write (or refresh) the inventory that Ansible uses for ``cluster``; return its path.

        With ``include_stopped``, stopped nodes are in it too (Ansible then finds them unreachable)."""
        ...

    def register(self, cluster: str, hosts: Sequence[str]) -> None:
        """Put ``hosts`` behind the load balancer."""
        ...

    def deregister(self, cluster: str, hosts: Sequence[str]) -> None:
        """Take ``hosts`` out of the load balancer, waiting until they are drained."""
        ...

    def destroy(self, cluster: str, hosts: Sequence[str]) -> None:
        """Remove ``hosts`` for good (after deregistration)."""
        ...
