"""The small interface every provider implements, and what it hands back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaleout.model import Cluster, Node
from scaleout.plan import Plan


def builder_name(cluster: str) -> str:
    """The machine that ``bake`` installs on for ``cluster``: a container in the lab, an instance on AWS."""
    return f"scaleout-bake-{cluster}"


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


class Provider(ABC):
    """Launch nodes with roles, list them, (de)register them at the LB, destroy them.

    The executor and the command line know a provider only through this class. The abstract methods
    are what every provider does; the others have defaults for a provider that checks nothing
    before a change and keeps nothing beside its inventory (the aws provider takes them all).
    """

    name: str
    # Ansible's strategy for this provider's playbooks when SCALEOUT_STRATEGY is not set
    # (scaleout/strategy.py): "linear" until the suite has run Mitogen over the provider's connection.
    strategy: str = "linear"

    @abstractmethod
    def list_nodes(self, cluster: str, *, include_stopped: bool = False) -> list[NodeInfo]:
        """Every node of ``cluster`` that exists now, in launch order.

        A stopped node is an error (the message says how to start it), or listed with ``running`` False
        when ``include_stopped`` (``status`` and ``down`` do that)."""

    @abstractmethod
    def launch(self, cluster: Cluster, nodes: Sequence[Node]) -> list[NodeInfo]:
        """Create ``nodes`` (names and groups from the plan); return them once reachable."""

    @abstractmethod
    def inventory(self, cluster: str, *, include_stopped: bool = False) -> Path:
        """Write (or refresh) the inventory that Ansible uses for ``cluster``; return its path.

        With ``include_stopped``, stopped nodes are in it too (Ansible then finds them unreachable)."""

    @abstractmethod
    def register(self, cluster: str, hosts: Sequence[str]) -> None:
        """Put ``hosts`` behind the load balancer (the ``register`` step, after they are configured)."""

    @abstractmethod
    def deregister(self, cluster: str, hosts: Sequence[str]) -> None:
        """Take ``hosts`` out of the load balancer, waiting until they are drained."""

    @abstractmethod
    def destroy(self, cluster: str, hosts: Sequence[str]) -> None:
        """Remove ``hosts`` for good (after deregistration)."""

    def unjoined(self, cluster: str) -> list[str]:
        """Compute nodes that run but are not registered with the load balancer: an earlier ``scale --compute``
        failed between launching and registering them (default: none known)."""
        return []

    def teardown(self, cluster: str) -> list[str]:
        """After ``down`` destroyed every node: remove what the cluster owns beside its nodes.

        Returns what was removed, one line each (default: nothing to remove)."""
        return []

    # --- before a change -----------------------------------------------------
    def check_plan(self, plan: Plan) -> None:
        """Refuse, with a PlanError, a plan that the provider's present state makes wrong (dry runs too)."""
        return

    def check_launch(self, nodes: Sequence[Node]) -> None:
        """Refuse, with a ProviderError, a launch of ``nodes`` that this machine could not finish (not in dry runs)."""
        return

    def check_pydio_source(self, cluster: str, archive: str | None, php_check: bool) -> None:
        """Before ``up`` changes anything: check, and record, where the nodes install Pydio from.

        ``archive`` and ``php_check`` are ``up --pydio-archive`` and the opposite of ``--no-php-check``.
        By default they do not apply: the pydio role downloads Pydio from its own source.
        """
        return

    def prepare(self, cluster: str) -> None:
        """Before ``up`` or a launch: make what the provider keeps beside the inventory (default: nothing)."""
        return

    # --- baking ----------------------------------------------------------------
    # Whether ``bake`` is available (runner.py bake refuses before any change when it is not).
    bakes = False

    def bake(self, cluster: str, install: Callable[[Path], bool], *, rebuild: bool = False) -> str:
        """Make (or find) an image of the base with the web nodes' packages installed, and record it so that the
        cluster's compute nodes launch from it; return the image.

        ``install`` runs playbooks/bake.yml on the inventory it is given and says whether it succeeded.
        """
        raise ProviderError(f"the {self.name} provider cannot bake an image; nothing was changed")

    # --- what a run needs to know ------------------------------------------------
    # Whether the default layout has an HAProxy lb node; False when the provider's load balancer is a service.
    lb_node = True

    def secrets(self, cluster: str) -> list[str]:
        """Values that must not appear in any run output (default: none)."""
        return []

    def playbook_vars(self, cluster: str) -> dict[str, Any]:
        """Variables every playbook of ``cluster`` gets from the provider's settings, so that the settings are
        said once (default: none). They are extra variables: they win over the inventory's."""
        return {}

    def public_url(self, cluster: str) -> str:
        """Where users reach Pydio, printed at the end of a run; "" when the provider does not know it."""
        return ""
