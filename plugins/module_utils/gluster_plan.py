# -*- coding: utf-8 -*-
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn (current state, requested state) into an ordered list of gluster actions.

Everything here is pure: the state comes in as parsed XML
(:mod:`gluster_parse`), name resolution comes in as two callables, and the
answer is a plan or a :class:`PlanError` raised before any action runs.

A plan may ask for more facts first (``plan.needs``): the caller reads them
(``pool list``, ``volume heal VOL info``, ``volume get VOL all``, ``volume
status VOL clients``) and plans again. A run that changes nothing needs only
``volume info VOL`` and, when a brick is not spelled as glusterd stores it,
``pool list``.
"""

from __future__ import annotations

import difflib
import ipaddress
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_cli import command_line
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_parse import (
    HealBrick,
    OptionValue,
    Peer,
    Volume,
    VolumeStatus,
    split_brick,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_values import option_text, values_equal

Resolve = Callable[[str], FrozenSet[str]]
IsLocal = Callable[[str], bool]

# Options glusterd 10 writes itself when it creates a volume. ``reset_options``
# leaves them alone unless they are requested: resetting them would make the
# run after a create report a change, and they are not the user's settings.
GLUSTERD_CREATE_DEFAULTS = frozenset(
    (
        "cluster.granular-entry-heal",
        "storage.fips-mode-rchecksum",
        "transport.address-family",
        "nfs.disable",
        "performance.client-io-threads",
    )
)

LOCAL_NAMES = frozenset(("localhost", "localhost.localdomain", "127.0.0.1", "::1"))


class PlanError(Exception):
    """The request cannot be carried out; nothing has been changed."""


@dataclass(frozen=True)
class Action:
    """One step of a plan.

    ``run`` steps are gluster CLI arguments; the other kinds are waits and
    checks that the executor carries out with read-only CLI calls.
    """

    kind: str
    args: Tuple[str, ...]

    def describe(self) -> str:
        if self.kind == "run":
            return command_line(self.args)
        if self.kind == "wait-rebalance":
            return f"wait until `gluster volume rebalance {self.args[0]} status` is completed"
        if self.kind == "wait-remove-brick":
            return f"wait until `gluster volume remove-brick {' '.join(self.args)} status` is completed"
        if self.kind == "check-options":
            return f"check option names against `gluster volume get {self.args[0]} all`"
        if self.kind == "wait-peers":
            return f"wait until {', '.join(self.args)} are 'Peer in Cluster' and connected"
        return f"{self.kind} {' '.join(self.args)}"


def run(*args: str) -> Action:
    return Action("run", tuple(args))


# --- host identity ---------------------------------------------------------------


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class HostMatcher:
    """Find the pool member a name or address stands for.

    A peer is known by every name in its ``hostnames`` (glusterd adds one per
    name it was probed by) and by every address these names resolve to. The
    local node is ``localhost`` in ``pool list``; a name is local when it is
    ``localhost`` or resolves to an address of this host.
    """

    def __init__(self, peers: Sequence[Peer], resolve: Resolve, is_local: IsLocal) -> None:
        self.peers = list(peers)
        self._resolve = resolve
        self._is_local = is_local
        self._cache: Dict[str, FrozenSet[str]] = {}

    @property
    def local(self) -> Optional[Peer]:
        for peer in self.peers:
            if peer.is_local:
                return peer
        return None

    def addresses(self, name: str) -> FrozenSet[str]:
        key = name.lower()
        if key not in self._cache:
            if _is_ip(name):
                self._cache[key] = frozenset((str(ipaddress.ip_address(name)),))
            else:
                self._cache[key] = frozenset(self._resolve(name))
        return self._cache[key]

    def is_self(self, name: str) -> bool:
        if name.lower() in LOCAL_NAMES:
            return True
        return any(self._is_local(address) for address in self.addresses(name))

    def find(self, name: str) -> Optional[Peer]:
        """The peer ``name`` stands for (the local one included), or None."""
        lowered = name.lower()
        remote = [peer for peer in self.peers if not peer.is_local]
        for peer in remote:
            if lowered in (hostname.lower() for hostname in peer.hostnames):
                return peer
        if self.is_self(name):
            return self.local or Peer("", "localhost", [], True, None, "Peer in Cluster", True)
        wanted = self.addresses(name)
        if not wanted:
            return None
        for peer in remote:
            for hostname in peer.hostnames:
                if wanted & self.addresses(hostname):
                    return peer
        return None


# --- peers ------------------------------------------------------------------------


@dataclass
class PeerPlan:
    actions: List[Action] = field(default_factory=list)
    wait_for: List[str] = field(default_factory=list)
    local: List[str] = field(default_factory=list)
    needs: Set[str] = field(default_factory=set)
    before: List[str] = field(default_factory=list)
    after: List[str] = field(default_factory=list)

    @property
    def commands(self) -> List[str]:
        return [action.describe() for action in self.actions]


def _peer_names(peers: Iterable[Peer]) -> List[str]:
    return sorted(peer.hostname for peer in peers if not peer.is_local)


def plan_peers(
    nodes: Sequence[str],
    state: str,
    matcher: HostMatcher,
    volumes: Optional[Sequence[Volume]] = None,
) -> PeerPlan:
    """Probe the nodes that are not members yet, or detach the members listed."""
    plan = PeerPlan(before=_peer_names(matcher.peers))
    after = list(plan.before)
    cleaned = [node.strip() for node in nodes if node and node.strip()]
    if not cleaned:
        raise PlanError("nodes must name at least one host")
    if state == "present":
        probed: List[FrozenSet[str]] = []
        for node in cleaned:
            peer = matcher.find(node)
            if peer is not None and peer.is_local:
                plan.local.append(node)
            elif peer is not None:
                if not peer.ready:
                    plan.wait_for.append(node)
            else:
                addresses = matcher.addresses(node)
                if not (addresses and any(addresses & seen for seen in probed)):
                    probed.append(addresses)
                    plan.actions.append(run("peer", "probe", node))
                    after.append(node)
                plan.wait_for.append(node)
        if plan.wait_for:
            plan.actions.append(Action("wait-peers", tuple(plan.wait_for)))
        plan.after = sorted(after)
        return plan

    to_detach: List[Tuple[str, Peer]] = []
    for node in cleaned:
        peer = matcher.find(node)
        if peer is not None and peer.is_local:
            raise PlanError(
                f"{node} is the host this task runs on: a node cannot detach itself; "
                "run the task on another member of the pool"
            )
        if peer is not None and all(peer.uuid != seen.uuid for _node, seen in to_detach):
            to_detach.append((node, peer))
    if to_detach and volumes is None:
        plan.needs.add("volumes")
        return plan
    holding = []
    for node, peer in to_detach:
        names = sorted({vol.name for vol in volumes or [] for brick in vol.bricks if brick.host_uuid == peer.uuid})
        if names:
            holding.append(f"{node} holds bricks of {', '.join(names)}")
    if holding:
        raise PlanError(
            "refusing to detach peers that still hold bricks: "
            + "; ".join(holding)
            + ". Remove or replace those bricks first (scaleout.pydio.gluster_volume)."
        )
    for _node, peer in to_detach:
        plan.actions.append(run("peer", "detach", peer.hostname))
        after.remove(peer.hostname)
    plan.after = sorted(after)
    return plan


# --- volumes: the request ---------------------------------------------------------


@dataclass
class VolumeRequest:
    name: str
    state: str = "present"
    bricks: Optional[List[str]] = None
    replica: Optional[int] = None
    arbiter: Optional[int] = None
    disperse: Optional[int] = None
    redundancy: Optional[int] = None
    transport: str = "tcp"
    options: Dict[str, Any] = field(default_factory=dict)
    reset_options: bool = False
    rebalance: bool = False
    force: bool = False
    # (old, new) bricks for ``replace-brick``; planned by :mod:`gluster_replace`.
    replace_bricks: Optional[List[Tuple[str, str]]] = None

    @property
    def replicated(self) -> bool:
        return self.replica is not None and self.replica >= 2

    @property
    def set_size(self) -> Optional[int]:
        """Bricks per set as requested; None when the request does not say."""
        if self.disperse:
            return self.disperse
        if self.replica is None:
            return None
        if self.replica <= 1:
            return 1
        return self.replica + (1 if self.arbiter else 0)

    @property
    def data_replica(self) -> Optional[int]:
        """Data copies per set, as :attr:`Volume.data_replica` counts them."""
        if self.disperse or not self.replicated:
            return None
        return self.replica

    def layout_words(self) -> List[str]:
        """The layout part of ``volume create``: ``replica 3 arbiter 1`` etc."""
        if self.disperse:
            words = ["disperse", str(self.disperse)]
            if self.redundancy:
                words += ["redundancy", str(self.redundancy)]
            return words
        if self.replica is not None and self.replica >= 2:
            if self.arbiter:
                return ["replica", str(self.replica + 1), "arbiter", "1"]
            return ["replica", str(self.replica)]
        return []

    def describe_set(self) -> str:
        if self.disperse:
            return f"disperse {self.disperse}"
        if self.replicated and self.arbiter:
            return f"replica {self.replica} + arbiter 1 = {self.set_size} bricks"
        if self.replicated:
            return f"replica {self.replica}"
        return "distribute (1 brick per set)"


def normalise_brick(brick: str) -> str:
    host, path = split_brick(brick.strip())
    path = path.rstrip("/") or "/"
    return f"{host}:{path}"


# What a replace_bricks task does not also do.
_REPLACE_ALONE: Dict[str, Callable[[VolumeRequest], bool]] = {
    "bricks": lambda req: req.bricks is not None,
    "options": lambda req: bool(req.options),
    "reset_options": lambda req: req.reset_options,
    "rebalance": lambda req: req.rebalance,
}


def validate_request(req: VolumeRequest) -> VolumeRequest:
    """Static checks of a request; return it with bricks normalised."""
    if not req.name or any(ch.isspace() for ch in req.name) or "/" in req.name:
        raise PlanError(f"volume name {req.name!r} is not valid")
    if req.state == "absent":
        if req.replace_bricks is not None:
            raise PlanError("replace_bricks needs state present or started, not absent")
        return req
    if req.replace_bricks is not None:
        other = [name for name, given in _REPLACE_ALONE.items() if given(req)]
        if req.state == "stopped":
            other.insert(0, "state: stopped")
        if other:
            raise PlanError(
                f"replace_bricks is carried out on its own; drop {', '.join(other)} from this task "
                "and give them in a task of their own"
            )
    if req.replica is not None and req.replica < 1:
        raise PlanError(f"replica must be 1 or more, got {req.replica}")
    if req.arbiter not in (None, 0, 1):
        raise PlanError(f"arbiter must be 1 (one arbiter brick per replica set), got {req.arbiter}")
    if req.arbiter and req.replica != 2:
        raise PlanError(
            "arbiter: 1 needs replica: 2. This module counts data copies: replica: 2 with "
            "arbiter: 1 is two data bricks and one arbiter brick per set, which glusterd "
            f"spells `replica 3 arbiter 1`; got replica: {req.replica}"
        )
    if req.disperse is not None:
        if req.replica is not None or req.arbiter:
            raise PlanError("disperse cannot be combined with replica or arbiter")
        if req.disperse < 3:
            raise PlanError(f"disperse must be 3 or more bricks per set, got {req.disperse}")
        if req.redundancy is not None and not 1 <= req.redundancy < req.disperse / 2:
            raise PlanError(
                f"redundancy must be at least 1 and less than half of disperse {req.disperse}, got {req.redundancy}"
            )
    elif req.redundancy is not None:
        raise PlanError("redundancy needs disperse")
    if req.bricks is not None:
        if not req.bricks:
            raise PlanError("bricks must list at least one host:/path")
        try:
            bricks = [normalise_brick(brick) for brick in req.bricks]
        except ValueError as exc:
            raise PlanError(str(exc)) from exc
        duplicates = sorted({brick for brick in bricks if bricks.count(brick) > 1})
        if duplicates:
            raise PlanError(f"bricks are listed twice: {', '.join(duplicates)}")
        req.bricks = bricks
        size = req.set_size
        if size and len(bricks) % size:
            raise PlanError(
                f"{len(bricks)} bricks are not a multiple of the set size {size} ({req.describe_set()}): "
                "give whole replica sets, in order, each set's bricks next to each other"
            )
    return req


# --- volumes: options ---------------------------------------------------------------


def _suffix_matches(key: str, names: Iterable[str]) -> List[str]:
    return [name for name in names if name.endswith("." + key)]


def resolve_option_name(key: str, names: Iterable[str]) -> Optional[str]:
    """Full option name for ``key`` (``write-behind`` -> ``performance.write-behind``)."""
    names = list(names)
    if key in names:
        return key
    matches = _suffix_matches(key, names)
    if len(matches) == 1:
        return matches[0]
    return None


def unknown_options_message(volume: str, unknown: Sequence[str], known: Iterable[str]) -> str:
    known = list(known)
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(key, known, n=3) or _suffix_matches(key, known)[:3]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        parts.append(f"{key}{hint}")
    return (
        f"glusterd does not know the option(s) {'; '.join(parts)} (checked against `gluster volume get {volume} all`)"
    )


@dataclass
class OptionPlan:
    sets: List[Tuple[str, str]] = field(default_factory=list)
    resets: List[str] = field(default_factory=list)
    unresolved: List[str] = field(default_factory=list)
    after: Dict[str, str] = field(default_factory=dict)


def plan_options(
    volume: str,
    current: Dict[str, str],
    requested: Dict[str, Any],
    reset: bool,
    known: Optional[Dict[str, OptionValue]] = None,
) -> OptionPlan:
    """Which options to set and reset.

    ``current`` is what ``volume info`` lists (options set on the volume).
    An option not listed there is set, even if its default already has the
    value: it is pinned once and the next run sees it. Names not listed are
    looked up in ``known`` (``volume get VOL all``) when given; without it
    they are returned as ``unresolved`` so the caller can fetch it.
    """
    plan = OptionPlan(after=dict(current))
    resolved: Dict[str, str] = {}
    unknown = []
    for key, value in requested.items():
        full = resolve_option_name(key, current)
        if full is None and known is not None:
            full = resolve_option_name(key, known)
            if full is None:
                unknown.append(key)
                continue
        if full is None:
            plan.unresolved.append(key)
            full = key
        if full in resolved:
            raise PlanError(f"options {resolved[full]!r} and {key!r} both name {full}")
        resolved[full] = key
        if full in current and values_equal(current[full], value):
            continue
        text = option_text(value)
        plan.sets.append((full, text))
        plan.after[full] = text
    if unknown:
        raise PlanError(unknown_options_message(volume, unknown, known or {}) + "; nothing was changed")
    if reset:
        for name in current:
            if name not in resolved and name not in GLUSTERD_CREATE_DEFAULTS:
                plan.resets.append(name)
                plan.after.pop(name, None)
    return plan


# --- volumes: bricks ------------------------------------------------------------------


@dataclass
class BrickPlan:
    add: List[str] = field(default_factory=list)
    remove: List[str] = field(default_factory=list)


def _chunks(items: Sequence[Any], size: int) -> List[List[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _brick_key(brick: str, current: Volume, matcher: Optional[HostMatcher]) -> Optional[Tuple[str, str]]:
    """(host uuid, path) of a requested brick; None when the pool is needed."""
    host, path = split_brick(brick)
    for existing in current.bricks:
        if existing.name == brick:
            return (existing.host_uuid, existing.path)
    if matcher is None:
        return None
    peer = matcher.find(host)
    if peer is None:
        return ("?" + host.lower(), path)
    return (peer.uuid, path)


def plan_bricks(req: VolumeRequest, current: Volume, matcher: Optional[HostMatcher]) -> Optional[BrickPlan]:
    """Whole replica sets to add and remove; None when the pool list is needed."""
    if req.bricks is None:
        raise PlanError("plan_bricks needs the requested bricks")
    size = current.set_size
    if len(req.bricks) % size:
        raise PlanError(
            f"{len(req.bricks)} bricks are not a multiple of the set size {size} of volume "
            f"{current.name} ({current.layout}): give whole sets"
        )
    keys = [_brick_key(brick, current, matcher) for brick in req.bricks]
    if any(key is None for key in keys):
        return None
    current_keys = [(brick.host_uuid, brick.path) for brick in current.bricks]
    current_sets = _chunks(current_keys, size)
    current_names = {(b.host_uuid, b.path): b.name for b in current.bricks}
    plan = BrickPlan()
    matched_sets = []
    for number, start in enumerate(range(0, len(keys), size), start=1):
        group, names = keys[start : start + size], req.bricks[start : start + size]
        existing = [key in current_names for key in group]
        if all(existing):
            match = [index for index, cur in enumerate(current_sets) if set(cur) == set(group)]
            if not match:
                raise PlanError(
                    f"set {number} of bricks ({', '.join(names)}) puts existing bricks of {current.name} "
                    "into a different replica set; glusterd cannot regroup bricks"
                )
            matched_sets.append(match[0])
        elif any(existing):
            old = [names[index] for index, known in enumerate(existing) if known]
            raise PlanError(
                f"set {number} of bricks ({', '.join(names)}) mixes existing bricks ({', '.join(old)}) "
                "with new ones: add and remove bricks as whole sets; changing the replica count "
                "is not supported by this module"
            )
        else:
            plan.add.extend(names)
    for index, group in enumerate(current_sets):
        if index not in matched_sets:
            plan.remove.extend(current_names[key] for key in group)
    return plan


# --- volumes: the plan ------------------------------------------------------------------


@dataclass
class VolumeFacts:
    """What the planner knows beyond ``volume info``; None means not read."""

    matcher: Optional[HostMatcher] = None
    heal: Optional[List[HealBrick]] = None
    known_options: Optional[Dict[str, OptionValue]] = None
    status: Optional[VolumeStatus] = None


@dataclass
class VolumePlan:
    actions: List[Action] = field(default_factory=list)
    needs: Set[str] = field(default_factory=set)
    warnings: List[str] = field(default_factory=list)
    # A new volume is deleted again if a step fails before it is started.
    rollback: List[Action] = field(default_factory=list)
    before: Dict[str, Any] = field(default_factory=dict)
    after: Dict[str, Any] = field(default_factory=dict)

    @property
    def commands(self) -> List[str]:
        return [action.describe() for action in self.actions]


def volume_summary(volume: Optional[Volume]) -> Dict[str, Any]:
    """The part of a volume shown in ``--diff``."""
    if volume is None:
        return {"state": "absent"}
    return {
        "state": "started" if volume.started else "stopped",
        "layout": volume.layout,
        "bricks": [brick.name for brick in volume.bricks],
        "options": dict(volume.options),
    }


def count_mounts(status: VolumeStatus, matcher: HostMatcher, replicated: bool) -> Dict[str, int]:
    """Client connections per address that are not glusterd's own daemons.

    ``volume status VOL clients`` lists every connection to a brick. On a
    replicated or dispersed volume each pool member's self-heal daemon holds
    one per brick; one connection per pool member address is therefore not
    counted. What is left are mounts (FUSE, gfapi).
    """
    pool_addresses: Set[str] = set()
    for peer in matcher.peers:
        for hostname in peer.hostnames:
            pool_addresses |= matcher.addresses(hostname)
    mounts: Dict[str, int] = {}
    for brick in status.bricks:
        discounted: Set[str] = set()
        per_brick: Dict[str, int] = {}
        for client in brick.clients:
            address = client.rsplit(":", 1)[0].strip("[]")
            is_member = address in pool_addresses or matcher.is_self(address)
            if replicated and is_member and address not in discounted:
                discounted.add(address)
                continue
            per_brick[address] = per_brick.get(address, 0) + 1
        for address, count in per_brick.items():
            mounts[address] = max(mounts.get(address, 0), count)
    return mounts


def check_brick_hosts(bricks: Sequence[str], matcher: HostMatcher) -> None:
    missing, down = [], []
    for brick in bricks:
        host, _path = split_brick(brick)
        peer = matcher.find(host)
        if peer is None:
            missing.append(host)
        elif not peer.ready:
            down.append(
                f"{host} ({peer.state_str or 'unknown state'}, {'connected' if peer.connected else 'disconnected'})"
            )
    if missing:
        raise PlanError(
            f"brick host(s) {', '.join(sorted(set(missing)))} are not peers of this trusted pool; "
            "add them with scaleout.pydio.gluster_peer first"
        )
    if down:
        raise PlanError(f"brick host(s) {', '.join(sorted(set(down)))} are not connected members of the pool")


def _check_layout(req: VolumeRequest, current: Volume) -> None:
    if req.transport and req.transport != current.transport:
        raise PlanError(
            f"volume {current.name} uses transport {current.transport}; changing it to {req.transport} "
            "is not supported by this module"
        )
    wanted = req.set_size
    if wanted is None:
        return
    same = (
        (req.disperse or 0) == current.disperse_count
        and (req.redundancy is None or req.redundancy == current.redundancy_count)
        and req.data_replica == current.data_replica
        and (1 if req.arbiter else 0) == current.arbiter_count
    )
    if not same:
        raise PlanError(
            f"volume {current.name} is {current.type} {current.layout}; the request asks for "
            f"{req.describe_set()}. Changing the layout (replica, arbiter or disperse count) of an "
            "existing volume is not supported by this module"
        )


def _heal_refusal(volume: str, heal: Sequence[HealBrick]) -> Optional[str]:
    pending = []
    for brick in heal:
        if brick.entries is None:
            pending.append(f"{brick.name}: {brick.status or 'unknown'}")
        elif brick.entries > 0:
            pending.append(f"{brick.name}: {brick.entries} entries")
    if not pending:
        return None
    return (
        f"refusing to remove bricks from {volume} while self-heal is pending or unknown "
        f"({'; '.join(pending)}); wait until `gluster volume heal {volume} info` shows 0 entries on every brick"
    )


def plan_volume(req: VolumeRequest, current: Optional[Volume], facts: Optional[VolumeFacts] = None) -> VolumePlan:
    """Plan the actions that take ``current`` to what ``req`` asks for."""
    facts = facts or VolumeFacts()
    plan = VolumePlan(before=volume_summary(current))
    name = req.name

    if req.state == "absent":
        plan.after = {"state": "absent"}
        if current is None:
            return plan
        if current.started:
            if facts.status is None or facts.matcher is None:
                plan.needs |= {"clients", "pool"}
                return plan
            mounts = count_mounts(facts.status, facts.matcher, current.set_size > 1)
            if mounts:
                listing = ", ".join(f"{addr} ({count})" for addr, count in sorted(mounts.items()))
                plan.warnings.append(
                    f"volume {name} is still mounted by clients ({listing}); "
                    "they lose it when it is stopped and deleted"
                )
            plan.actions.append(run("volume", "stop", name))
        plan.actions.append(run("volume", "delete", name))
        return plan

    if current is None:
        return _plan_create(req, facts, plan)
    return _plan_update(req, current, facts, plan)


def _plan_create(req: VolumeRequest, facts: VolumeFacts, plan: VolumePlan) -> VolumePlan:
    name = req.name
    if not req.bricks:
        raise PlanError(f"volume {name} does not exist; give bricks to create it")
    if facts.matcher is None:
        plan.needs.add("pool")
        return plan
    check_brick_hosts(req.bricks, facts.matcher)
    create = ["volume", "create", name, *req.layout_words(), "transport", req.transport, *req.bricks]
    if req.force:
        create.append("force")
    plan.actions.append(run(*create))
    options = plan_options(name, {}, req.options, reset=False)
    if options.sets:
        plan.actions.append(Action("check-options", (name, *req.options.keys())))
        plan.actions.extend(run("volume", "set", name, key, value) for key, value in options.sets)
    if req.state != "stopped":
        plan.actions.append(run("volume", "start", name))
    plan.rollback = [run("volume", "delete", name)]
    plan.after = {
        "state": "stopped" if req.state == "stopped" else "started",
        "bricks": list(req.bricks),
        "options": dict(options.after),
    }
    return plan


def _plan_update(req: VolumeRequest, current: Volume, facts: VolumeFacts, plan: VolumePlan) -> VolumePlan:
    name = req.name
    _check_layout(req, current)
    options = plan_options(name, current.options, req.options, req.reset_options, facts.known_options)
    if options.unresolved:
        plan.needs.add("options")
    bricks = BrickPlan()
    if req.bricks is not None:
        found = plan_bricks(req, current, facts.matcher)
        if found is None:
            plan.needs.add("pool")
        else:
            bricks = found
    if bricks.add and facts.matcher is not None:
        check_brick_hosts(bricks.add, facts.matcher)
    will_run = current.started or req.state == "started"
    if bricks.remove:
        if not will_run:
            raise PlanError(
                f"removing bricks migrates their data and needs volume {name} started; it is {current.status.lower()}"
            )
        if current.set_size > 1:
            if facts.heal is None:
                plan.needs.add("heal")
            else:
                refusal = _heal_refusal(name, facts.heal)
                if refusal:
                    raise PlanError(refusal)
    if req.rebalance and bricks.add and not will_run:
        raise PlanError(f"rebalance needs volume {name} started; it is {current.status.lower()}")
    if plan.needs:
        return plan

    if req.state == "started" and not current.started:
        plan.actions.append(run("volume", "start", name))
    plan.actions.extend(run("volume", "set", name, key, value) for key, value in options.sets)
    plan.actions.extend(run("volume", "reset", name, key) for key in options.resets)
    if bricks.add:
        words = []
        if current.replica_count > 1 and not current.disperse_count:
            words = ["replica", str(current.replica_count)]
            if current.arbiter_count:
                words += ["arbiter", str(current.arbiter_count)]
        add = ["volume", "add-brick", name, *words, *bricks.add]
        if req.force:
            add.append("force")
        plan.actions.append(run(*add))
        if req.rebalance:
            plan.actions.append(run("volume", "rebalance", name, "start"))
            plan.actions.append(Action("wait-rebalance", (name,)))
    if bricks.remove:
        plan.actions.append(run("volume", "remove-brick", name, *bricks.remove, "start"))
        plan.actions.append(Action("wait-remove-brick", (name, *bricks.remove)))
        plan.actions.append(run("volume", "remove-brick", name, *bricks.remove, "commit"))
    if req.state == "stopped" and current.started:
        plan.actions.append(run("volume", "stop", name))

    after_bricks = [brick.name for brick in current.bricks if brick.name not in bricks.remove] + bricks.add
    running = current.started
    if req.state == "started":
        running = True
    elif req.state == "stopped":
        running = False
    plan.after = {
        "state": "started" if running else "stopped",
        "layout": current.layout_for(len(after_bricks)),
        "bricks": after_bricks,
        "options": options.after,
    }
    return plan
