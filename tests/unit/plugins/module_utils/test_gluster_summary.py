"""Volume summaries for gluster_info, from XML captured from glusterd 10.3."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_parse import (
    parse_heal_info,
    parse_volume_info,
    parse_volume_status,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_summary import (
    bricks_online,
    describe_volume,
    heal_applies,
    heal_pending,
    heal_unreachable,
    missing_volumes_message,
    summarise_volume,
    unique_names,
)
from gluster_replay import fixture_root

G1, G2, G3, G4 = (f"fixture-g{n}" for n in range(1, 5))
REP2 = [f"{G1}:/bricks/a/rep2", f"{G2}:/bricks/a/rep2"]
DR32 = [*(f"fixture-g{n}:/bricks/b/dr22" for n in range(1, 5)), f"{G3}:/bricks/e/dr22", f"{G4}:/bricks/e/dr22"]
DR = "Distributed-Replicate"
ARB = [f"fixture-g{n}:/bricks/c/arb" for n in (1, 2, 3)]


def volume(fixture: str):
    volumes = parse_volume_info(fixture_root(fixture))
    assert len(volumes) == 1
    return volumes[0]


def status(fixture: str):
    statuses = parse_volume_status(fixture_root(fixture))
    assert len(statuses) == 1
    return statuses[0]


def heal(fixture: str):
    return parse_heal_info(fixture_root(fixture))


# --- layout -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "name", "state", "vtype", "layout", "replica", "arbiter", "disperse", "redundancy", "sets", "bricks"),
    [
        ("volume_info_replica2_started.xml", "rep2", "Started", "Replicate", "1 x 2 = 2", 2, 0, 0, 0, 1, 2),
        ("volume_info_replica2_stopped.xml", "stopped", "Created", "Replicate", "1 x 2 = 2", 2, 0, 0, 0, 1, 2),
        ("volume_info_dist_replicate_2x2.xml", "dr22", "Started", DR, "2 x 2 = 4", 2, 0, 0, 0, 2, 4),
        ("volume_info_dist_replicate_3x2.xml", "dr22", "Started", DR, "3 x 2 = 6", 2, 0, 0, 0, 3, 6),
        # "Number of Bricks: 2 x 3 = 6": replica 3 in two sets, not replica 6.
        ("volume_info_dist_replicate_2x3.xml", "r3x2", "Started", DR, "2 x 3 = 6", 3, 0, 0, 0, 2, 6),
        # glusterd's "replica 3 arbiter 1" is two data copies and an arbiter.
        ("volume_info_arbiter_1x_2plus1.xml", "arb", "Started", "Replicate", "1 x (2 + 1) = 3", 2, 1, 0, 0, 1, 3),
        ("volume_info_arbiter_2x_2plus1.xml", "arb", "Started", DR, "2 x (2 + 1) = 6", 2, 1, 0, 0, 2, 6),
        ("volume_info_disperse_1x_2plus1.xml", "disp", "Started", "Disperse", "1 x (2 + 1) = 3", 1, 0, 3, 1, 1, 3),
        ("volume_info_distribute_2.xml", "dist", "Started", "Distribute", "2 x 1 = 2", 1, 0, 0, 0, 2, 2),
    ],
)
def test_describe_volume_counts(
    fixture: str,
    name: str,
    state: str,
    vtype: str,
    layout: str,
    replica: int,
    arbiter: int,
    disperse: int,
    redundancy: int,
    sets: int,
    bricks: int,
) -> None:
    summary = describe_volume(volume(fixture))
    assert summary["name"] == name
    assert summary["status"] == state
    assert summary["type"] == vtype
    assert summary["layout"] == layout
    assert summary["replica"] == replica
    assert summary["arbiter"] == arbiter
    assert summary["disperse"] == disperse
    assert summary["redundancy"] == redundancy
    assert summary["distribute"] == sets
    assert summary["brick_count"] == bricks
    assert len(summary["bricks"]) == bricks


def test_describe_volume_lists_bricks_in_order_and_set_options() -> None:
    summary = describe_volume(volume("volume_info_dist_replicate_3x2.xml"))
    assert summary["bricks"] == DR32
    rep2 = describe_volume(volume("volume_info_replica2_started.xml"))
    assert rep2["options"]["performance.write-behind"] == "off"
    assert rep2["options"]["performance.cache-size"] == "64MB"
    assert rep2["options"]["cluster.quorum-type"] == "auto"
    assert len(rep2["options"]) == 9


def test_arbiter_brick_is_the_last_of_each_set() -> None:
    summary = describe_volume(volume("volume_info_arbiter_2x_2plus1.xml"))
    assert summary["bricks"][2] == f"{G3}:/bricks/c/arb"
    assert summary["bricks"][5] == f"{G4}:/bricks/e/arb"


# --- bricks online ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("info", "status_fixture", "expected"),
    [
        ("volume_info_replica2_started.xml", "volume_status_replica2.xml", REP2),
        ("volume_info_replica2_started.xml", "volume_status_replica2_clients.xml", REP2),
        # fixture-g2's brick process was killed.
        ("volume_info_replica2_started.xml", "volume_status_replica2_brick_down.xml", [REP2[0]]),
        ("volume_info_arbiter_1x_2plus1.xml", "volume_status_arbiter_no_clients.xml", ARB),
        # A status of another volume says nothing about these bricks.
        ("volume_info_dist_replicate_2x2.xml", "volume_status_replica2.xml", []),
        # Not started: there is no status and no brick process.
        ("volume_info_replica2_stopped.xml", None, []),
    ],
)
def test_bricks_online(info: str, status_fixture: str | None, expected: list[str]) -> None:
    brick_status = status(status_fixture) if status_fixture else None
    assert bricks_online(volume(info), brick_status) == expected


def test_bricks_online_matches_by_peer_uuid_and_path_whatever_the_host_spelling() -> None:
    down = status("volume_status_replica2_brick_down.xml")
    by_address = replace(down, bricks=[replace(b, host=f"10.231.47.1{n}") for n, b in enumerate(down.bricks, 1)])
    assert bricks_online(volume("volume_info_replica2_started.xml"), by_address) == [REP2[0]]


def test_bricks_online_falls_back_to_the_brick_name_without_uuids() -> None:
    down = status("volume_status_replica2_brick_down.xml")
    no_uuids = replace(down, bricks=[replace(b, peer_uuid="") for b in down.bricks])
    assert bricks_online(volume("volume_info_replica2_started.xml"), no_uuids) == [REP2[0]]


def test_a_brick_missing_from_the_status_is_not_online() -> None:
    up = status("volume_status_replica2.xml")
    only_first = replace(up, bricks=up.bricks[:1])
    assert bricks_online(volume("volume_info_replica2_started.xml"), only_first) == [REP2[0]]


# --- heal -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("info", "applies"),
    [
        ("volume_info_replica2_started.xml", True),
        ("volume_info_dist_replicate_2x3.xml", True),
        ("volume_info_arbiter_2x_2plus1.xml", True),
        ("volume_info_replica2_stopped.xml", False),  # Created, never started
        ("volume_info_distribute_2.xml", False),  # glusterd refuses heal info
        ("volume_info_disperse_1x_2plus1.xml", False),
    ],
)
def test_heal_applies_to_started_replicated_volumes(info: str, applies: bool) -> None:
    assert heal_applies(volume(info)) is applies


@pytest.mark.parametrize(
    ("info", "heal_fixture", "pending", "unreachable"),
    [
        ("volume_info_replica2_started.xml", "volume_heal_info_replica2_clean.xml", 0, []),
        # Five files and the root directory wait on fixture-g1; fixture-g2 is down.
        ("volume_info_replica2_started.xml", "volume_heal_info_replica2_pending.xml", 6, [REP2[1]]),
        ("volume_info_dist_replicate_3x2.xml", "volume_heal_info_dist_replicate_3x2_clean.xml", 0, []),
        ("volume_info_dist_replicate_3x2.xml", "volume_heal_info_dist_replicate_3x2_pending.xml", 18, [DR32[1]]),
    ],
)
def test_heal_pending_counts_entries_of_the_bricks_heal_info_reached(
    info: str, heal_fixture: str, pending: int, unreachable: list[str]
) -> None:
    vol, bricks = volume(info), heal(heal_fixture)
    assert heal_pending(vol, bricks) == pending
    assert heal_unreachable(vol, bricks) == unreachable


@pytest.mark.parametrize(
    "info",
    ["volume_info_replica2_stopped.xml", "volume_info_distribute_2.xml", "volume_info_disperse_1x_2plus1.xml"],
)
def test_heal_pending_is_none_where_it_does_not_apply(info: str) -> None:
    # A volume heal does not apply to reports None, whatever entries it is given.
    bricks = heal("volume_heal_info_replica2_pending.xml")
    assert heal_pending(volume(info), bricks) is None
    assert heal_unreachable(volume(info), bricks) == []


def test_heal_pending_is_none_without_heal_info() -> None:
    assert heal_pending(volume("volume_info_replica2_started.xml"), None) is None


# --- the whole entry --------------------------------------------------------------------------


def test_summary_has_status_and_heal_keys_only_when_asked() -> None:
    vol = volume("volume_info_replica2_started.xml")
    plain = summarise_volume(vol)
    assert "bricks_online" not in plain
    assert "heal_pending" not in plain
    assert "heal_unreachable" not in plain
    full = summarise_volume(
        vol,
        status("volume_status_replica2_brick_down.xml"),
        heal("volume_heal_info_replica2_pending.xml"),
        with_status=True,
        with_heal=True,
    )
    assert full == {
        **plain,
        "bricks_online": [REP2[0]],
        "heal_pending": 6,
        "heal_unreachable": [REP2[1]],
    }


def test_summary_of_a_stopped_volume_asked_for_everything() -> None:
    summary = summarise_volume(volume("volume_info_replica2_stopped.xml"), with_status=True, with_heal=True)
    assert summary["bricks_online"] == []
    assert summary["heal_pending"] is None
    assert summary["heal_unreachable"] == []


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (None, []),
        ([], []),
        (["pydio-data", "pydio-config", "pydio-data"], ["pydio-data", "pydio-config"]),
        ([" pydio-data ", ""], ["pydio-data"]),
    ],
)
def test_unique_names(names: list[str] | None, expected: list[str]) -> None:
    assert unique_names(names) == expected


@pytest.mark.parametrize(
    ("missing", "present", "expected"),
    [
        (["pydio-dta"], None, "volume pydio-dta does not exist"),
        (["a", "b"], None, "volumes a, b do not exist"),
        (
            ["pydio-dta"],
            ["pydio-data", "pydio-config"],
            "volume pydio-dta does not exist; the pool has pydio-data, pydio-config",
        ),
        (["pydio-dta"], [], "volume pydio-dta does not exist; the pool has no volumes"),
    ],
)
def test_missing_volumes_message(missing: list[str], present: list[str] | None, expected: str) -> None:
    assert missing_volumes_message(missing, present) == expected
