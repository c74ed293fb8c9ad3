# -*- coding: utf-8 -*-
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan ``volume replace-brick VOL OLD NEW commit force``: move a brick to a new host.

Pure, like :mod:`gluster_plan`: the facts come in parsed, and the answer is a
plan or a :class:`PlanError` raised before any action runs. A replacement is
refused when it could lose data:

- the volume keeps one copy of each file (pure distribute): the files on the
  old brick would be gone;
- the old brick's replica (or disperse) set has no other data brick online to
  heal the new one from (a disperse set: fewer than its data count);
- the old brick is reachable and lists entries pending heal: they may be the
  only good copy of those files.

An old brick that is unreachable (its host is dead) is what a replacement is
for: its pending entries cannot be read, and the other bricks of its set are
the source the new brick is healed from.

A pair whose old brick is gone and whose new brick is in the volume was
carried out before, and plans nothing: a re-run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_parse import (
    Brick,
    HealBrick,
    Volume,
    VolumeStatus,
    split_brick,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_plan import (
    HostMatcher,
    PlanError,
    VolumeFacts,
    VolumePlan,
    check_brick_hosts,
    normalise_brick,
    run,
    volume_summary,
)


@dataclass(frozen=True)
class Replacement:
    old: str
    new: str


def validate_replacements(pairs: Sequence[Tuple[str, str]]) -> List[Replacement]:
    """Static checks of ``replace_bricks``: spelling, and each brick named once."""
    if not pairs:
        raise PlanError("replace_bricks must list at least one old and new brick")
    try:
        result = [Replacement(normalise_brick(old), normalise_brick(new)) for old, new in pairs]
    except ValueError as exc:
        raise PlanError(str(exc)) from exc
    for pair in result:
        if pair.old == pair.new:
            raise PlanError(
                f"replace_bricks: {pair.old} is both the old and the new brick; a host that keeps its "
                "name is not supported: give the new brick another host or path"
            )
    named = [brick for pair in result for brick in (pair.old, pair.new)]
    twice = sorted({brick for brick in named if named.count(brick) > 1})
    if twice:
        raise PlanError(f"replace_bricks names these bricks more than once: {', '.join(twice)}")
    return result


def _find_brick(volume: Volume, brick: str, matcher: Optional[HostMatcher]) -> Optional[Brick]:
    """The brick of ``volume`` that ``brick`` names: by name, or (with the pool) by its peer and path."""
    for existing in volume.bricks:
        if existing.name == brick:
            return existing
    if matcher is None:
        return None
    host, path = split_brick(brick)
    peer = matcher.find(host)
    if peer is None:
        return None
    for existing in volume.bricks:
        if existing.path == path and existing.host_uuid == peer.uuid:
            return existing
    return None


def _carried_out(volume: Volume, pair: Replacement) -> bool:
    names = {brick.name for brick in volume.bricks}
    return pair.old not in names and pair.new in names


def _online(status: VolumeStatus) -> Dict[Tuple[str, str], bool]:
    """(peer uuid, path) -> online. Bricks of a peer that is down may be left out."""
    return {(brick.peer_uuid, brick.path): brick.online for brick in status.bricks}


def _set_of(volume: Volume, brick: Brick) -> List[Brick]:
    index = volume.bricks.index(brick)
    start = index - index % volume.set_size
    return volume.bricks[start : start + volume.set_size]


def _copies_needed(volume: Volume) -> int:
    """Data bricks of a set that must stay online to rebuild one more."""
    if volume.disperse_count:
        return volume.disperse_count - volume.redundancy_count
    return 1


def _check_copies(volume: Volume, old: Brick, leaving: Sequence[Brick], status: VolumeStatus) -> None:
    online = _online(status)
    others = [
        brick
        for brick in _set_of(volume, old)
        if brick not in leaving and not brick.is_arbiter and online.get((brick.host_uuid, brick.path), False)
    ]
    needed = _copies_needed(volume)
    if len(others) < needed:
        members = ", ".join(brick.name for brick in _set_of(volume, old))
        have = ", ".join(brick.name for brick in others) or "none"
        raise PlanError(
            f"refusing to replace {old.name}: its set in {volume.name} ({members}) needs {needed} other data "
            f"brick(s) online to rebuild the new one from, and has {len(others)} ({have}). Bring a brick of "
            "that set back first (`gluster volume status "
            f"{volume.name}` shows which are offline)"
        )


def _check_heal(volume: Volume, old: Brick, heal: Sequence[HealBrick]) -> None:
    for entry in heal:
        if entry.name == old.name and entry.connected and (entry.entries is None or entry.entries > 0):
            pending = "an unknown number of" if entry.entries is None else str(entry.entries)
            raise PlanError(
                f"refusing to replace {old.name}: it is reachable and has {pending} entries pending heal, which "
                f"may be the only good copy of those files. Wait until `gluster volume heal {volume.name} info` "
                "shows 0 entries on it"
            )


def plan_replace(
    volume_name: str, pairs: Sequence[Replacement], current: Optional[Volume], facts: VolumeFacts
) -> VolumePlan:
    """Plan one ``replace-brick ... commit force`` per pair that is not carried out yet."""
    plan = VolumePlan(before=volume_summary(current))
    if current is None:
        raise PlanError(f"volume {volume_name} does not exist: there is no brick to replace")
    if current.set_size < 2:
        raise PlanError(
            f"volume {volume_name} keeps one copy of each file ({current.type}): replacing a brick would lose "
            "the files on it. Remove the brick with remove-brick instead, which moves its files first"
        )
    if all(_carried_out(current, pair) for pair in pairs):
        return plan
    matcher, status, heal = facts.matcher, facts.status, facts.heal
    if matcher is None:
        plan.needs.add("pool")
        return plan
    todo: List[Tuple[Replacement, Brick]] = []
    for pair in pairs:
        old = _find_brick(current, pair.old, matcher)
        new = _find_brick(current, pair.new, matcher)
        if old is not None and new is not None:
            raise PlanError(
                f"replace_bricks: {pair.old} and {pair.new} are both bricks of {volume_name}; the new brick must "
                "not be in the volume yet"
            )
        if old is None and new is None:
            raise PlanError(
                f"replace_bricks: {pair.old} is not a brick of {volume_name} (and {pair.new} is not either); "
                f"its bricks are {', '.join(brick.name for brick in current.bricks)}"
            )
        if old is not None:
            todo.append((pair, old))
    if not todo:
        return plan
    if not current.started:
        raise PlanError(
            f"replacing bricks needs volume {volume_name} started, to heal the new bricks; its status is "
            f"{current.status}. Start it first"
        )
    check_brick_hosts([pair.new for pair, _old in todo], matcher)
    if status is None or heal is None:
        plan.needs |= {"status", "heal"}
        return plan
    leaving = [old for _pair, old in todo]
    for _pair, old in todo:
        _check_copies(current, old, leaving, status)
        _check_heal(current, old, heal)
    for pair, old in todo:
        plan.actions.append(run("volume", "replace-brick", volume_name, old.name, pair.new, "commit", "force"))
    renamed = {old.name: pair.new for pair, old in todo}
    plan.after = dict(plan.before, bricks=[renamed.get(brick.name, brick.name) for brick in current.bricks])
    return plan
