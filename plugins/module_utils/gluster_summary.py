# -*- coding: utf-8 -*-
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Summarise parsed gluster state for a status report (``gluster_info``).

Pure functions over what :mod:`gluster_parse` reads from ``volume info``,
``volume status VOL`` and ``volume heal VOL info``. Counts follow the
convention of the ``gluster_volume`` module: ``replica`` is the number of
data copies per set, so glusterd's ``replica 3 arbiter 1`` is ``replica`` 2
and ``arbiter`` 1.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence

from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_parse import (
    HealBrick,
    Volume,
    VolumeStatus,
)


def unique_names(names: Optional[Iterable[str]]) -> List[str]:
    """The requested volume names in order, without duplicates or blanks."""
    seen: List[str] = []
    for name in names or ():
        name = (name or "").strip()
        if name and name not in seen:
            seen.append(name)
    return seen


def missing_volumes_message(missing: Sequence[str], present: Optional[Sequence[str]] = None) -> str:
    """The failure for requested volumes glusterd does not know."""
    names = ", ".join(missing)
    text = f"volume {names} does not exist" if len(missing) == 1 else f"volumes {names} do not exist"
    if present is not None:
        text += f"; the pool has {', '.join(present)}" if present else "; the pool has no volumes"
    return text


def is_replicated(volume: Volume) -> bool:
    """Replicate or distributed-replicate, arbiter included (not disperse)."""
    return volume.disperse_count == 0 and volume.replica_count >= 2


def heal_applies(volume: Volume) -> bool:
    """Whether ``volume heal VOL info`` can count pending entries: replicated and started."""
    return is_replicated(volume) and volume.started


def describe_volume(volume: Volume) -> Dict[str, Any]:
    """Name, state, layout, bricks and options of one volume."""
    return {
        "name": volume.name,
        "status": volume.status,
        "type": volume.type,
        "layout": volume.layout,
        "replica": max(volume.replica_count - volume.arbiter_count, 1),
        "arbiter": volume.arbiter_count,
        "disperse": volume.disperse_count,
        "redundancy": volume.redundancy_count,
        "distribute": volume.set_count,
        "brick_count": len(volume.bricks),
        "bricks": [brick.name for brick in volume.bricks],
        "options": dict(volume.options),
    }


def bricks_online(volume: Volume, status: Optional[VolumeStatus]) -> List[str]:
    """Bricks of ``volume`` (in its order) whose process ``volume status`` shows online.

    A brick is matched by its peer's UUID and path, or failing that by
    ``host:path``. A brick that ``volume status`` does not list (its peer is
    disconnected) is not online; without a status (the volume is not
    started) no brick is.
    """
    if status is None:
        return []
    by_uuid = {(b.peer_uuid, b.path): b.online for b in status.bricks if b.peer_uuid}
    by_name = {b.name: b.online for b in status.bricks}
    online = []
    for brick in volume.bricks:
        state = by_uuid.get((brick.host_uuid, brick.path)) if brick.host_uuid else None
        if state is None:
            state = by_name.get(brick.name, False)
        if state:
            online.append(brick.name)
    return online


def heal_pending(volume: Volume, heal: Optional[Sequence[HealBrick]]) -> Optional[int]:
    """Entries waiting for self-heal, summed over the bricks heal info could read.

    None when the count does not apply: the volume is not replicated or not
    started, or there is no heal info.
    """
    if heal is None or not heal_applies(volume):
        return None
    return sum(brick.entries or 0 for brick in heal)


def heal_unreachable(volume: Volume, heal: Optional[Sequence[HealBrick]]) -> List[str]:
    """Bricks whose pending entries heal info could not count (not connected)."""
    if heal is None or not heal_applies(volume):
        return []
    return [brick.name for brick in heal if brick.entries is None]


def summarise_volume(
    volume: Volume,
    status: Optional[VolumeStatus] = None,
    heal: Optional[Sequence[HealBrick]] = None,
    with_status: bool = False,
    with_heal: bool = False,
) -> Dict[str, Any]:
    """One entry of ``gluster_info``'s ``volumes``.

    ``bricks_online`` is there when ``with_status``; ``heal_pending`` and
    ``heal_unreachable`` when ``with_heal``.
    """
    summary = describe_volume(volume)
    if with_status:
        summary["bricks_online"] = bricks_online(volume, status)
    if with_heal:
        summary["heal_pending"] = heal_pending(volume, heal)
        summary["heal_unreachable"] = heal_unreachable(volume, heal)
    return summary
