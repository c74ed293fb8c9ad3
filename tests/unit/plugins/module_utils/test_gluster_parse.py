"""Parsers of glusterd's XML, against output captured from glusterd 10.3."""

from __future__ import annotations

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_parse import (
    parse_heal_info,
    parse_peers,
    parse_task_status,
    parse_volume_get,
    parse_volume_info,
    parse_volume_status,
    split_brick,
)
from gluster_replay import fixture_root


def one_volume(fixture: str):
    volumes = parse_volume_info(fixture_root(fixture))
    assert len(volumes) == 1
    return volumes[0]


@pytest.mark.parametrize(
    ("fixture", "name", "status", "vtype", "replica", "arbiter", "disperse", "set_size", "sets", "layout"),
    [
        ("volume_info_replica2_started.xml", "rep2", "Started", "Replicate", 2, 0, 0, 2, 1, "1 x 2 = 2"),
        ("volume_info_replica2_stopped.xml", "stopped", "Created", "Replicate", 2, 0, 0, 2, 1, "1 x 2 = 2"),
        ("volume_info_dist_replicate_2x2.xml", "dr22", "Started", "Distributed-Replicate", 2, 0, 0, 2, 2, "2 x 2 = 4"),
        ("volume_info_dist_replicate_3x2.xml", "dr22", "Started", "Distributed-Replicate", 2, 0, 0, 2, 3, "3 x 2 = 6"),
        # gluster.gluster read this one's "Number of Bricks: 2 x 3 = 6" as replica 6.
        ("volume_info_dist_replicate_2x3.xml", "r3x2", "Started", "Distributed-Replicate", 3, 0, 0, 3, 2, "2 x 3 = 6"),
        ("volume_info_arbiter_1x_2plus1.xml", "arb", "Started", "Replicate", 3, 1, 0, 3, 1, "1 x (2 + 1) = 3"),
        (
            "volume_info_arbiter_2x_2plus1.xml",
            "arb",
            "Started",
            "Distributed-Replicate",
            3,
            1,
            0,
            3,
            2,
            "2 x (2 + 1) = 6",
        ),
        ("volume_info_disperse_1x_2plus1.xml", "disp", "Started", "Disperse", 1, 0, 3, 3, 1, "1 x (2 + 1) = 3"),
        ("volume_info_distribute_2.xml", "dist", "Started", "Distribute", 1, 0, 0, 1, 2, "2 x 1 = 2"),
    ],
)
def test_volume_info_layouts(
    fixture: str,
    name: str,
    status: str,
    vtype: str,
    replica: int,
    arbiter: int,
    disperse: int,
    set_size: int,
    sets: int,
    layout: str,
) -> None:
    volume = one_volume(fixture)
    assert volume.name == name
    assert volume.status == status
    assert volume.type == vtype
    assert volume.replica_count == replica
    assert volume.arbiter_count == arbiter
    assert volume.disperse_count == disperse
    assert volume.set_size == set_size
    assert volume.set_count == sets
    assert volume.layout == layout
    assert volume.transport == "tcp"
    assert len(volume.bricks) == volume.brick_count == set_size * sets


def test_two_by_three_is_replica_three_not_six() -> None:
    volume = one_volume("volume_info_dist_replicate_2x3.xml")
    assert volume.replica_count == 3
    assert volume.data_replica == 3
    assert [b.name for b in volume.bricks] == [
        "fixture-g1:/bricks/a/r3x2",
        "fixture-g2:/bricks/a/r3x2",
        "fixture-g3:/bricks/a/r3x2",
        "fixture-g1:/bricks/b/r3x2",
        "fixture-g2:/bricks/b/r3x2",
        "fixture-g3:/bricks/b/r3x2",
    ]


def test_arbiter_bricks_are_the_last_of_each_set() -> None:
    volume = one_volume("volume_info_arbiter_2x_2plus1.xml")
    assert volume.data_replica == 2
    assert [b.is_arbiter for b in volume.bricks] == [False, False, True, False, False, True]


def test_bricks_carry_their_peer_uuid() -> None:
    volume = one_volume("volume_info_replica2_started.xml")
    peers = {p.hostname: p.uuid for p in parse_peers(fixture_root("pool_list_final.xml"))}
    assert volume.bricks[0].host == "fixture-g1"
    assert volume.bricks[0].path == "/bricks/a/rep2"
    assert volume.bricks[0].host_uuid == peers["localhost"]
    assert volume.bricks[1].host_uuid == peers["fixture-g2"]


def test_volume_options_are_read_with_full_names() -> None:
    options = one_volume("volume_info_replica2_started.xml").options
    assert options["performance.write-behind"] == "off"
    assert options["performance.cache-size"] == "64MB"
    assert options["network.ping-timeout"] == "20"
    assert options["cluster.quorum-type"] == "auto"
    assert "performance.stat-prefetch" not in options  # it was reset
    assert options["nfs.disable"] == "on"


def test_volume_info_of_all_volumes() -> None:
    names = [v.name for v in parse_volume_info(fixture_root("volume_info_all.xml"))]
    assert names == sorted(["arb", "disp", "dist", "dr22", "r3x2", "stopped"])


def test_volume_info_with_no_volumes() -> None:
    assert parse_volume_info(fixture_root("volume_info_all_no_volumes.xml")) == []


def test_pool_list_knows_every_name_of_a_peer() -> None:
    peers = parse_peers(fixture_root("pool_list_4_nodes.xml"))
    by_name = {p.hostname: p for p in peers}
    assert set(by_name) == {"fixture-g2", "10.231.47.13", "fixture-g4", "localhost"}
    assert by_name["10.231.47.13"].hostnames == ["10.231.47.13", "fixture-g3"]
    assert by_name["localhost"].is_local
    assert by_name["localhost"].ready
    assert all(p.ready for p in peers)
    assert [p.is_local for p in peers].count(True) == 1


def test_peer_status_lists_no_local_node() -> None:
    peers = parse_peers(fixture_root("peer_status_4_nodes.xml"))
    assert len(peers) == 3
    assert not any(p.is_local for p in peers)
    assert all(p.state == 3 and p.state_str == "Peer in Cluster" for p in peers)


def test_alone_in_the_pool() -> None:
    assert [(p.hostname, p.is_local) for p in parse_peers(fixture_root("pool_list_alone.xml"))] == [("localhost", True)]
    assert parse_peers(fixture_root("peer_status_alone.xml")) == []


def test_disconnected_peer_is_not_ready() -> None:
    by_name = {p.hostname: p for p in parse_peers(fixture_root("pool_list_g4_disconnected.xml"))}
    assert by_name["fixture-g4"].in_cluster
    assert not by_name["fixture-g4"].connected
    assert not by_name["fixture-g4"].ready


def test_reverse_dns_name_seen_from_another_node() -> None:
    names = [p.hostnames for p in parse_peers(fixture_root("pool_list_4_nodes_seen_from_g2.xml"))]
    assert ["fixture-g1.fixture-net", "fixture-g1"] in names


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("volume_heal_info_replica2_clean.xml", [("fixture-g1:/bricks/a/rep2", 0), ("fixture-g2:/bricks/a/rep2", 0)]),
        (
            "volume_heal_info_replica2_pending.xml",
            [("fixture-g1:/bricks/a/rep2", 6), ("fixture-g2:/bricks/a/rep2", None)],
        ),
        # A peer killed: its brick cannot be asked; the files changed since wait on its partner.
        (
            "volume_heal_info_replica2_peer_down.xml",
            [("fixture-g3:/bricks/d/repl", 10), ("fixture-g5:/bricks/d/repl", None)],
        ),
        # Its brick moved to fixture-g2 with replace-brick: the partner lists what the new brick lacks...
        (
            "volume_heal_info_replica2_after_replace.xml",
            [("fixture-g3:/bricks/d/repl", 11), ("fixture-g2:/bricks/d/repl", 0)],
        ),
        # ... until self-heal has filled it.
        (
            "volume_heal_info_replica2_after_replace_healed.xml",
            [("fixture-g3:/bricks/d/repl", 0), ("fixture-g2:/bricks/d/repl", 0)],
        ),
    ],
)
def test_heal_info(fixture: str, expected: list) -> None:
    assert [(b.name, b.entries) for b in parse_heal_info(fixture_root(fixture))] == expected


def test_heal_info_brick_down_is_not_connected() -> None:
    down = parse_heal_info(fixture_root("volume_heal_info_replica2_pending.xml"))[1]
    assert not down.connected
    assert down.status == "Transport endpoint is not connected"


def test_heal_info_pending_on_a_distributed_replicate_volume() -> None:
    pending = [b for b in parse_heal_info(fixture_root("volume_heal_info_dist_replicate_3x2_pending.xml")) if b.entries]
    assert pending
    assert all(b.name.endswith("/bricks/b/dr22") for b in pending)


@pytest.mark.parametrize(
    ("fixture", "status", "completed"),
    [
        ("volume_rebalance_status_in_progress.xml", "in progress", False),
        ("volume_rebalance_status_completed.xml", "completed", True),
        ("volume_remove_brick_status_in_progress.xml", "in progress", False),
        ("volume_remove_brick_status_completed.xml", "completed", True),
    ],
)
def test_task_status(fixture: str, status: str, completed: bool) -> None:
    task = parse_task_status(fixture_root(fixture))
    assert task.status == status
    assert task.completed is completed
    assert not task.failed
    assert task.nodes
    assert task.task_id


def test_volume_status_with_a_brick_down() -> None:
    status = parse_volume_status(fixture_root("volume_status_replica2_brick_down.xml"))[0]
    assert status.name == "rep2"
    assert [(b.name, b.online) for b in status.bricks] == [
        ("fixture-g1:/bricks/a/rep2", True),
        ("fixture-g2:/bricks/a/rep2", False),
    ]
    assert any(d.name == "Self-heal Daemon" for d in status.daemons)


def test_volume_status_clients() -> None:
    status = parse_volume_status(fixture_root("volume_status_replica2_clients.xml"))[0]
    assert len(status.bricks) == 2
    for brick in status.bricks:
        # Two FUSE mounts (fixture-g1, fixture-g4) and a self-heal daemon per node.
        assert len(brick.clients) == 6
        assert all(c.startswith("10.231.47.") for c in brick.clients)


def test_volume_get_all() -> None:
    options = parse_volume_get(fixture_root("volume_get_replica2_all.xml"))
    assert len(options) > 300
    assert options["performance.write-behind"].value == "off"
    assert not options["performance.write-behind"].is_default
    assert options["cluster.lookup-unhashed"].value == "on"
    assert options["cluster.lookup-unhashed"].is_default
    assert "nfs.disable" in options


@pytest.mark.parametrize(
    ("brick", "host", "path"),
    [("g1:/bricks/a", "g1", "/bricks/a"), ("10.0.0.1:/b", "10.0.0.1", "/b"), ("h:/a:b", "h", "/a:b")],
)
def test_split_brick(brick: str, host: str, path: str) -> None:
    assert split_brick(brick) == (host, path)


@pytest.mark.parametrize("brick", ["g1", "g1:bricks", ":/bricks", "/bricks/a"])
def test_split_brick_refuses_malformed(brick: str) -> None:
    with pytest.raises(ValueError, match="host:/path"):
        split_brick(brick)
