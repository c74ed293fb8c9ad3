"""Pure planning: what each command would launch, run and remove.

Nothing here touches a machine. Every refusal is a PlanError raised before any
change, with a message that says what is wrong and what to do instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scaleout.model import Cluster, Node, PlanError

PLAYBOOKS = {
    "site": "playbooks/site.yml",
    "scale_compute": "playbooks/scale_compute.yml",
    "scale_storage": "playbooks/scale_storage.yml",
    "scale_in": "playbooks/scale_in.yml",
    "status": "playbooks/status.yml",
    "backup": "playbooks/backup.yml",
    "restore": "playbooks/restore.yml",
    "bake": "playbooks/bake.yml",
}
# New compute nodes are configured this many at a time, so that a failing batch
# stops the operation before the next one starts.
COMPUTE_BATCH_SIZE = 5


@dataclass(frozen=True)
class Step:
    """One thing to do: a provider action or a playbook run."""

    kind: str  # "launch", "playbook", "register", "deregister", "destroy", "teardown", "bake"
    description: str
    playbook: str | None = None
    limit: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    extravars: dict[str, Any] = field(default_factory=dict)
    # bake: make the image again although one of the same base exists (bake --rebuild).
    rebuild: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "description": self.description,
            "playbook": self.playbook,
            "limit": list(self.limit),
            "hosts": list(self.hosts),
            "extravars": dict(self.extravars),
            "rebuild": self.rebuild,
        }


@dataclass(frozen=True)
class Plan:
    """The whole plan of one command."""

    command: str
    cluster: str
    launch: tuple[Node, ...] = ()
    steps: tuple[Step, ...] = ()
    read_only: bool = False
    # The inventory may hold stopped nodes: status reports them, scale-in takes one out.
    stopped_ok: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "cluster": self.cluster,
            "launch": [{"name": node.name, "groups": list(node.groups)} for node in self.launch],
            "steps": [step.as_dict() for step in self.steps],
            "read_only": self.read_only,
        }


def check_cluster_name(name: str) -> str:
    """Cluster names become host names and tags: lower-case letters, digits and dashes."""
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,30}", name):
        raise PlanError(
            f"invalid cluster name {name!r}: use 1 to 31 lower-case letters, digits or dashes, starting with a letter"
        )
    return name


def default_lab_nodes(cluster: str, *, lb_node: bool = True) -> tuple[Node, ...]:
    """The default layout: 2 storage+compute nodes, 1 db and, unless ``lb_node`` is false, 1 HAProxy lb.

    A provider whose load balancer is a service (AWS: an ALB) launches no lb node.
    """
    nodes = (
        Node(f"{cluster}-node1", ("storage", "compute")),
        Node(f"{cluster}-node2", ("storage", "compute")),
        Node(f"{cluster}-node3", ("db",)),
    )
    return (*nodes, Node(f"{cluster}-node4", ("lb",))) if lb_node else nodes


def new_node_names(cluster: Cluster, count: int) -> list[str]:
    """The next free ``<cluster>-nodeN`` names."""
    pattern = re.compile(rf"^{re.escape(cluster.name)}-node(\d+)$")
    used = [int(m.group(1)) for node in cluster.nodes if (m := pattern.match(node.name))]
    start = max(used, default=0) + 1
    return [f"{cluster.name}-node{index}" for index in range(start, start + count)]


def _site_step(description: str) -> Step:
    return Step("playbook", description, playbook=PLAYBOOKS["site"])


def plan_up(cluster: Cluster, *, lb_node: bool = True) -> Plan:
    """Provision the default layout (if the cluster has no node yet), then deploy.

    ``lb_node``: whether the provider's layout has an HAProxy node (see default_lab_nodes).
    """
    launch = () if cluster.nodes else default_lab_nodes(cluster.name, lb_node=lb_node)
    nodes = cluster.nodes or launch
    steps: list[Step] = []
    if launch:
        steps.append(Step("launch", "launch the nodes", hosts=tuple(node.name for node in launch)))
    steps.append(_site_step("deploy the whole cluster (site.yml)"))
    _require_layout(Cluster(cluster.name, nodes, cluster.replica))
    return Plan("up", cluster.name, launch=launch, steps=tuple(steps))


def plan_deploy(cluster: Cluster) -> Plan:
    """Converge every node with site.yml."""
    _require_layout(cluster)
    return Plan("deploy", cluster.name, steps=(_site_step("converge the whole cluster (site.yml)"),))


def plan_status(cluster: Cluster) -> Plan:
    """Read-only report of the cluster's state."""
    _require_layout(cluster)
    return Plan(
        "status",
        cluster.name,
        steps=(Step("playbook", "report status", playbook=PLAYBOOKS["status"]),),
        read_only=True,
        stopped_ok=True,
    )


def plan_scale_compute(cluster: Cluster, count: int = 1, unjoined: Sequence[str] = ()) -> Plan:
    """Add ``count`` compute nodes, configured in batches, then registered with the LB.

    ``unjoined``: compute nodes that an earlier run launched but never registered with the LB (it failed
    half-way); they are configured and registered first.
    """
    if count < 1:
        raise PlanError(f"scale --compute needs a count of at least 1, not {count}")
    _require_layout(cluster)
    names = new_node_names(cluster, count)
    launch = tuple(Node(name, ("compute",)) for name in names)
    lb_hosts = tuple(node.name for node in cluster.in_group("lb"))
    steps: list[Step] = []
    if unjoined:
        left = tuple(unjoined)
        listed = ", ".join(left)
        steps += _configure_compute(
            left, lb_hosts, f"finish the compute node(s) launched but never registered: {listed}", listed
        )
    steps.append(Step("launch", f"launch {count} compute node(s)", hosts=tuple(names)))
    for index in range(0, len(names), COMPUTE_BATCH_SIZE):
        number = index // COMPUTE_BATCH_SIZE + 1
        batch = tuple(names[index : index + COMPUTE_BATCH_SIZE])
        steps += _configure_compute(batch, lb_hosts, f"configure compute batch {number}", f"compute batch {number}")
    return Plan("scale --compute", cluster.name, launch=launch, steps=tuple(steps))


def _configure_compute(hosts: tuple[str, ...], lb_hosts: tuple[str, ...], description: str, label: str) -> list[Step]:
    """scale_compute.yml on ``hosts`` (and the lb hosts), then their registration with the LB."""
    return [
        Step("playbook", description, playbook=PLAYBOOKS["scale_compute"], limit=hosts + lb_hosts, hosts=hosts),
        Step("register", f"register {label} with the LB", hosts=hosts),
    ]


def plan_scale_storage(cluster: Cluster, count: int | None = None) -> Plan:
    """Add whole replica sets of storage nodes (``count`` defaults to one replica set)."""
    replica = cluster.replica
    count = replica if count is None else count
    if count < 1 or count % replica:
        raise PlanError(
            f"scale --storage {count} would not fill a replica set: the volumes are replica {replica}, "
            f"so add storage nodes in multiples of {replica}"
        )
    _require_layout(cluster)
    anchor = cluster.in_group("storage")[0].name
    names = new_node_names(cluster, count)
    launch = tuple(Node(name, ("storage",)) for name in names)
    steps: list[Step] = [Step("launch", f"launch {count} storage node(s)", hosts=tuple(names))]
    for index in range(0, count, replica):
        batch = tuple(names[index : index + replica])
        steps.append(
            Step(
                "playbook",
                f"replica set {index // replica + 1}: prepare bricks, probe peers and add bricks from {anchor}",
                playbook=PLAYBOOKS["scale_storage"],
                limit=(*batch, anchor),
                hosts=batch,
            )
        )
    return Plan("scale --storage", cluster.name, launch=launch, steps=tuple(steps))


def plan_scale_in_compute(cluster: Cluster, host: str) -> Plan:
    """Drain one compute node from the LB, stop it, then remove it."""
    _require_layout(cluster)
    node = cluster.node(host)
    if node is None:
        known = ", ".join(n.name for n in cluster.in_group("compute")) or "none"
        raise PlanError(f"scale-in: {host!r} is not a node of cluster {cluster.name!r} (compute nodes: {known})")
    if "compute" not in node.groups:
        raise PlanError(f"scale-in --compute: {host!r} is not a compute node (groups: {', '.join(node.groups)})")
    if "storage" in node.groups:
        raise PlanError(
            f"scale-in --compute: {host!r} is also a storage node that holds bricks; removing it would take "
            "bricks out of the volumes. Only compute-only nodes can be removed."
        )
    if node.groups != ("compute",):
        others = ", ".join(group for group in node.groups if group != "compute")
        raise PlanError(f"scale-in --compute: {host!r} also serves {others}; only compute-only nodes can be removed")
    if len(cluster.in_group("compute")) <= 1:
        raise PlanError(f"scale-in --compute: {host!r} is the last compute node; the service would have no web node")
    lb_hosts = tuple(n.name for n in cluster.in_group("lb"))
    steps = (
        Step("deregister", f"drain {host} from the LB", hosts=(host,)),
        Step(
            "playbook",
            f"stop the web service on {host} and unmount its volumes",
            playbook=PLAYBOOKS["scale_in"],
            limit=(host, *lb_hosts),
            hosts=(host,),
            extravars={"scaleout_leaving_hosts": [host]},
        ),
        Step("destroy", f"remove {host}", hosts=(host,)),
    )
    return Plan("scale-in --compute", cluster.name, steps=steps, stopped_ok=True)


def plan_backup(cluster: Cluster, folder: str) -> Plan:
    """Dump the database now on its primary and copy the dumps to ``folder`` (absolute) on this machine."""
    _require_layout(cluster)
    step = Step(
        "playbook",
        f"back up the database and copy the dumps to {folder}",
        playbook=PLAYBOOKS["backup"],
        extravars={"scaleout_backup_dir": folder},
    )
    return Plan("backup", cluster.name, steps=(step,))


def plan_restore(cluster: Cluster, source: str, database: str | None, overwrite: bool) -> Plan:
    """Load the dump ``source`` (absolute, on this machine) into ``database`` on the primary.

    Without ``database`` the target is the live database, which needs ``overwrite``."""
    _require_layout(cluster)
    if database is None and not overwrite:
        raise PlanError(
            "restore without --database would overwrite the live database; give --database NAME to restore into "
            "a scratch database, or --overwrite to replace the live one"
        )
    if database is not None and not re.fullmatch(r"[A-Za-z0-9_]{1,64}", database):
        raise PlanError(f"restore --database {database!r}: a database name has 1 to 64 letters, digits and _")
    extravars: dict[str, Any] = {"mysql_restore_src": source, "mysql_restore_overwrite": overwrite}
    target = "the live database" if database is None else f"database {database}"
    if database is not None:
        extravars["mysql_restore_database"] = database
    step = Step("playbook", f"restore {source} into {target}", playbook=PLAYBOOKS["restore"], extravars=extravars)
    return Plan("restore", cluster.name, steps=(step,))


def plan_bake(cluster: Cluster, *, provider: str, supported: bool, rebuild: bool = False) -> Plan:
    """Bake the web nodes' packages into an image, and record it for the cluster's new compute nodes.

    ``supported``: whether the provider can bake (the lab and AWS can). The cluster need not exist:
    a bake before ``up`` serves ``up``'s compute nodes too.
    """
    if not supported:
        raise PlanError(
            f"bake is not available on the {provider} provider: new web nodes there install their packages as "
            "they are configured"
        )
    description = (
        "bake the web nodes' packages into an image from a builder outside the cluster (bake.yml), "
        f"{'again' if rebuild else 'unless one of the same base image exists'}, and record it for the cluster"
    )
    step = Step("bake", description, playbook=PLAYBOOKS["bake"], rebuild=rebuild)
    return Plan("bake", cluster.name, steps=(step,))


def plan_down(cluster: Cluster, provider: str, yes: bool = False) -> Plan:
    """Destroy every node: always allowed in the lab, on AWS only with --yes.

    On AWS the cluster's own load balancer, target group, listeners and security groups go too, once
    its nodes are gone.
    """
    if provider != "lab" and not yes:
        raise PlanError(
            f"down on {provider} destroys every node of cluster {cluster.name!r} and the load balancer, target "
            "group, listeners and security groups tagged with its name; add --yes to confirm "
            "(--dry-run lists the nodes)"
        )
    hosts = tuple(node.name for node in cluster.nodes)
    steps = [Step("destroy", "destroy every node", hosts=hosts)]
    if provider != "lab":
        steps.append(
            Step(
                "teardown",
                f"remove the load balancer, target group, listeners and security groups tagged "
                f"pydio:cluster={cluster.name}, and the inventory file",
            )
        )
    return Plan("down", cluster.name, steps=tuple(steps))


def _require_nodes(cluster: Cluster) -> None:
    if not cluster.nodes:
        raise PlanError(f"cluster {cluster.name!r} has no node; run `up` first")


def _require_layout(cluster: Cluster) -> None:
    """A deployable cluster has storage (at least one replica set), compute and db nodes.

    Every command that runs a playbook asks for it.
    """
    _require_nodes(cluster)
    for group in ("storage", "compute", "db"):
        if not cluster.in_group(group):
            raise PlanError(
                f"cluster {cluster.name!r} has no {group} node (its {group} group is empty or missing); "
                "a cluster needs storage, compute and db nodes"
            )
    storage = len(cluster.in_group("storage"))
    if cluster.replica < 1:
        raise PlanError(f"cluster {cluster.name!r}: replica count must be at least 1, not {cluster.replica}")
    if storage % cluster.replica:
        raise PlanError(
            f"cluster {cluster.name!r} has {storage} storage node(s), "
            f"not a multiple of its replica count {cluster.replica}"
        )


def render_plan(plan: Plan) -> str:
    """Human-readable plan, as --dry-run prints it."""
    lines = [f"Plan for {plan.command} on cluster {plan.cluster} (dry run: nothing will be changed)"]
    if plan.launch:
        lines.append("Nodes to launch:")
        lines.extend(f"  {node.name:<24} {','.join(node.groups)}" for node in plan.launch)
    else:
        lines.append("Nodes to launch: none")
    lines.append("Steps:")
    for number, step in enumerate(plan.steps, start=1):
        lines.append(f"  {number}. [{step.kind}] {step.description}")
        if step.playbook:
            lines.append(f"       playbook: {step.playbook}")
            hosts = "a builder node outside the cluster" if step.kind == "bake" else "all hosts"
            lines.append(f"       limit:    {','.join(step.limit) if step.limit else hosts}")
        elif step.hosts:
            lines.append(f"       hosts:    {','.join(step.hosts)}")
    return "\n".join(lines)
