# -*- coding: utf-8 -*-
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read glusterd's ``--xml`` answers into plain data.

Only XML is read, never the human text: the text form is what made
gluster.gluster read a ``2 x 3 = 6`` volume as replica 6. Each parser takes
the ``cliOutput`` root that :mod:`gluster_cli` returns.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional

PEER_IN_CLUSTER = "Peer in Cluster"
TRANSPORTS = {"0": "tcp", "1": "rdma", "2": "tcp,rdma"}


def _text(element: Optional[ET.Element], path: str, default: str = "") -> str:
    if element is None:
        return default
    value = element.findtext(path)
    return default if value is None else value.strip()


def _int(element: Optional[ET.Element], path: str, default: int = 0) -> int:
    try:
        return int(_text(element, path))
    except ValueError:
        return default


def split_brick(brick: str) -> "tuple[str, str]":
    """``host:/path`` into host and path (the path is everything after the first ``:/``)."""
    host, sep, path = brick.partition(":/")
    if not sep or not host or not path:
        raise ValueError(f"brick {brick!r} is not of the form host:/path")
    return host, "/" + path


# --- peers ---------------------------------------------------------------------


@dataclass
class Peer:
    """One member of the trusted pool, as ``pool list`` / ``peer status`` give it."""

    uuid: str
    hostname: str
    hostnames: List[str]
    connected: bool
    state: Optional[int]
    state_str: str
    is_local: bool

    @property
    def in_cluster(self) -> bool:
        return self.is_local or self.state_str == PEER_IN_CLUSTER

    @property
    def ready(self) -> bool:
        """In the cluster and connected: what a probe waits for."""
        return self.in_cluster and self.connected

    def to_dict(self) -> dict:
        data = asdict(self)
        data["in_cluster"] = self.in_cluster
        return data


def parse_peers(root: ET.Element) -> List[Peer]:
    """``pool list`` (with the local node as ``localhost``) or ``peer status``."""
    peers = []
    for node in root.findall("./peerStatus/peer"):
        hostname = _text(node, "hostname")
        names = [name.text.strip() for name in node.findall("./hostnames/hostname") if name.text]
        if hostname and hostname not in names:
            names.insert(0, hostname)
        state_text = _text(node, "state")
        # The local node has neither <state> nor <hostnames> in `pool list`.
        is_local = hostname == "localhost" and not state_text
        peers.append(
            Peer(
                uuid=_text(node, "uuid"),
                hostname=hostname,
                hostnames=names,
                connected=_text(node, "connected") == "1",
                state=int(state_text) if state_text.isdigit() else None,
                state_str=_text(node, "stateStr") or (PEER_IN_CLUSTER if is_local else ""),
                is_local=is_local,
            )
        )
    return peers


# --- volume info ---------------------------------------------------------------


@dataclass
class Brick:
    name: str
    host: str
    path: str
    host_uuid: str
    is_arbiter: bool


@dataclass
class Volume:
    """One volume of ``volume info``, with its counts as glusterd states them."""

    name: str
    uuid: str
    status: str
    type: str
    brick_count: int
    dist_count: int
    replica_count: int
    arbiter_count: int
    disperse_count: int
    redundancy_count: int
    transport: str
    bricks: List[Brick] = field(default_factory=list)
    options: Dict[str, str] = field(default_factory=dict)

    @property
    def started(self) -> bool:
        return self.status == "Started"

    @property
    def set_size(self) -> int:
        """Bricks per replica or disperse set (1 for pure distribute)."""
        if self.disperse_count > 0:
            return self.disperse_count
        return max(self.replica_count, 1)

    @property
    def set_count(self) -> int:
        return len(self.bricks) // self.set_size if self.bricks else 0

    @property
    def data_replica(self) -> Optional[int]:
        """Data copies per set: ``replica 3 arbiter 1`` has 2."""
        if self.disperse_count > 0 or self.replica_count < 2:
            return None
        return self.replica_count - self.arbiter_count

    @property
    def layout(self) -> str:
        """glusterd's own notation, e.g. ``2 x 3 = 6`` or ``1 x (2 + 1) = 3``."""
        return self.layout_for(len(self.bricks))

    def layout_for(self, brick_count: int) -> str:
        """The notation for this volume's sets with ``brick_count`` bricks."""
        if self.disperse_count > 0:
            inner = f"({self.disperse_count - self.redundancy_count} + {self.redundancy_count})"
        elif self.arbiter_count > 0:
            inner = f"({self.replica_count - self.arbiter_count} + {self.arbiter_count})"
        else:
            inner = str(self.set_size)
        return f"{brick_count // self.set_size} x {inner} = {brick_count}"

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(
            started=self.started,
            set_size=self.set_size,
            set_count=self.set_count,
            layout=self.layout,
        )
        return data


def parse_volume_info(root: ET.Element) -> List[Volume]:
    volumes = []
    for node in root.findall("./volInfo/volumes/volume"):
        bricks = []
        for brick in node.findall("./bricks/brick"):
            name = _text(brick, "name") or (brick.text or "").strip()
            host, path = split_brick(name)
            bricks.append(
                Brick(
                    name=name,
                    host=host,
                    path=path,
                    host_uuid=_text(brick, "hostUuid") or brick.get("uuid", ""),
                    is_arbiter=_text(brick, "isArbiter") == "1",
                )
            )
        options = {}
        for option in node.findall("./options/option"):
            options[_text(option, "name")] = _text(option, "value")
        volumes.append(
            Volume(
                name=_text(node, "name"),
                uuid=_text(node, "id"),
                status=_text(node, "statusStr"),
                type=_text(node, "typeStr"),
                brick_count=_int(node, "brickCount"),
                dist_count=_int(node, "distCount"),
                replica_count=_int(node, "replicaCount", 1),
                arbiter_count=_int(node, "arbiterCount"),
                disperse_count=_int(node, "disperseCount"),
                redundancy_count=_int(node, "redundancyCount"),
                transport=TRANSPORTS.get(_text(node, "transport"), _text(node, "transport")),
                bricks=bricks,
                options=options,
            )
        )
    return volumes


# --- volume get ----------------------------------------------------------------


@dataclass
class OptionValue:
    value: str
    is_default: bool


def parse_volume_get(root: ET.Element) -> Dict[str, OptionValue]:
    """``volume get VOL all``: every option name glusterd knows, with its value."""
    result = {}
    suffix = " (DEFAULT)"
    for opt in root.findall("./volGetopts/Opt"):
        value = _text(opt, "Value")
        is_default = value.endswith(suffix)
        if is_default:
            value = value[: -len(suffix)]
        result[_text(opt, "Option")] = OptionValue(value=value, is_default=is_default)
    return result


# --- volume status -------------------------------------------------------------


@dataclass
class BrickStatus:
    host: str
    path: str
    peer_uuid: str
    online: bool
    port: str
    pid: str
    clients: List[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.host}:{self.path}"


@dataclass
class DaemonStatus:
    name: str
    host: str
    peer_uuid: str
    online: bool
    pid: str


@dataclass
class VolumeStatus:
    name: str
    bricks: List[BrickStatus]
    daemons: List[DaemonStatus]
    tasks: List[Dict[str, str]]

    def to_dict(self) -> dict:
        return asdict(self)


def parse_volume_status(root: ET.Element) -> List[VolumeStatus]:
    """``volume status VOL [clients]``: bricks (with client addresses) and daemons."""
    result = []
    for vol in root.findall("./volStatus/volumes/volume"):
        bricks, daemons = [], []
        for node in vol.findall("./node"):
            path = _text(node, "path")
            online = _text(node, "status") == "1"
            if path.startswith("/"):
                clients = [_text(c, "hostname") for c in node.findall("./clientsStatus/client")]
                bricks.append(
                    BrickStatus(
                        host=_text(node, "hostname"),
                        path=path,
                        peer_uuid=_text(node, "peerid"),
                        online=online,
                        port=_text(node, "port"),
                        pid=_text(node, "pid"),
                        clients=clients,
                    )
                )
            else:
                # Daemons list their kind as hostname and the node as path.
                daemons.append(
                    DaemonStatus(
                        name=_text(node, "hostname"),
                        host=path,
                        peer_uuid=_text(node, "peerid"),
                        online=online,
                        pid=_text(node, "pid"),
                    )
                )
        tasks = []
        for task in vol.findall("./tasks/task"):
            tasks.append({child.tag: (child.text or "").strip() for child in task if len(child) == 0})
        result.append(VolumeStatus(name=_text(vol, "volName"), bricks=bricks, daemons=daemons, tasks=tasks))
    return result


# --- heal info -----------------------------------------------------------------


@dataclass
class HealBrick:
    name: str
    status: str
    entries: Optional[int]

    @property
    def connected(self) -> bool:
        return self.status == "Connected"


def parse_heal_info(root: ET.Element) -> List[HealBrick]:
    """``volume heal VOL info``: entries pending per brick (None if unknown)."""
    result = []
    for brick in root.findall("./healInfo/bricks/brick"):
        raw = _text(brick, "numberOfEntries")
        result.append(
            HealBrick(
                name=_text(brick, "name"),
                status=_text(brick, "status"),
                entries=int(raw) if raw.isdigit() else None,
            )
        )
    return result


# --- rebalance / remove-brick status -------------------------------------------


@dataclass
class TaskNodeStatus:
    node: str
    status: str
    files: int
    failures: int
    skipped: int


@dataclass
class TaskStatus:
    """``rebalance VOL status`` or ``remove-brick VOL BRICKS status``."""

    status: str
    nodes: List[TaskNodeStatus]
    task_id: str = ""

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "stopped")

    def to_dict(self) -> dict:
        return asdict(self)


def parse_task_status(root: ET.Element) -> TaskStatus:
    section = root.find("./volRebalance")
    if section is None:
        section = root.find("./volRemoveBrick")
    if section is None:
        return TaskStatus(status="", nodes=[])
    nodes = [
        TaskNodeStatus(
            node=_text(node, "nodeName"),
            status=_text(node, "statusStr"),
            files=_int(node, "files"),
            failures=_int(node, "failures"),
            skipped=_int(node, "skipped"),
        )
        for node in section.findall("./node")
    ]
    return TaskStatus(
        status=_text(section, "aggregate/statusStr"),
        nodes=nodes,
        task_id=_text(section, "task-id"),
    )
