"""Planners: (current state from captured XML, request) -> actions or refusal."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_parse import (
    parse_heal_info,
    parse_peers,
    parse_volume_get,
    parse_volume_info,
    parse_volume_status,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_plan import (
    HostMatcher,
    PlanError,
    VolumeFacts,
    VolumeRequest,
    count_mounts,
    plan_options,
    plan_peers,
    plan_volume,
    validate_request,
)
from gluster_replay import fake_is_local, fake_resolve, fixture_root

G1, G2, G3, G4 = (f"fixture-g{n}" for n in range(1, 5))


def matcher(fixture: str = "pool_list_final.xml") -> HostMatcher:
    return HostMatcher(parse_peers(fixture_root(fixture)), fake_resolve, fake_is_local)


def volume(fixture: str):
    return parse_volume_info(fixture_root(fixture))[0]


def commands(plan) -> list[str]:
    return plan.commands


def request(**kwargs: Any) -> VolumeRequest:
    return validate_request(VolumeRequest(**kwargs))


# --- host identity ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("fixture-g2", "fixture-g2"),
        ("FIXTURE-G2", "fixture-g2"),
        ("10.231.47.12", "fixture-g2"),  # known by name, asked by address
        ("10.231.47.13", "10.231.47.13"),
        ("fixture-g3", "10.231.47.13"),  # glusterd's second hostname
        ("fixture-g1", "localhost"),  # the host itself, by name
        ("10.231.47.11", "localhost"),
        ("localhost", "localhost"),
        ("127.0.0.1", "localhost"),
    ],
)
def test_matcher_finds_a_peer_by_any_name_or_address(name: str, expected: str) -> None:
    peer = matcher().find(name)
    assert peer is not None
    assert peer.hostname == expected


@pytest.mark.parametrize("name", ["fixture-g5", "10.231.47.99", "nosuchhost"])
def test_matcher_does_not_invent_peers(name: str) -> None:
    assert matcher().find(name) is None


# --- peers ------------------------------------------------------------------------------


def test_probe_of_members_by_any_name_is_a_no_op() -> None:
    plan = plan_peers([G1, "10.231.47.12", G3, "fixture-g4", "localhost"], "present", matcher())
    assert plan.actions == []
    assert plan.local == [G1, "localhost"]


def test_probing_the_host_it_runs_on_is_a_no_op() -> None:
    # gluster.gluster's fault: the local host is never in `peer status`, so it was probed.
    plan = plan_peers([G1, "10.231.47.11", "localhost"], "present", matcher("pool_list_alone.xml"))
    assert plan.actions == []
    assert plan.local == [G1, "10.231.47.11", "localhost"]


def test_new_peers_are_probed_then_awaited() -> None:
    plan = plan_peers([G1, G2, "10.231.47.13"], "present", matcher("pool_list_alone.xml"))
    assert commands(plan) == [
        "gluster peer probe fixture-g2",
        "gluster peer probe 10.231.47.13",
        "wait until fixture-g2, 10.231.47.13 are 'Peer in Cluster' and connected",
    ]
    assert plan.before == []
    assert plan.after == ["10.231.47.13", "fixture-g2"]


def test_two_names_of_one_new_host_are_probed_once() -> None:
    plan = plan_peers(["fixture-g5", "10.231.47.15"], "present", matcher())
    assert [a.args for a in plan.actions if a.kind == "run"] == [("peer", "probe", "fixture-g5")]


def test_disconnected_member_is_awaited_not_probed() -> None:
    plan = plan_peers([G2, G4], "present", matcher("pool_list_g4_disconnected.xml"))
    assert commands(plan) == ["wait until fixture-g4 are 'Peer in Cluster' and connected"]


def test_detaching_a_non_member_is_a_no_op() -> None:
    plan = plan_peers(["fixture-g5", "10.231.47.99"], "absent", matcher())
    assert plan.actions == []
    assert plan.needs == set()


def test_detach_needs_the_volumes_first() -> None:
    plan = plan_peers([G4], "absent", matcher())
    assert plan.needs == {"volumes"}
    assert plan.actions == []


def test_detaching_a_peer_with_bricks_is_refused_naming_the_volumes() -> None:
    volumes = parse_volume_info(fixture_root("volume_info_all.xml"))
    with pytest.raises(PlanError) as caught:
        plan_peers([G4], "absent", matcher(), volumes)
    message = str(caught.value)
    assert "fixture-g4 holds bricks of arb, disp, dr22, stopped" in message


def test_detach_uses_the_name_glusterd_knows() -> None:
    plan = plan_peers(["fixture-g3"], "absent", matcher(), [])
    assert commands(plan) == ["gluster peer detach 10.231.47.13"]
    assert "10.231.47.13" not in plan.after


def test_the_host_cannot_detach_itself() -> None:
    with pytest.raises(PlanError, match="cannot detach itself"):
        plan_peers([G1], "absent", matcher(), [])


def test_empty_node_list_is_refused() -> None:
    with pytest.raises(PlanError, match="at least one host"):
        plan_peers(["", " "], "present", matcher())


# --- volume requests: bad inputs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"replica": 2, "bricks": [f"{G1}:/b", f"{G2}:/b", f"{G3}:/b"]},
            "3 bricks are not a multiple of the set size 2",
        ),
        (
            {"replica": 2, "arbiter": 1, "bricks": [f"{G1}:/b", f"{G2}:/b", f"{G3}:/b", f"{G4}:/b"]},
            "4 bricks are not a multiple of the set size 3 (replica 2 + arbiter 1",
        ),
        ({"replica": 3, "arbiter": 1, "bricks": [f"{G1}:/b", f"{G2}:/b", f"{G3}:/b"]}, "arbiter: 1 needs replica: 2"),
        ({"arbiter": 1, "bricks": [f"{G1}:/b", f"{G2}:/b"]}, "arbiter: 1 needs replica: 2"),
        ({"replica": 2, "arbiter": 2, "bricks": [f"{G1}:/b", f"{G2}:/b"]}, "arbiter must be 1"),
        ({"replica": 0, "bricks": [f"{G1}:/b"]}, "replica must be 1 or more"),
        ({"replica": 2, "disperse": 3, "bricks": [f"{G1}:/b"]}, "disperse cannot be combined"),
        ({"disperse": 2, "bricks": [f"{G1}:/b", f"{G2}:/b"]}, "disperse must be 3 or more"),
        ({"disperse": 4, "redundancy": 2, "bricks": [f"{G1}:/b"] * 1}, "less than half of disperse 4"),
        ({"redundancy": 1, "bricks": [f"{G1}:/b"]}, "redundancy needs disperse"),
        ({"bricks": [f"{G1}/b"]}, "is not of the form host:/path"),
        ({"bricks": [f"{G1}:b"]}, "is not of the form host:/path"),
        ({"replica": 2, "bricks": [f"{G1}:/b", f"{G1}:/b/"]}, "listed twice: fixture-g1:/b"),
        ({"bricks": []}, "at least one host:/path"),
        ({"name": "has space"}, "volume name 'has space' is not valid"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(kwargs: dict, message: str) -> None:
    kwargs.setdefault("name", "vol")
    with pytest.raises(PlanError) as caught:
        validate_request(VolumeRequest(**kwargs))
    assert message in str(caught.value)


def test_absent_ignores_the_layout() -> None:
    assert validate_request(VolumeRequest(name="v", state="absent", replica=2, bricks=[f"{G1}:/b"])).state == "absent"


# --- volume: create ---------------------------------------------------------------------------


def test_create_replica_2_and_start() -> None:
    req = request(name="rep2", state="present", replica=2, bricks=[f"{G1}:/bricks/a/rep2", f"{G2}:/bricks/a/rep2"])
    plan = plan_volume(req, None, VolumeFacts(matcher=matcher()))
    assert commands(plan) == [
        "gluster volume create rep2 replica 2 transport tcp fixture-g1:/bricks/a/rep2 fixture-g2:/bricks/a/rep2",
        "gluster volume start rep2",
    ]
    assert plan.before == {"state": "absent"}
    assert plan.after["state"] == "started"


def test_create_needs_the_pool_first() -> None:
    req = request(name="rep2", replica=2, bricks=[f"{G1}:/b", f"{G2}:/b"])
    plan = plan_volume(req, None)
    assert plan.needs == {"pool"}
    assert plan.actions == []


def test_arbiter_maps_to_replica_3_arbiter_1_and_force_only_when_given() -> None:
    bricks = [f"{G1}:/c/arb", f"{G2}:/c/arb", f"{G3}:/c/arb"]
    plan = plan_volume(
        request(name="arb", replica=2, arbiter=1, bricks=bricks, force=True), None, VolumeFacts(matcher())
    )
    assert plan.actions[0].args == (
        "volume",
        "create",
        "arb",
        "replica",
        "3",
        "arbiter",
        "1",
        "transport",
        "tcp",
        *bricks,
        "force",
    )
    plan = plan_volume(request(name="arb", replica=2, arbiter=1, bricks=bricks), None, VolumeFacts(matcher()))
    assert "force" not in plan.actions[0].args


def test_create_disperse() -> None:
    bricks = [f"{G2}:/d", f"{G3}:/d", f"{G4}:/d"]
    plan = plan_volume(request(name="disp", disperse=3, redundancy=1, bricks=bricks), None, VolumeFacts(matcher()))
    assert commands(plan)[0] == (
        "gluster volume create disp disperse 3 redundancy 1 transport tcp fixture-g2:/d fixture-g3:/d fixture-g4:/d"
    )


@pytest.mark.parametrize("state", ["started", "stopped"])
def test_started_or_stopped_on_a_missing_volume_creates_it(state: str) -> None:
    # gluster.gluster's fault: `state: started` on a missing volume failed with "volume not found".
    req = request(name="v", state=state, replica=2, bricks=[f"{G1}:/b", f"{G2}:/b"])
    cmds = commands(plan_volume(req, None, VolumeFacts(matcher())))
    assert cmds[0].startswith("gluster volume create v replica 2")
    assert ("gluster volume start v" in cmds) is (state == "started")


def test_missing_volume_without_bricks_is_refused() -> None:
    with pytest.raises(PlanError, match="does not exist; give bricks to create it"):
        plan_volume(request(name="v", state="started"), None)


def test_brick_host_that_is_not_a_peer_is_refused_before_any_change() -> None:
    req = request(name="v", replica=2, bricks=[f"{G1}:/b", "fixture-g5:/b", f"{G2}:/c", "10.231.47.99:/c"])
    with pytest.raises(PlanError) as caught:
        plan_volume(req, None, VolumeFacts(matcher()))
    assert "10.231.47.99, fixture-g5 are not peers of this trusted pool" in str(caught.value)


def test_brick_host_that_is_disconnected_is_refused() -> None:
    req = request(name="v", replica=2, bricks=[f"{G1}:/b", f"{G4}:/b"])
    with pytest.raises(PlanError, match=r"fixture-g4 .* are not connected members"):
        plan_volume(req, None, VolumeFacts(matcher("pool_list_g4_disconnected.xml")))


def test_new_volume_options_are_checked_after_create_and_rolled_back() -> None:
    req = request(name="v", replica=2, bricks=[f"{G1}:/b", f"{G2}:/b"], options={"write-behind": False})
    plan = plan_volume(req, None, VolumeFacts(matcher()))
    assert commands(plan) == [
        "gluster volume create v replica 2 transport tcp fixture-g1:/b fixture-g2:/b",
        "check option names against `gluster volume get v all`",
        "gluster volume set v write-behind off",
        "gluster volume start v",
    ]
    assert [a.describe() for a in plan.rollback] == ["gluster volume delete v"]


# --- volume: no change ------------------------------------------------------------------------


REP2_BRICKS = [f"{G1}:/bricks/a/rep2", f"{G2}:/bricks/a/rep2"]
REP2_OPTIONS = {
    "performance.write-behind": "off",
    "performance.cache-size": "64MB",
    "network.ping-timeout": "20",
    "cluster.quorum-type": "auto",
}


@pytest.mark.parametrize(
    ("fixture", "kwargs"),
    [
        ("volume_info_replica2_started.xml", {"replica": 2, "bricks": REP2_BRICKS, "options": REP2_OPTIONS}),
        (
            "volume_info_dist_replicate_2x3.xml",
            {
                "replica": 3,
                "state": "started",
                "bricks": [f"fixture-g{n}:/bricks/{d}/r3x2" for d in "ab" for n in (1, 2, 3)],
            },
        ),
        (
            "volume_info_arbiter_2x_2plus1.xml",
            {
                "replica": 2,
                "arbiter": 1,
                "bricks": [
                    *(f"{G1}:/bricks/c/arb", f"{G2}:/bricks/c/arb", f"{G3}:/bricks/c/arb"),
                    *(f"{G2}:/bricks/e/arb", f"{G3}:/bricks/e/arb", f"{G4}:/bricks/e/arb"),
                ],
            },
        ),
        ("volume_info_disperse_1x_2plus1.xml", {"disperse": 3, "redundancy": 1}),
        ("volume_info_distribute_2.xml", {"bricks": [f"{G1}:/bricks/d/dist", f"{G2}:/bricks/d/dist"]}),
        ("volume_info_replica2_stopped.xml", {"state": "stopped", "replica": 2}),
        ("volume_info_replica2_stopped.xml", {"state": "present"}),
    ],
)
def test_matching_request_plans_nothing_and_needs_nothing(fixture: str, kwargs: dict) -> None:
    current = volume(fixture)
    plan = plan_volume(request(name=current.name, **kwargs), current)
    assert plan.needs == set()
    assert plan.actions == []


@pytest.mark.parametrize(
    "options",
    [
        {"performance.write-behind": False},  # YAML `off`
        {"performance.write-behind": "disable"},
        {"write-behind": "no"},  # short name
        {"performance.cache-size": 67108864},
        {"performance.cache-size": "64M"},
        {"network.ping-timeout": 20},
    ],
)
def test_equivalent_option_values_are_not_set_again(options: dict) -> None:
    current = volume("volume_info_replica2_started.xml")
    assert plan_volume(request(name="rep2", options=options), current).actions == []


def test_bricks_by_address_need_the_pool_then_match() -> None:
    current = volume("volume_info_replica2_started.xml")
    req = request(name="rep2", replica=2, bricks=["10.231.47.11:/bricks/a/rep2", "10.231.47.12:/bricks/a/rep2/"])
    assert plan_volume(req, current).needs == {"pool"}
    plan = plan_volume(req, current, VolumeFacts(matcher()))
    assert plan.needs == set()
    assert plan.actions == []


# --- volume: options ---------------------------------------------------------------------------


def test_changed_option_is_set_with_its_full_name() -> None:
    current = volume("volume_info_replica2_started.xml")
    plan = plan_volume(request(name="rep2", options={"write-behind": True, "cache-size": "128MB"}), current)
    assert commands(plan) == [
        "gluster volume set rep2 performance.write-behind on",
        "gluster volume set rep2 performance.cache-size 128MB",
    ]
    assert plan.before["options"]["performance.write-behind"] == "off"
    assert plan.after["options"]["performance.write-behind"] == "on"


def test_option_not_set_yet_needs_the_option_names() -> None:
    current = volume("volume_info_replica2_started.xml")
    req = request(name="rep2", options={"performance.read-ahead": False})
    assert plan_volume(req, current).needs == {"options"}
    known = parse_volume_get(fixture_root("volume_get_replica2_all.xml"))
    plan = plan_volume(req, current, VolumeFacts(known_options=known))
    assert commands(plan) == ["gluster volume set rep2 performance.read-ahead off"]


def test_unknown_option_name_is_refused_with_suggestions() -> None:
    current = volume("volume_info_replica2_started.xml")
    known = parse_volume_get(fixture_root("volume_get_replica2_all.xml"))
    req = request(name="rep2", options={"performance.write-behnd": "off", "no.such-option": "on"})
    with pytest.raises(PlanError) as caught:
        plan_volume(req, current, VolumeFacts(known_options=known))
    message = str(caught.value)
    assert "performance.write-behnd (did you mean performance.write-behind" in message
    assert "no.such-option" in message
    assert "gluster volume get rep2 all" in message


def test_two_names_for_one_option_are_refused() -> None:
    with pytest.raises(PlanError, match=r"both name performance\.write-behind"):
        plan_options(
            "rep2", {"performance.write-behind": "off"}, {"write-behind": "on", "performance.write-behind": 1}, False
        )


def test_reset_options_resets_what_is_not_listed_but_keeps_glusterd_defaults() -> None:
    current = volume("volume_info_replica2_started.xml")
    plan = plan_volume(request(name="rep2", options={"write-behind": "off"}, reset_options=True), current)
    assert sorted(commands(plan)) == [
        "gluster volume reset rep2 cluster.quorum-type",
        "gluster volume reset rep2 network.ping-timeout",
        "gluster volume reset rep2 performance.cache-size",
    ]
    assert "nfs.disable" in plan.after["options"]


def test_reset_options_after_create_changes_nothing() -> None:
    current = volume("volume_info_replica2_stopped.xml")
    assert plan_volume(request(name="stopped", reset_options=True), current).actions == []


# --- volume: bricks ------------------------------------------------------------------------------


DR22_BRICKS = [f"{G1}:/bricks/b/dr22", f"{G2}:/bricks/b/dr22", f"{G3}:/bricks/b/dr22", f"{G4}:/bricks/b/dr22"]
DR22_THIRD_SET = [f"{G3}:/bricks/e/dr22", f"{G4}:/bricks/e/dr22"]


def test_add_brick_always_passes_replica_n() -> None:
    # gluster.gluster's fault: add-brick without `replica N` unless the user repeated it.
    current = volume("volume_info_dist_replicate_2x2.xml")
    for req in (
        request(name="dr22", bricks=DR22_BRICKS + DR22_THIRD_SET),
        request(name="dr22", replica=2, bricks=DR22_BRICKS + DR22_THIRD_SET),
    ):
        plan = plan_volume(req, current, VolumeFacts(matcher()))
        assert commands(plan) == [
            "gluster volume add-brick dr22 replica 2 fixture-g3:/bricks/e/dr22 fixture-g4:/bricks/e/dr22"
        ]
        assert plan.after["layout"] == "3 x 2 = 6"


def test_add_brick_to_an_arbiter_volume_passes_replica_3_arbiter_1() -> None:
    current = volume("volume_info_arbiter_1x_2plus1.xml")
    new = [f"{G2}:/bricks/e/arb", f"{G3}:/bricks/e/arb", f"{G4}:/bricks/e/arb"]
    bricks = [f"{G1}:/bricks/c/arb", f"{G2}:/bricks/c/arb", f"{G3}:/bricks/c/arb", *new]
    plan = plan_volume(
        request(name="arb", replica=2, arbiter=1, bricks=bricks, force=True), current, VolumeFacts(matcher())
    )
    assert plan.actions[0].args == ("volume", "add-brick", "arb", "replica", "3", "arbiter", "1", *new, "force")


def test_add_brick_to_a_distribute_volume_has_no_replica_word() -> None:
    current = volume("volume_info_distribute_2.xml")
    bricks = [f"{G1}:/bricks/d/dist", f"{G2}:/bricks/d/dist", f"{G3}:/bricks/d/dist"]
    plan = plan_volume(request(name="dist", bricks=bricks), current, VolumeFacts(matcher()))
    assert commands(plan) == ["gluster volume add-brick dist fixture-g3:/bricks/d/dist"]


def test_rebalance_is_started_and_awaited_after_add_brick() -> None:
    # gluster.gluster's fault: rebalance started and never awaited.
    current = volume("volume_info_dist_replicate_2x2.xml")
    req = request(name="dr22", replica=2, bricks=DR22_BRICKS + DR22_THIRD_SET, rebalance=True)
    assert commands(plan_volume(req, current, VolumeFacts(matcher()))) == [
        "gluster volume add-brick dr22 replica 2 fixture-g3:/bricks/e/dr22 fixture-g4:/bricks/e/dr22",
        "gluster volume rebalance dr22 start",
        "wait until `gluster volume rebalance dr22 status` is completed",
    ]


def test_rebalance_without_new_bricks_does_nothing() -> None:
    current = volume("volume_info_dist_replicate_2x2.xml")
    assert plan_volume(request(name="dr22", bricks=DR22_BRICKS, rebalance=True), current).actions == []


@pytest.mark.parametrize(
    ("bricks", "message"),
    [
        ([*DR22_BRICKS, f"{G3}:/bricks/e/dr22"], "5 bricks are not a multiple of the set size 2 of volume dr22"),
        (
            [f"{G1}:/bricks/b/dr22", f"{G3}:/bricks/e/dr22", f"{G3}:/bricks/b/dr22", f"{G4}:/bricks/b/dr22"],
            "mixes existing bricks (fixture-g1:/bricks/b/dr22) with new ones",
        ),
        (
            [f"{G1}:/bricks/b/dr22", f"{G3}:/bricks/b/dr22", f"{G2}:/bricks/b/dr22", f"{G4}:/bricks/b/dr22"],
            "into a different replica set",
        ),
        ([*DR22_BRICKS, "fixture-g5:/b", f"{G4}:/b"], "fixture-g5 are not peers of this trusted pool"),
    ],
)
def test_bad_brick_changes_are_refused(bricks: list[str], message: str) -> None:
    current = volume("volume_info_dist_replicate_2x2.xml")
    with pytest.raises(PlanError) as caught:
        plan_volume(request(name="dr22", bricks=bricks), current, VolumeFacts(matcher()))
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("fixture", "kwargs", "message"),
    [
        ("volume_info_replica2_started.xml", {"replica": 3}, "is Replicate 1 x 2 = 2; the request asks for replica 3"),
        ("volume_info_dist_replicate_2x3.xml", {"replica": 2}, "is Distributed-Replicate 2 x 3 = 6"),
        ("volume_info_arbiter_1x_2plus1.xml", {"replica": 2}, "asks for replica 2"),
        ("volume_info_replica2_started.xml", {"replica": 2, "arbiter": 1}, "replica 2 + arbiter 1"),
        ("volume_info_disperse_1x_2plus1.xml", {"disperse": 4}, "disperse 4"),
        ("volume_info_replica2_started.xml", {"transport": "rdma"}, "uses transport tcp"),
    ],
)
def test_layout_changes_are_refused(fixture: str, kwargs: dict, message: str) -> None:
    current = volume(fixture)
    with pytest.raises(PlanError) as caught:
        plan_volume(request(name=current.name, **kwargs), current)
    assert message in str(caught.value)


def heal(fixture: str):
    return parse_heal_info(fixture_root(fixture))


def test_remove_brick_is_start_wait_commit_after_a_heal_check() -> None:
    current = volume("volume_info_dist_replicate_3x2.xml")
    req = request(name="dr22", replica=2, bricks=DR22_BRICKS)
    assert plan_volume(req, current).needs == {"heal"}
    facts = VolumeFacts(heal=heal("volume_heal_info_dist_replicate_3x2_clean.xml"))
    plan = plan_volume(req, current, facts)
    third = "fixture-g3:/bricks/e/dr22 fixture-g4:/bricks/e/dr22"
    assert commands(plan) == [
        f"gluster volume remove-brick dr22 {third} start",
        f"wait until `gluster volume remove-brick dr22 {third} status` is completed",
        f"gluster volume remove-brick dr22 {third} commit",
    ]
    assert plan.after["layout"] == "2 x 2 = 4"


@pytest.mark.parametrize(
    ("heal_fixture", "message"),
    [
        ("volume_heal_info_dist_replicate_3x2_pending.xml", "entries"),
        ("volume_heal_info_replica2_pending.xml", "fixture-g2:/bricks/a/rep2: Transport endpoint is not connected"),
    ],
)
def test_remove_brick_is_refused_while_heals_are_pending(heal_fixture: str, message: str) -> None:
    current = volume("volume_info_dist_replicate_3x2.xml")
    with pytest.raises(PlanError) as caught:
        plan_volume(request(name="dr22", bricks=DR22_BRICKS), current, VolumeFacts(heal=heal(heal_fixture)))
    assert "refusing to remove bricks from dr22 while self-heal is pending" in str(caught.value)
    assert message in str(caught.value)


def test_remove_brick_of_a_stopped_volume_is_refused() -> None:
    current = volume("volume_info_dist_replicate_2x2.xml")
    current.status = "Stopped"
    with pytest.raises(PlanError, match="needs volume dr22 started"):
        plan_volume(request(name="dr22", bricks=DR22_BRICKS[:2], state="stopped"), current)


def test_remove_brick_from_distribute_needs_no_heal_check() -> None:
    current = volume("volume_info_distribute_2.xml")
    plan = plan_volume(request(name="dist", bricks=[f"{G1}:/bricks/d/dist"]), current)
    assert plan.needs == set()
    assert commands(plan)[0] == "gluster volume remove-brick dist fixture-g2:/bricks/d/dist start"


# --- volume: run state ---------------------------------------------------------------------------


def test_start_comes_first_and_stop_last() -> None:
    stopped = volume("volume_info_replica2_stopped.xml")
    plan = plan_volume(request(name="stopped", state="started", options={"nfs.disable": "off"}), stopped)
    assert commands(plan) == ["gluster volume start stopped", "gluster volume set stopped nfs.disable off"]
    started = volume("volume_info_replica2_started.xml")
    plan = plan_volume(request(name="rep2", state="stopped", options={"write-behind": "on"}), started)
    assert commands(plan) == ["gluster volume set rep2 performance.write-behind on", "gluster volume stop rep2"]
    assert plan.before["state"] == "started"
    assert plan.after["state"] == "stopped"


def test_present_keeps_a_stopped_volume_stopped() -> None:
    assert plan_volume(request(name="stopped"), volume("volume_info_replica2_stopped.xml")).actions == []


# --- volume: absent --------------------------------------------------------------------------------


def test_absent_on_a_missing_volume_does_nothing() -> None:
    assert plan_volume(request(name="gone", state="absent"), None).actions == []


def test_absent_stops_then_deletes_and_warns_about_mounts() -> None:
    current = volume("volume_info_replica2_started.xml")
    req = request(name="rep2", state="absent")
    assert plan_volume(req, current).needs == {"clients", "pool"}
    status = parse_volume_status(fixture_root("volume_status_replica2_clients.xml"))[0]
    plan = plan_volume(req, current, VolumeFacts(matcher=matcher(), status=status))
    assert commands(plan) == ["gluster volume stop rep2", "gluster volume delete rep2"]
    assert len(plan.warnings) == 1
    assert "still mounted by clients (10.231.47.11 (1), 10.231.47.14 (1))" in plan.warnings[0]


def test_absent_of_a_stopped_volume_only_deletes() -> None:
    plan = plan_volume(request(name="stopped", state="absent"), volume("volume_info_replica2_stopped.xml"))
    assert commands(plan) == ["gluster volume delete stopped"]


def test_self_heal_daemons_are_not_counted_as_mounts() -> None:
    status = parse_volume_status(fixture_root("volume_status_arbiter_no_clients.xml"))[0]
    assert count_mounts(status, matcher(), replicated=True) == {}
    clients = parse_volume_status(fixture_root("volume_status_replica2_clients.xml"))[0]
    assert count_mounts(clients, matcher(), replicated=True) == {"10.231.47.11": 1, "10.231.47.14": 1}
