"""The cluster as runner.py models it: nodes, their groups, the replica count, and the planning error."""

from __future__ import annotations

from dataclasses import dataclass

GROUPS = ("storage", "compute", "db", "lb", "session_store")
DEFAULT_REPLICA = 2


class PlanError(ValueError):
    """The request cannot be planned; nothing was changed."""


@dataclass(frozen=True)
class Node:
    """One machine of the cluster and the inventory groups it belongs to."""

    name: str
    groups: tuple[str, ...]

    def __post_init__(self) -> None:
        unknown = sorted(set(self.groups) - set(GROUPS))
        if unknown:
            raise PlanError(
                f"node {self.name!r}: unknown group(s) {', '.join(unknown)}; groups are {', '.join(GROUPS)}"
            )


@dataclass(frozen=True)
class Cluster:
    """A cluster as the planner sees it: its name, its nodes and its replica count."""

    name: str
    nodes: tuple[Node, ...] = ()
    replica: int = DEFAULT_REPLICA

    def in_group(self, group: str) -> list[Node]:
        return [node for node in self.nodes if group in node.groups]

    def node(self, name: str) -> Node | None:
        return next((node for node in self.nodes if node.name == name), None)
