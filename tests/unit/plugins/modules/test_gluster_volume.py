"""gluster_volume's main flow, with glusterd answered from captured XML."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ansible_collections.scaleout.pydio.plugins.modules import gluster_volume
from gluster_replay import Replay, run_module

G1, G2, G3, G4 = (f"fixture-g{n}" for n in range(1, 5))
REP2_BRICKS = [f"{G1}:/bricks/a/rep2", f"{G2}:/bricks/a/rep2"]
DR22_BRICKS = [f"{G1}:/bricks/b/dr22", f"{G2}:/bricks/b/dr22", f"{G3}:/bricks/b/dr22", f"{G4}:/bricks/b/dr22"]
DR22_THIRD = [f"{G3}:/bricks/e/dr22", f"{G4}:/bricks/e/dr22"]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    def _run(args: dict[str, Any], script: dict, **kwargs: Any) -> tuple[dict, Replay]:
        replay = Replay(script)
        result, _clock = run_module(gluster_volume.main, args, replay, monkeypatch, capsys, **kwargs)
        return result, replay

    return _run


# --- no change: at most two gluster calls ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "script", "expected_calls"),
    [
        (
            {
                "name": "rep2",
                "state": "started",
                "replica": 2,
                "bricks": REP2_BRICKS,
                "options": {
                    "performance.write-behind": False,  # YAML `off`
                    "cache-size": "67108864",
                    "network.ping-timeout": 20,
                    "cluster.quorum-type": "auto",
                },
            },
            {"volume info rep2": "volume_info_replica2_started.xml"},
            ["volume info rep2"],
        ),
        (
            {"name": "rep2", "replica": 2, "bricks": ["10.231.47.11:/bricks/a/rep2", "10.231.47.12:/bricks/a/rep2"]},
            {"volume info rep2": "volume_info_replica2_started.xml", "pool list": "pool_list_final.xml"},
            ["volume info rep2", "pool list"],
        ),
        (
            {
                "name": "r3x2",
                "state": "started",
                "replica": 3,
                "bricks": [f"fixture-g{n}:/bricks/{d}/r3x2" for d in "ab" for n in (1, 2, 3)],
                "reset_options": True,
            },
            {"volume info r3x2": "volume_info_dist_replicate_2x3.xml"},
            ["volume info r3x2"],
        ),
        (
            {
                "name": "arb",
                "replica": 2,
                "arbiter": 1,
                "bricks": [
                    *(f"{G1}:/bricks/c/arb", f"{G2}:/bricks/c/arb", "10.231.47.13:/bricks/c/arb"),
                    *(f"{G2}:/bricks/e/arb", f"{G3}:/bricks/e/arb", f"{G4}:/bricks/e/arb"),
                ],
                "rebalance": True,
            },
            {"volume info arb": "volume_info_arbiter_2x_2plus1.xml", "pool list": "pool_list_final.xml"},
            ["volume info arb", "pool list"],
        ),
        (
            {"name": "stopped", "state": "stopped"},
            {"volume info stopped": "volume_info_replica2_stopped.xml"},
            ["volume info stopped"],
        ),
        ({"name": "gone", "state": "absent"}, {"volume info gone": "volume_info_not_found.xml"}, ["volume info gone"]),
    ],
)
def test_no_change_run_makes_at_most_two_gluster_calls(run, args: dict, script: dict, expected_calls: list) -> None:
    result, replay = run(args, script)
    assert result["changed"] is False, result
    assert result["commands"] == []
    assert replay.calls == expected_calls
    assert len(replay.calls) <= 2
    assert result["calls"] == [f"gluster {c}" for c in expected_calls]


def test_no_change_returns_the_parsed_volume(run) -> None:
    result, _ = run({"name": "r3x2"}, {"volume info r3x2": "volume_info_dist_replicate_2x3.xml"})
    vol = result["volume"]
    assert vol["name"] == "r3x2"
    assert vol["replica_count"] == 3
    assert vol["layout"] == "2 x 3 = 6"
    assert len(vol["bricks"]) == 6


# --- create ---------------------------------------------------------------------------------


CREATE_SCRIPT = {
    "volume info rep2": ["volume_info_not_found.xml", "volume_info_replica2_started.xml"],
    "pool list": "pool_list_final.xml",
    "volume create rep2 replica 2 transport tcp fixture-g1:/bricks/a/rep2 fixture-g2:/bricks/a/rep2 force": (
        "volume_create_replica2.xml"
    ),
    "volume start rep2": "volume_start.xml",
}


def test_started_on_a_missing_volume_creates_and_starts_it(run) -> None:
    args = {"name": "rep2", "state": "started", "replica": 2, "bricks": REP2_BRICKS, "force": True}
    result, replay = run(args, CREATE_SCRIPT, diff=True)
    assert result["changed"] is True
    assert replay.mutating() == [
        "volume create rep2 replica 2 transport tcp fixture-g1:/bricks/a/rep2 fixture-g2:/bricks/a/rep2 force",
        "volume start rep2",
    ]
    assert result["volume"]["status"] == "Started"
    assert result["diff"]["before"] == {"state": "absent"}
    assert result["diff"]["after"]["state"] == "started"
    assert result["diff"]["after"]["bricks"] == REP2_BRICKS


def test_check_mode_plans_the_create_and_changes_nothing(run) -> None:
    args = {"name": "rep2", "state": "started", "replica": 2, "bricks": REP2_BRICKS, "force": True}
    result, replay = run(args, CREATE_SCRIPT, check_mode=True, diff=True)
    assert result["changed"] is True
    assert replay.mutating() == []
    assert replay.calls == ["volume info rep2", "pool list"]
    assert result["commands"] == [
        "gluster volume create rep2 replica 2 transport tcp fixture-g1:/bricks/a/rep2 fixture-g2:/bricks/a/rep2 force",
        "gluster volume start rep2",
    ]
    assert result["diff"]["after"]["state"] == "started"


def test_bad_option_on_a_new_volume_deletes_it_again(run) -> None:
    args = {"name": "rep2", "replica": 2, "bricks": REP2_BRICKS, "force": True, "options": {"no.such-option": "on"}}
    script = dict(CREATE_SCRIPT)
    script.update({"volume get rep2 all": "volume_get_replica2_all.xml", "volume delete rep2": "volume_delete.xml"})
    result, replay = run(args, script)
    assert result["failed"] is True
    assert "glusterd does not know the option(s) no.such-option" in result["msg"]
    assert "The new volume was deleted again" in result["msg"]
    assert replay.mutating()[-1] == "volume delete rep2"
    assert not any(call.startswith(("volume set", "volume start")) for call in replay.calls)


def test_option_value_refused_on_a_new_volume_deletes_it_again(run) -> None:
    args = {"name": "rep2", "replica": 2, "bricks": REP2_BRICKS, "force": True, "options": {"quorum-type": "bogus"}}
    script = dict(CREATE_SCRIPT)
    script.update(
        {
            "volume get rep2 all": "volume_get_replica2_all.xml",
            "volume set rep2 quorum-type bogus": "volume_set_bad_value.xml",
            "volume delete rep2": "volume_delete.xml",
        }
    )
    result, replay = run(args, script)
    assert result["failed"] is True
    assert "'bogus' is not valid" in result["msg"]
    assert "The new volume was deleted again: gluster volume delete rep2" in result["msg"]
    assert result["op_errno"] == 30800
    assert replay.mutating()[-2:] == ["volume set rep2 quorum-type bogus", "volume delete rep2"]
    assert "volume start rep2" not in replay.calls


# --- options ---------------------------------------------------------------------------------


def test_changed_option_is_set_and_diffed(run) -> None:
    script = {
        "volume info rep2": ["volume_info_replica2_started.xml"],
        "volume set rep2 performance.write-behind on": "volume_set_success.xml",
    }
    result, replay = run({"name": "rep2", "options": {"write-behind": True}}, script, diff=True)
    assert result["changed"] is True
    assert replay.mutating() == ["volume set rep2 performance.write-behind on"]
    assert result["diff"]["before"]["options"]["performance.write-behind"] == "off"


def test_reset_options_resets_what_is_not_listed(run) -> None:
    script = {
        "volume info rep2": "volume_info_replica2_started.xml",
        "volume reset rep2 performance.cache-size": "volume_reset_option.xml",
        "volume reset rep2 network.ping-timeout": "volume_reset_option.xml",
        "volume reset rep2 cluster.quorum-type": "volume_reset_option.xml",
    }
    args = {"name": "rep2", "options": {"write-behind": "off"}, "reset_options": True}
    result, replay = run(args, script, diff=True)
    assert result["changed"] is True
    assert sorted(replay.mutating()) == [
        "volume reset rep2 cluster.quorum-type",
        "volume reset rep2 network.ping-timeout",
        "volume reset rep2 performance.cache-size",
    ]
    assert "performance.cache-size" in result["diff"]["before"]["options"]


def test_unknown_option_name_is_refused_before_any_change(run) -> None:
    script = {
        "volume info rep2": "volume_info_replica2_started.xml",
        "volume get rep2 all": "volume_get_replica2_all.xml",
    }
    result, replay = run({"name": "rep2", "options": {"no.such-option": "on"}}, script)
    assert result["failed"] is True
    assert "glusterd does not know the option(s) no.such-option" in result["msg"]
    assert replay.mutating() == []


def test_option_value_glusterd_rejects_is_surfaced(run) -> None:
    script = {
        "volume info rep2": "volume_info_replica2_started.xml",
        "volume set rep2 cluster.quorum-type bogus": "volume_set_bad_value.xml",
    }
    result, _ = run({"name": "rep2", "options": {"cluster.quorum-type": "bogus"}}, script)
    assert result["failed"] is True
    assert "'bogus' is not valid (possible options are none, auto, fixed.)" in result["msg"]
    assert result["op_ret"] == -1
    assert result["op_errno"] == 30800


# --- bricks ----------------------------------------------------------------------------------


def test_add_brick_with_replica_and_awaited_rebalance(run) -> None:
    script = {
        "volume info dr22": ["volume_info_dist_replicate_2x2.xml", "volume_info_dist_replicate_3x2.xml"],
        "pool list": "pool_list_final.xml",
        "volume add-brick dr22 replica 2 fixture-g3:/bricks/e/dr22 fixture-g4:/bricks/e/dr22 force": (
            "volume_add_brick_replica2.xml"
        ),
        "volume rebalance dr22 start": "volume_rebalance_start.xml",
        "volume rebalance dr22 status": [
            "volume_rebalance_status_in_progress.xml",
            "volume_rebalance_status_completed.xml",
        ],
    }
    args = {"name": "dr22", "replica": 2, "bricks": DR22_BRICKS + DR22_THIRD, "rebalance": True, "force": True}
    result, replay = run(args, script)
    assert result["changed"] is True
    assert replay.calls == [
        "volume info dr22",
        "pool list",
        "volume add-brick dr22 replica 2 fixture-g3:/bricks/e/dr22 fixture-g4:/bricks/e/dr22 force",
        "volume rebalance dr22 start",
        "volume rebalance dr22 status",
        "volume rebalance dr22 status",
        "volume info dr22",
    ]
    assert result["volume"]["layout"] == "3 x 2 = 6"


def test_add_an_arbiter_set(run) -> None:
    new = [f"{G2}:/bricks/e/arb", f"{G3}:/bricks/e/arb", f"{G4}:/bricks/e/arb"]
    script = {
        "volume info arb": ["volume_info_arbiter_1x_2plus1.xml", "volume_info_arbiter_2x_2plus1.xml"],
        "pool list": "pool_list_final.xml",
        f"volume add-brick arb replica 3 arbiter 1 {' '.join(new)} force": "volume_add_brick_arbiter.xml",
    }
    bricks = [f"{G1}:/bricks/c/arb", f"{G2}:/bricks/c/arb", f"{G3}:/bricks/c/arb", *new]
    result, replay = run({"name": "arb", "replica": 2, "arbiter": 1, "bricks": bricks, "force": True}, script)
    assert result["changed"] is True
    assert replay.mutating() == [f"volume add-brick arb replica 3 arbiter 1 {' '.join(new)} force"]
    assert result["volume"]["layout"] == "2 x (2 + 1) = 6"


def test_rebalance_that_does_not_finish_in_time_fails(run) -> None:
    script = {
        "volume info dr22": "volume_info_dist_replicate_2x2.xml",
        "pool list": "pool_list_final.xml",
        "volume add-brick dr22 replica 2 fixture-g3:/bricks/e/dr22 fixture-g4:/bricks/e/dr22": (
            "volume_add_brick_replica2.xml"
        ),
        "volume rebalance dr22 start": "volume_rebalance_start.xml",
        "volume rebalance dr22 status": "volume_rebalance_status_in_progress.xml",
    }
    args = {"name": "dr22", "bricks": DR22_BRICKS + DR22_THIRD, "rebalance": True, "rebalance_timeout": 30}
    result, replay = run(args, script)
    assert result["failed"] is True
    assert "rebalance of dr22 is still in progress after 30s" in result["msg"]
    assert replay.calls.count("volume rebalance dr22 status") == 7  # t=0,5,...,30


def test_remove_brick_start_poll_commit(run) -> None:
    third = " ".join(DR22_THIRD)
    script = {
        "volume info dr22": ["volume_info_dist_replicate_3x2.xml", "volume_info_dist_replicate_2x2_after_remove.xml"],
        "volume heal dr22 info": "volume_heal_info_dist_replicate_3x2_clean.xml",
        f"volume remove-brick dr22 {third} start": "volume_remove_brick_start.xml",
        f"volume remove-brick dr22 {third} status": [
            "volume_remove_brick_status_in_progress.xml",
            "volume_remove_brick_status_completed.xml",
        ],
        f"volume remove-brick dr22 {third} commit": "volume_remove_brick_commit.xml",
    }
    result, replay = run({"name": "dr22", "replica": 2, "bricks": DR22_BRICKS}, script, diff=True)
    assert result["changed"] is True
    assert replay.mutating() == [f"volume remove-brick dr22 {third} start", f"volume remove-brick dr22 {third} commit"]
    assert replay.calls.index(f"volume remove-brick dr22 {third} commit") > replay.calls.index(
        f"volume remove-brick dr22 {third} status"
    )
    assert result["diff"]["before"]["layout"] == "3 x 2 = 6"
    assert result["diff"]["after"]["layout"] == "2 x 2 = 4"


def test_remove_brick_is_refused_while_heals_are_pending(run) -> None:
    script = {
        "volume info dr22": "volume_info_dist_replicate_3x2.xml",
        "volume heal dr22 info": "volume_heal_info_dist_replicate_3x2_pending.xml",
    }
    result, replay = run({"name": "dr22", "bricks": DR22_BRICKS}, script)
    assert result["failed"] is True
    assert "refusing to remove bricks from dr22 while self-heal is pending" in result["msg"]
    assert replay.mutating() == []


# --- bad inputs: refused before any change ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "script", "message"),
    [
        (
            {"name": "v", "replica": 2, "bricks": [f"{G1}:/b", f"{G2}:/b", f"{G3}:/b"]},
            {},
            "3 bricks are not a multiple of the set size 2",
        ),
        (
            {"name": "v", "replica": 3, "arbiter": 1, "bricks": [f"{G1}:/b", f"{G2}:/b", f"{G3}:/b"]},
            {},
            "arbiter: 1 needs replica: 2",
        ),
        (
            {"name": "v", "replica": 2, "bricks": [f"{G1}:/b", "fixture-g5:/b"]},
            {"volume info v": "volume_info_not_found.xml", "pool list": "pool_list_final.xml"},
            "fixture-g5 are not peers of this trusted pool",
        ),
        (
            {"name": "dr22", "replica": 2, "bricks": [*DR22_BRICKS, f"{G3}:/bricks/e/dr22"]},
            {"volume info dr22": "volume_info_dist_replicate_2x2.xml"},
            "5 bricks are not a multiple of the set size 2",
        ),
        (
            {"name": "rep2", "replica": 3},
            {"volume info rep2": "volume_info_replica2_started.xml"},
            "Changing the layout",
        ),
        ({"name": "v", "state": "started"}, {"volume info v": "volume_info_not_found.xml"}, "give bricks to create it"),
        ({"name": "v", "redundancy": 1}, {}, "missing parameter(s) required by 'redundancy': disperse"),
        ({"name": "v", "replica": 2, "disperse": 3}, {}, "mutually exclusive: replica|disperse"),
        ({"name": "v", "rebalance_timeout": 0}, {}, "rebalance_timeout must be more than 0"),
    ],
)
def test_bad_input_fails_clearly_before_any_change(run, args: dict, script: dict, message: str) -> None:
    result, replay = run(args, script)
    assert result["failed"] is True
    assert message in result["msg"]
    assert replay.mutating() == []


# --- absent ----------------------------------------------------------------------------------------


def test_absent_warns_about_mounts_then_stops_and_deletes(run) -> None:
    script = {
        "volume info rep2": "volume_info_replica2_started.xml",
        "volume status rep2 clients": "volume_status_replica2_clients.xml",
        "pool list": "pool_list_final.xml",
        "volume stop rep2": "volume_stop.xml",
        "volume delete rep2": "volume_delete.xml",
    }
    result, replay = run({"name": "rep2", "state": "absent"}, script, diff=True)
    assert result["changed"] is True
    assert replay.mutating() == ["volume stop rep2", "volume delete rep2"]
    # ansible-core 2.19 returns warnings as structured events.
    assert "volume rep2 is still mounted by clients (10.231.47.11 (1), 10.231.47.14 (1))" in json.dumps(
        result["warnings"]
    )
    assert result["volume"] is None
    assert result["diff"]["after"] == {"state": "absent"}


def test_glusterd_error_is_reported_with_its_fields(run) -> None:
    script = {"volume info rep2": "volume_info_replica2_started.xml", "volume stop rep2": "volume_delete_started.xml"}
    result, _ = run({"name": "rep2", "state": "stopped"}, script)
    assert result["failed"] is True
    assert result["op_errstr"] == "Volume rep2 has been started.Volume needs to be stopped before deletion."
    assert result["calls"] == ["gluster volume info rep2", "gluster volume stop rep2"]


# --- replace_bricks: a dead node's brick moves to a new host -----------------------------------------

REPL_OLD, REPL_NEW = "fixture-g5:/bricks/d/repl", f"{G2}:/bricks/d/repl"
REPLACE = f"volume replace-brick repl {REPL_OLD} {REPL_NEW} commit force"
REPLACE_ARGS = {"name": "repl", "replace_bricks": [{"old": REPL_OLD, "new": REPL_NEW}]}


def replace_script(after: str = "volume_info_replica2_after_replace.xml") -> dict:
    return {
        "volume info repl": ["volume_info_replica2_g3_g5.xml", after],
        "pool list": "pool_list_g5_dead.xml",
        "volume status repl": "volume_status_replica2_peer_down.xml",
        "volume heal repl info": "volume_heal_info_replica2_peer_down.xml",
        REPLACE: "volume_replace_brick_commit_force.xml",
    }


def test_replace_bricks_moves_a_dead_nodes_brick(run) -> None:
    result, replay = run(REPLACE_ARGS, replace_script(), diff=True)
    assert result["changed"] is True
    assert replay.mutating() == [REPLACE]
    assert result["commands"] == [f"gluster {REPLACE}"]
    assert result["diff"]["before"]["bricks"] == [f"{G3}:/bricks/d/repl", REPL_OLD]
    assert result["diff"]["after"]["bricks"] == [f"{G3}:/bricks/d/repl", REPL_NEW]
    assert [brick["name"] for brick in result["volume"]["bricks"]] == [f"{G3}:/bricks/d/repl", REPL_NEW]


def test_replace_bricks_in_check_mode_reads_and_plans_only(run) -> None:
    result, replay = run(REPLACE_ARGS, replace_script(), check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["commands"] == [f"gluster {REPLACE}"]
    assert replay.mutating() == []
    assert result["diff"]["after"]["bricks"] == [f"{G3}:/bricks/d/repl", REPL_NEW]


def test_replace_bricks_run_again_changes_nothing(run) -> None:
    result, replay = run(REPLACE_ARGS, {"volume info repl": "volume_info_replica2_after_replace.xml"})
    assert result["changed"] is False
    assert replay.calls == ["volume info repl"]


def test_replace_bricks_surfaces_glusterd_refusal(run) -> None:
    script = replace_script()
    script[REPLACE] = "volume_replace_brick_host_not_peer.xml"
    result, _ = run(REPLACE_ARGS, script)
    assert result["failed"] is True
    assert result["op_errstr"]


def test_replace_bricks_and_bricks_are_mutually_exclusive(run) -> None:
    result, replay = run({**REPLACE_ARGS, "bricks": [REPL_NEW]}, {})
    assert result["failed"] is True
    assert "mutually exclusive: bricks|replace_bricks" in result["msg"]
    assert replay.calls == []
