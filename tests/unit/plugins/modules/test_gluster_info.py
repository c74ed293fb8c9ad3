"""gluster_info's main flow, with glusterd answered from captured XML."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.scaleout.pydio.plugins.modules import gluster_info, gluster_peer
from gluster_replay import Replay, run_module

G1, G2 = "fixture-g1", "fixture-g2"
REP2 = [f"{G1}:/bricks/a/rep2", f"{G2}:/bricks/a/rep2"]

REP2_HEALTHY = {
    "pool list": "pool_list_4_nodes.xml",
    "volume info rep2": "volume_info_replica2_started.xml",
    "volume status rep2": "volume_status_replica2.xml",
    "volume heal rep2 info": "volume_heal_info_replica2_clean.xml",
}
REP2_DEGRADED = {
    **REP2_HEALTHY,
    "volume status rep2": "volume_status_replica2_brick_down.xml",
    "volume heal rep2 info": "volume_heal_info_replica2_pending.xml",
}
REP2_CALLS = ["pool list", "volume info rep2", "volume status rep2", "volume heal rep2 info"]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    def _run(args: dict[str, Any], script: dict, **kwargs: Any) -> tuple[dict, Replay]:
        replay = Replay(script)
        result, _clock = run_module(gluster_info.main, args, replay, monkeypatch, capsys, **kwargs)
        return result, replay

    return _run


def test_a_healthy_replica_2_volume(run) -> None:
    result, replay = run({"volumes": ["rep2"]}, REP2_HEALTHY)
    assert result["changed"] is False
    assert "failed" not in result
    assert replay.calls == REP2_CALLS
    assert result["calls"] == [f"gluster {c}" for c in REP2_CALLS]
    assert replay.mutating() == []
    [vol] = result["volumes"]
    assert vol == {
        "name": "rep2",
        "status": "Started",
        "type": "Replicate",
        "layout": "1 x 2 = 2",
        "replica": 2,
        "arbiter": 0,
        "disperse": 0,
        "redundancy": 0,
        "distribute": 1,
        "brick_count": 2,
        "bricks": REP2,
        "options": vol["options"],
        "bricks_online": REP2,
        "heal_pending": 0,
        "heal_unreachable": [],
    }
    assert vol["options"]["cluster.quorum-type"] == "auto"


def test_a_brick_down_with_pending_heals(run) -> None:
    result, replay = run({"volumes": ["rep2"]}, REP2_DEGRADED)
    assert result["changed"] is False
    assert replay.calls == REP2_CALLS
    [vol] = result["volumes"]
    assert vol["bricks_online"] == [REP2[0]]
    assert vol["heal_pending"] == 6
    assert vol["heal_unreachable"] == [REP2[1]]


def test_peers_are_what_gluster_peer_returns(run, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    info, _ = run({"volumes": ["rep2"], "heal": False, "status": False}, REP2_HEALTHY)
    peer_replay = Replay({"pool list": "pool_list_4_nodes.xml"})
    peer, _clock = run_module(gluster_peer.main, {"nodes": [G1]}, peer_replay, monkeypatch, capsys)
    assert peer["changed"] is False
    assert info["peers"] == peer["peers"]
    assert len(info["peers"]) == 4
    assert [p["hostname"] for p in info["peers"] if p["is_local"]] == ["localhost"]


def test_check_mode_gives_the_same_report(run) -> None:
    normal, _ = run({"volumes": ["rep2"]}, REP2_DEGRADED)
    checked, replay = run({"volumes": ["rep2"]}, REP2_DEGRADED, check_mode=True)
    assert replay.calls == REP2_CALLS
    assert checked["changed"] is False
    assert checked["volumes"] == normal["volumes"]
    assert checked["peers"] == normal["peers"]


def test_without_heal_and_status_only_info_is_read(run) -> None:
    result, replay = run({"volumes": ["rep2"], "heal": False, "status": False}, REP2_HEALTHY)
    assert replay.calls == ["pool list", "volume info rep2"]
    [vol] = result["volumes"]
    for key in ("bricks_online", "heal_pending", "heal_unreachable"):
        assert key not in vol


def test_every_volume_by_default(run) -> None:
    script = {"pool list": "pool_list_final.xml", "volume info": "volume_info_all.xml"}
    result, replay = run({"heal": False, "status": False}, script)
    assert replay.calls == ["pool list", "volume info"]
    layouts = {v["name"]: (v["type"], v["replica"], v["arbiter"], v["distribute"]) for v in result["volumes"]}
    assert layouts == {
        "arb": ("Distributed-Replicate", 2, 1, 2),
        "disp": ("Disperse", 1, 0, 1),
        "dist": ("Distribute", 1, 0, 2),
        "dr22": ("Distributed-Replicate", 2, 0, 2),
        "r3x2": ("Distributed-Replicate", 3, 0, 2),
        "stopped": ("Replicate", 2, 0, 1),
    }
    assert [v["name"] for v in result["volumes"]] == ["arb", "disp", "dist", "dr22", "r3x2", "stopped"]


def test_an_empty_list_means_every_volume(run) -> None:
    script = {"pool list": "pool_list_alone.xml", "volume info": "volume_info_all_no_volumes.xml"}
    result, replay = run({"volumes": []}, script)
    assert replay.calls == ["pool list", "volume info"]
    assert result["volumes"] == []
    assert [p["hostname"] for p in result["peers"]] == ["localhost"]


def test_a_volume_not_started_gets_neither_status_nor_heal_calls(run) -> None:
    # glusterd refuses both for it (volume_status_not_started.xml); Replay fails on any call not scripted.
    script = {"pool list": "pool_list_final.xml", "volume info stopped": "volume_info_replica2_stopped.xml"}
    result, replay = run({"volumes": ["stopped"]}, script)
    assert replay.calls == ["pool list", "volume info stopped"]
    [vol] = result["volumes"]
    assert vol["status"] == "Created"
    assert vol["bricks_online"] == []
    assert vol["heal_pending"] is None
    assert vol["heal_unreachable"] == []


@pytest.mark.parametrize(
    ("name", "fixture"),
    [("dist", "volume_info_distribute_2.xml"), ("disp", "volume_info_disperse_1x_2plus1.xml")],
)
def test_no_heal_call_for_a_volume_that_is_not_replicated(run, name: str, fixture: str) -> None:
    script = {"pool list": "pool_list_final.xml", f"volume info {name}": fixture}
    result, replay = run({"volumes": [name], "status": False}, script)
    assert replay.calls == ["pool list", f"volume info {name}"]
    assert result["volumes"][0]["heal_pending"] is None


def test_volumes_come_in_the_order_asked_and_once(run) -> None:
    script = {**REP2_HEALTHY, "volume info stopped": "volume_info_replica2_stopped.xml"}
    result, replay = run({"volumes": ["stopped", "rep2", "stopped"]}, script)
    assert [v["name"] for v in result["volumes"]] == ["stopped", "rep2"]
    assert replay.calls == [
        "pool list",
        "volume info stopped",
        "volume info rep2",
        "volume status rep2",
        "volume heal rep2 info",
    ]


def test_a_missing_volume_fails_naming_it_and_the_pool_s_volumes(run) -> None:
    script = {
        "pool list": "pool_list_final.xml",
        "volume info rep2": "volume_info_replica2_started.xml",
        "volume info nosuchvol": "volume_info_not_found.xml",
        "volume info": "volume_info_all.xml",
    }
    result, replay = run({"volumes": ["nosuchvol", "rep2"]}, script)
    assert result["failed"] is True
    assert result["msg"] == "volume nosuchvol does not exist; the pool has arb, disp, dist, dr22, r3x2, stopped"
    assert result["missing"] == ["nosuchvol"]
    # Nothing more is read once a volume is missing.
    assert replay.calls == ["pool list", "volume info nosuchvol", "volume info rep2", "volume info"]


def test_a_glusterd_refusal_is_surfaced_with_its_fields(run) -> None:
    # The volume stopped between `volume info` and `volume status`.
    script = {**REP2_HEALTHY, "volume status rep2": "volume_status_not_started.xml"}
    result, _ = run({"volumes": ["rep2"]}, script)
    assert result["failed"] is True
    assert "gluster volume status rep2" in result["msg"]
    assert result["op_errno"] == 30800
    assert result["calls"] == ["gluster pool list", "gluster volume info rep2", "gluster volume status rep2"]


def test_unknown_option_is_refused(run) -> None:
    result, replay = run({"volumes": ["rep2"], "state": "present"}, REP2_HEALTHY)
    assert result["failed"] is True
    assert "state" in result["msg"]
    assert replay.calls == []


def test_a_two_by_two_volume_layout(run) -> None:
    script = {"pool list": "pool_list_final.xml", "volume info dr22": "volume_info_dist_replicate_2x2.xml"}
    result, replay = run({"volumes": ["dr22"], "heal": False, "status": False}, script)
    assert replay.calls == ["pool list", "volume info dr22"]
    [vol] = result["volumes"]
    assert vol == {
        "name": "dr22",
        "status": "Started",
        "type": "Distributed-Replicate",
        "layout": "2 x 2 = 4",
        "replica": 2,
        "arbiter": 0,
        "disperse": 0,
        "redundancy": 0,
        "distribute": 2,
        "brick_count": 4,
        "bricks": [f"fixture-g{n}:/bricks/b/dr22" for n in range(1, 5)],
        "options": {
            "cluster.granular-entry-heal": "on",
            "storage.fips-mode-rchecksum": "on",
            "transport.address-family": "inet",
            "nfs.disable": "on",
            "performance.client-io-threads": "off",
        },
    }
