"""gluster_peer's main flow, with glusterd answered from captured XML."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.scaleout.pydio.plugins.modules import gluster_peer
from gluster_replay import Replay, run_module

ALL_NODES = ["fixture-g1", "fixture-g2", "fixture-g3", "fixture-g4"]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    def _run(args: dict[str, Any], script: dict, **kwargs: Any):
        replay = Replay(script)
        result, clock = run_module(gluster_peer.main, args, replay, monkeypatch, capsys, **kwargs)
        return result, replay, clock

    return _run


@pytest.mark.parametrize(
    "nodes",
    [
        ALL_NODES,
        ["10.231.47.11", "10.231.47.12", "10.231.47.13", "10.231.47.14"],  # members known by name, asked by IP
        ["localhost", "fixture-g2", "fixture-g3", "10.231.47.13"],
    ],
)
def test_members_by_any_name_change_nothing_with_one_call(run, nodes: list[str]) -> None:
    result, replay, _ = run({"nodes": nodes}, {"pool list": "pool_list_4_nodes.xml"}, diff=True)
    assert result["changed"] is False
    assert replay.calls == ["pool list"]
    assert result["diff"]["before"] == result["diff"]["after"]
    assert len(result["peers"]) == 4


def test_probing_the_host_it_runs_on_is_a_no_op(run) -> None:
    result, replay, _ = run(
        {"nodes": ["fixture-g1", "localhost", "10.231.47.11"]}, {"pool list": "pool_list_alone.xml"}
    )
    assert result["changed"] is False
    assert replay.calls == ["pool list"]
    assert result["local"] == ["fixture-g1", "localhost", "10.231.47.11"]


def test_a_self_probe_glusterd_recognises_is_not_a_change(run) -> None:
    # A name this host cannot tell is local (e.g. behind NAT); glusterd can.
    script = {"pool list": "pool_list_alone.xml", "peer probe fixture-g9": "peer_probe_self_hostname.xml"}
    result, replay, _ = run({"nodes": ["fixture-g9"]}, script)
    assert result["changed"] is False
    assert result["local"] == ["fixture-g9"]
    assert replay.calls == ["pool list", "peer probe fixture-g9"]


def test_new_peers_are_probed_and_awaited(run) -> None:
    script = {
        "pool list": ["pool_list_alone.xml", "pool_list_g3_known_by_ip.xml", "pool_list_4_nodes.xml"],
        "peer probe fixture-g2": "peer_probe_success.xml",
        "peer probe fixture-g3": "peer_probe_success.xml",
        "peer probe fixture-g4": "peer_probe_success.xml",
    }
    result, replay, clock = run({"nodes": ALL_NODES}, script, diff=True)
    assert result["changed"] is True
    assert replay.mutating() == ["peer probe fixture-g2", "peer probe fixture-g3", "peer probe fixture-g4"]
    # The first poll lacks fixture-g4; the second has everyone in the cluster.
    assert replay.calls[-2:] == ["pool list", "pool list"]
    assert clock.slept == [2.0]
    assert sorted(p["hostname"] for p in result["peers"]) == ["10.231.47.13", "fixture-g2", "fixture-g4", "localhost"]
    assert result["diff"]["before"] == {"peers": []}
    assert result["diff"]["after"] == {"peers": ["fixture-g2", "fixture-g3", "fixture-g4"]}


def test_without_waiting_the_pool_is_read_again(run) -> None:
    script = {
        "pool list": ["pool_list_alone.xml", "pool_list_g3_known_by_ip.xml"],
        "peer probe fixture-g2": "peer_probe_success.xml",
    }
    result, replay, clock = run({"nodes": ["fixture-g2"], "wait_timeout": 0}, script)
    assert result["changed"] is True
    assert replay.calls == ["pool list", "peer probe fixture-g2", "pool list"]
    assert clock.slept == []
    assert "fixture-g2" in [p["hostname"] for p in result["peers"]]


def test_check_mode_probes_nothing(run) -> None:
    result, replay, _ = run({"nodes": ALL_NODES}, {"pool list": "pool_list_alone.xml"}, check_mode=True)
    assert result["changed"] is True
    assert replay.mutating() == []
    assert result["commands"] == [
        "gluster peer probe fixture-g2",
        "gluster peer probe fixture-g3",
        "gluster peer probe fixture-g4",
    ]


def test_peer_that_stays_disconnected_fails_after_wait_timeout(run) -> None:
    result, _replay, clock = run(
        {"nodes": ALL_NODES, "wait_timeout": 10}, {"pool list": "pool_list_g4_disconnected.xml"}
    )
    assert result["failed"] is True
    assert "fixture-g4 (Peer in Cluster, disconnected)" in result["msg"]
    assert "after 10s" in result["msg"]
    assert clock.now >= 10


def test_unreachable_probe_surfaces_glusterd_error(run) -> None:
    script = {"pool list": "pool_list_alone.xml", "peer probe fixture-g5": "peer_probe_unresolvable.xml"}
    result, _, _ = run({"nodes": ["fixture-g5"]}, script)
    assert result["failed"] is True
    assert "Probe returned with Transport endpoint is not connected" in result["msg"]
    assert result["op_errno"] == 107


def test_detaching_a_non_member_is_a_no_op(run) -> None:
    result, replay, _ = run({"nodes": ["fixture-g5"], "state": "absent"}, {"pool list": "pool_list_4_nodes.xml"})
    assert result["changed"] is False
    assert replay.calls == ["pool list"]


def test_detaching_a_peer_with_bricks_is_refused_naming_volumes(run) -> None:
    script = {"pool list": "pool_list_final.xml", "volume info": "volume_info_all.xml"}
    result, replay, _ = run({"nodes": ["10.231.47.14"], "state": "absent"}, script)
    assert result["failed"] is True
    assert "10.231.47.14 holds bricks of arb, disp, dr22, stopped" in result["msg"]
    assert replay.mutating() == []


def test_detach_of_a_member_without_bricks(run) -> None:
    script = {
        "pool list": ["pool_list_4_nodes.xml", "pool_list_after_detach.xml"],
        "volume info": "volume_info_all_no_volumes.xml",
        "peer detach fixture-g4": "peer_detach_success.xml",
    }
    result, replay, _ = run({"nodes": ["fixture-g4"], "state": "absent"}, script, diff=True)
    assert result["changed"] is True
    assert replay.mutating() == ["peer detach fixture-g4"]
    assert "fixture-g4" not in [p["hostname"] for p in result["peers"]]
    assert "fixture-g4" not in result["diff"]["after"]["peers"]


def test_a_dead_peer_whose_bricks_were_replaced_is_detached(run) -> None:
    # fixture-g5 was killed (docker kill), its brick moved to fixture-g2 with
    # replace-brick; glusterd detaches a peer that is down and holds no bricks.
    script = {
        "pool list": ["pool_list_g5_dead.xml", "pool_list_after_dead_peer_detached.xml"],
        "volume info": "volume_info_all_after_replace.xml",
        "peer detach fixture-g5": "peer_detach_down.xml",
    }
    result, replay, _ = run({"nodes": ["fixture-g5"], "state": "absent"}, script, diff=True)
    assert result["changed"] is True
    assert replay.mutating() == ["peer detach fixture-g5"]
    assert "fixture-g5" in result["diff"]["before"]["peers"]
    assert "fixture-g5" not in [p["hostname"] for p in result["peers"]]


def test_the_host_cannot_detach_itself(run) -> None:
    result, replay, _ = run({"nodes": ["fixture-g1"], "state": "absent"}, {"pool list": "pool_list_4_nodes.xml"})
    assert result["failed"] is True
    assert "cannot detach itself" in result["msg"]
    assert replay.mutating() == []
