# -*- coding: utf-8 -*-
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read state, plan and carry out the plan: the flow behind the modules.

The modules only turn their arguments into calls of :func:`converge_peers`,
:func:`converge_volume` and (read only) :func:`report_state`. Everything gluster is reached through a
:class:`~gluster_cli.GlusterCLI`; name resolution and the clock are passed in,
so the whole flow runs in unit tests against recorded glusterd XML.
"""

from __future__ import annotations

import socket
from typing import Any, Dict, FrozenSet, List, Optional, Sequence

from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_cli import (
    EG_NOVOL,
    Clock,
    GlusterCLI,
    GlusterCommandError,
    GlusterError,
    GlusterTimeout,
    command_line,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_parse import (
    HealBrick,
    Peer,
    TaskStatus,
    Volume,
    parse_heal_info,
    parse_peers,
    parse_task_status,
    parse_volume_get,
    parse_volume_info,
    parse_volume_status,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_plan import (
    Action,
    HostMatcher,
    IsLocal,
    PlanError,
    Resolve,
    VolumeFacts,
    VolumePlan,
    VolumeRequest,
    plan_peers,
    plan_volume,
    resolve_option_name,
    unknown_options_message,
    volume_summary,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_replace import (
    plan_replace,
    validate_replacements,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_summary import (
    heal_applies,
    missing_volumes_message,
    summarise_volume,
    unique_names,
)

PEER_POLL_SECONDS = 2.0
TASK_POLL_SECONDS = 5.0


# --- this host and name resolution ----------------------------------------------------


def resolve_addresses(name: str) -> FrozenSet[str]:
    """Every address ``name`` resolves to here (empty when it does not)."""
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return frozenset()
    return frozenset(str(info[4][0]).split("%", 1)[0] for info in infos)


def is_local_address(address: str) -> bool:
    """Whether ``address`` belongs to this host: only then can a socket bind to it."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.bind((address, 0))
    except OSError:
        return False
    return True


# --- reading state ------------------------------------------------------------------------


def read_pool(cli: GlusterCLI) -> List[Peer]:
    return parse_peers(cli.run("pool", "list"))


def read_volume(cli: GlusterCLI, name: str) -> Optional[Volume]:
    """``volume info NAME``; None when glusterd says the volume does not exist."""
    try:
        root = cli.run("volume", "info", name)
    except GlusterCommandError as exc:
        if exc.op_errno == EG_NOVOL or "does not exist" in exc.op_errstr:
            return None
        raise
    volumes = parse_volume_info(root)
    return volumes[0] if volumes else None


def read_heal(cli: GlusterCLI, name: str) -> List[HealBrick]:
    return parse_heal_info(cli.run("volume", "heal", name, "info"))


# --- waits --------------------------------------------------------------------------------


def wait_task(
    cli: GlusterCLI,
    status_args: Sequence[str],
    what: str,
    timeout: float,
    clock: Clock,
    interval: float = TASK_POLL_SECONDS,
) -> TaskStatus:
    """Poll a rebalance or remove-brick status until it is completed."""
    deadline = clock.monotonic() + timeout
    while True:
        status = parse_task_status(cli.run(*status_args))
        if status.completed:
            return status
        if status.failed:
            nodes = ", ".join(f"{n.node}: {n.status} ({n.failures} failures)" for n in status.nodes)
            raise GlusterError(f"{what} {status.status}: {nodes}; see `{command_line(status_args)}`")
        if clock.monotonic() >= deadline:
            raise GlusterTimeout(
                f"{what} is still {status.status or 'not reported'} after {timeout:g}s; it goes on in the "
                f"background: follow it with `{command_line(status_args)}`"
            )
        clock.sleep(interval)


def wait_peers(
    cli: GlusterCLI,
    nodes: Sequence[str],
    resolve: Resolve,
    is_local: IsLocal,
    timeout: float,
    clock: Clock,
    interval: float = PEER_POLL_SECONDS,
) -> List[Peer]:
    """Poll ``pool list`` until every node is 'Peer in Cluster' and connected."""
    deadline = clock.monotonic() + timeout
    while True:
        peers = read_pool(cli)
        matcher = HostMatcher(peers, resolve, is_local)
        pending = []
        for node in nodes:
            peer = matcher.find(node)
            if peer is None:
                pending.append(f"{node} (not in the pool)")
            elif not peer.ready:
                link = "connected" if peer.connected else "disconnected"
                pending.append(f"{node} ({peer.state_str or 'unknown state'}, {link})")
        if not pending:
            return peers
        if clock.monotonic() >= deadline:
            raise GlusterTimeout(
                f"peers not ready after {timeout:g}s: {', '.join(pending)}; "
                "check that glusterd runs there and that port 24007 is reachable"
            )
        clock.sleep(interval)


# --- carrying out a plan ----------------------------------------------------------------------


def _check_option_names(cli: GlusterCLI, volume: str, keys: Sequence[str]) -> None:
    known = parse_volume_get(cli.run("volume", "get", volume, "all"))
    unknown = [key for key in keys if resolve_option_name(key, known) is None]
    if unknown:
        raise PlanError(unknown_options_message(volume, unknown, known))
    seen: Dict[str, str] = {}
    for key in keys:
        full = resolve_option_name(key, known) or key
        if full in seen:
            raise PlanError(f"options {seen[full]!r} and {key!r} both name {full}")
        seen[full] = key


def execute(
    cli: GlusterCLI,
    actions: Sequence[Action],
    clock: Clock,
    timeout: float,
    rollback: Sequence[Action] = (),
) -> None:
    """Carry out actions in order; stop at the first failure.

    With ``rollback`` (a new volume), a failure before the volume is started
    deletes it again, so a refused option leaves nothing half made.
    """
    armed = False
    for action in actions:
        try:
            if action.kind == "run":
                cli.run(*action.args)
            elif action.kind == "check-options":
                _check_option_names(cli, action.args[0], action.args[1:])
            elif action.kind == "wait-rebalance":
                volume = action.args[0]
                wait_task(cli, ("volume", "rebalance", volume, "status"), f"rebalance of {volume}", timeout, clock)
            elif action.kind == "wait-remove-brick":
                volume, bricks = action.args[0], action.args[1:]
                wait_task(
                    cli,
                    ("volume", "remove-brick", volume, *bricks, "status"),
                    f"remove-brick of {', '.join(bricks)} from {volume} (not committed)",
                    timeout,
                    clock,
                )
            else:
                raise GlusterError(f"unknown action {action.kind}")
        except (GlusterError, PlanError) as exc:
            if armed:
                # Keep the exception (and glusterd's fields on it); extend its message.
                exc.args = (f"{exc}. {_roll_back(cli, rollback)}",)
            raise
        if rollback and action.kind == "run":
            armed = action.args[:2] != ("volume", "start")
    return None


def _roll_back(cli: GlusterCLI, rollback: Sequence[Action]) -> str:
    try:
        for action in rollback:
            cli.run(*action.args)
    except GlusterError as exc:
        return f"Undoing the new volume failed too: {exc}"
    return "The new volume was deleted again: " + "; ".join(a.describe() for a in rollback)


# --- peers -----------------------------------------------------------------------------------


def converge_peers(
    cli: GlusterCLI,
    nodes: Sequence[str],
    state: str,
    wait_timeout: float,
    check_mode: bool,
    resolve: Optional[Resolve] = None,
    is_local: Optional[IsLocal] = None,
    clock: Optional[Clock] = None,
) -> Dict[str, Any]:
    """Make ``nodes`` members (``present``) or not (``absent``) of the pool."""
    clock = clock or Clock()
    resolve = resolve or resolve_addresses
    is_local = is_local or is_local_address
    peers = read_pool(cli)
    matcher = HostMatcher(peers, resolve, is_local)
    plan = plan_peers(nodes, state, matcher)
    if plan.needs:
        plan = plan_peers(nodes, state, matcher, parse_volume_info(cli.run("volume", "info")))
    commands = [action.describe() for action in plan.actions if action.kind == "run"]
    result: Dict[str, Any] = {
        "changed": bool(commands),
        "commands": commands,
        "local": plan.local,
        "diff": {"before": {"peers": plan.before}, "after": {"peers": plan.after}},
    }
    if check_mode:
        result["peers"] = [peer.to_dict() for peer in peers]
        return result

    waiting = list(plan.wait_for)
    issued = []
    fresh = False
    for action in plan.actions:
        if action.kind == "wait-peers":
            if waiting and wait_timeout > 0:
                peers = wait_peers(cli, waiting, resolve, is_local, wait_timeout, clock)
                fresh = True
            continue
        root = cli.run(*action.args)
        output = (root.findtext("output") or "").strip()
        if action.args[:2] == ("peer", "probe") and "localhost not needed" in output:
            # glusterd knows better that this name is the local node.
            waiting.remove(action.args[2])
            result["local"].append(action.args[2])
        elif not (action.args[:2] == ("peer", "probe") and "already in peer list" in output):
            issued.append(action.describe())
    result["changed"] = bool(issued)
    result["commands"] = issued
    if issued and not fresh:
        peers = read_pool(cli)
    if not issued:
        result["diff"]["after"] = result["diff"]["before"]
    result["peers"] = [peer.to_dict() for peer in peers]
    return result


# --- volumes ---------------------------------------------------------------------------------


def gather_and_plan(
    cli: GlusterCLI,
    req: VolumeRequest,
    current: Optional[Volume],
    resolve: Resolve,
    is_local: IsLocal,
) -> VolumePlan:
    """Plan, reading the extra facts a plan asks for (each at most once)."""
    facts = VolumeFacts()
    name = req.name
    replacements = validate_replacements(req.replace_bricks) if req.replace_bricks is not None else None
    for _attempt in range(4):
        if replacements is not None:
            plan = plan_replace(name, replacements, current, facts)
        else:
            plan = plan_volume(req, current, facts)
        if not plan.needs:
            return plan
        if "pool" in plan.needs and facts.matcher is None:
            facts.matcher = HostMatcher(read_pool(cli), resolve, is_local)
        if "heal" in plan.needs and facts.heal is None:
            facts.heal = read_heal(cli, name)
        if "options" in plan.needs and facts.known_options is None:
            facts.known_options = parse_volume_get(cli.run("volume", "get", name, "all"))
        if plan.needs & {"clients", "status"} and facts.status is None:
            words = ("clients",) if "clients" in plan.needs else ()
            statuses = parse_volume_status(cli.run("volume", "status", name, *words))
            facts.status = statuses[0] if statuses else None
    raise GlusterError(f"planning volume {name} needed facts it could not get: {sorted(plan.needs)}")


def converge_volume(
    cli: GlusterCLI,
    req: VolumeRequest,
    check_mode: bool,
    rebalance_timeout: float,
    resolve: Optional[Resolve] = None,
    is_local: Optional[IsLocal] = None,
    clock: Optional[Clock] = None,
) -> Dict[str, Any]:
    """Bring volume ``req.name`` to the requested state."""
    clock = clock or Clock()
    resolve = resolve or resolve_addresses
    is_local = is_local or is_local_address
    current = read_volume(cli, req.name)
    plan = gather_and_plan(cli, req, current, resolve, is_local)
    after = plan.after if plan.actions else volume_summary(current)
    result: Dict[str, Any] = {
        "changed": bool(plan.actions),
        "commands": plan.commands,
        "warnings": plan.warnings,
        "diff": {"before": plan.before, "after": after},
        "volume": current.to_dict() if current else None,
    }
    if check_mode or not plan.actions:
        return result
    execute(cli, plan.actions, clock, rebalance_timeout, plan.rollback)
    if req.state != "absent":
        final = read_volume(cli, req.name)
        result["volume"] = final.to_dict() if final else None
        result["diff"]["after"] = volume_summary(final)
    else:
        result["volume"] = None
    return result


# --- reporting (read only) ---------------------------------------------------------------------


class MissingVolumes(GlusterError):
    """Volumes asked for by name that glusterd does not know."""

    def __init__(self, missing: Sequence[str], present: Optional[Sequence[str]]) -> None:
        self.missing = list(missing)
        self.present = None if present is None else list(present)
        super().__init__(missing_volumes_message(self.missing, self.present))


def read_volumes(cli: GlusterCLI, names: Optional[Sequence[str]]) -> List[Volume]:
    """Every volume (no names), or the named ones in the order asked.

    Named volumes are read one by one with ``volume info NAME``. When some do
    not exist, nothing more is read about them: the error names them and the
    volumes the pool has.
    """
    wanted = unique_names(names)
    if not wanted:
        return parse_volume_info(cli.run("volume", "info"))
    volumes, missing = [], []
    for name in wanted:
        volume = read_volume(cli, name)
        if volume is None:
            missing.append(name)
        else:
            volumes.append(volume)
    if missing:
        try:
            present: Optional[List[str]] = [v.name for v in parse_volume_info(cli.run("volume", "info"))]
        except GlusterError:
            present = None
        raise MissingVolumes(missing, present)
    return volumes


def report_state(
    cli: GlusterCLI,
    names: Optional[Sequence[str]] = None,
    heal: bool = True,
    status: bool = True,
) -> Dict[str, Any]:
    """The pool and its volumes, read with ``pool list``, ``volume info`` and,
    per started volume, ``volume status VOL`` and ``volume heal VOL info``.

    Nothing is changed. ``volume status`` is asked only of started volumes and
    ``volume heal`` only of started replicated ones: glusterd refuses both
    otherwise.
    """
    peers = read_pool(cli)
    summaries = []
    for volume in read_volumes(cli, names):
        brick_status = None
        if status and volume.started:
            statuses = parse_volume_status(cli.run("volume", "status", volume.name))
            brick_status = statuses[0] if statuses else None
        heal_bricks = read_heal(cli, volume.name) if heal and heal_applies(volume) else None
        summaries.append(summarise_volume(volume, brick_status, heal_bricks, with_status=status, with_heal=heal))
    return {
        "changed": False,
        "peers": [peer.to_dict() for peer in peers],
        "volumes": summaries,
    }
