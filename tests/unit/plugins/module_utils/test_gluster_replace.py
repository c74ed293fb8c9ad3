"""Planning replace-brick: (captured state, old and new bricks) -> actions or refusal.

The ``repl`` fixtures are a replica 2 volume on fixture-g3 and fixture-g5,
captured after fixture-g5 was killed (docker kill) with files written to it
before and after; ``rep2`` (fixture-g1, fixture-g2) had one brick process
killed and entries pending heal on the other.
"""

from __future__ import annotations

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_parse import (
    parse_heal_info,
    parse_peers,
    parse_volume_info,
    parse_volume_status,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_plan import (
    HostMatcher,
    PlanError,
    VolumeFacts,
    VolumeRequest,
    validate_request,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_replace import (
    Replacement,
    plan_replace,
    validate_replacements,
)
from gluster_replay import fake_is_local, fake_resolve, fixture_root

G1, G2, G3, G4, G5 = (f"fixture-g{n}" for n in range(1, 6))
DEAD_G5 = Replacement(f"{G5}:/bricks/d/repl", f"{G2}:/bricks/d/repl")


def resolve_without_g5(name: str) -> frozenset[str]:
    """Name resolution once fixture-g5 is gone: its name no longer resolves."""
    return frozenset() if name.lower().startswith(G5) else fake_resolve(name)


def volume(fixture: str):
    return parse_volume_info(fixture_root(fixture))[0]


def facts(pool: str, status: str | None = None, heal: str | None = None) -> VolumeFacts:
    return VolumeFacts(
        matcher=HostMatcher(parse_peers(fixture_root(pool)), resolve_without_g5, fake_is_local),
        status=parse_volume_status(fixture_root(status))[0] if status else None,
        heal=parse_heal_info(fixture_root(heal)) if heal else None,
    )


def dead_g5_facts() -> VolumeFacts:
    return facts(
        "pool_list_g5_dead.xml", "volume_status_replica2_peer_down.xml", "volume_heal_info_replica2_peer_down.xml"
    )


def rep2_facts(status: str, heal: str) -> VolumeFacts:
    return facts("pool_list_final.xml", status, heal)


# --- the dead node's brick moves to a new host ---------------------------------------------------


def test_the_captured_dead_node_is_seen_as_down() -> None:
    status = parse_volume_status(fixture_root("volume_status_replica2_peer_down.xml"))[0]
    online = {brick.name: brick.online for brick in status.bricks}
    assert online.get(f"{G3}:/bricks/d/repl") is True
    assert online.get(f"{G5}:/bricks/d/repl", False) is False
    heal = {brick.name: brick for brick in parse_heal_info(fixture_root("volume_heal_info_replica2_peer_down.xml"))}
    assert not heal[f"{G5}:/bricks/d/repl"].connected


def test_a_dead_nodes_brick_is_replaced_after_reading_pool_status_and_heal() -> None:
    current = volume("volume_info_replica2_g3_g5.xml")
    first = plan_replace("repl", [DEAD_G5], current, VolumeFacts())
    assert (first.needs, first.actions) == ({"pool"}, [])
    second = plan_replace("repl", [DEAD_G5], current, facts("pool_list_g5_dead.xml"))
    assert (second.needs, second.actions) == ({"status", "heal"}, [])
    plan = plan_replace("repl", [DEAD_G5], current, dead_g5_facts())
    assert plan.needs == set()
    assert plan.commands == [f"gluster volume replace-brick repl {G5}:/bricks/d/repl {G2}:/bricks/d/repl commit force"]
    assert plan.before["bricks"] == [f"{G3}:/bricks/d/repl", f"{G5}:/bricks/d/repl"]
    assert plan.after["bricks"] == [f"{G3}:/bricks/d/repl", f"{G2}:/bricks/d/repl"]


def test_the_old_brick_may_be_named_by_its_address() -> None:
    by_address = Replacement("10.231.47.15:/bricks/d/repl", f"{G2}:/bricks/d/repl")
    matcher_facts = dead_g5_facts()
    matcher_facts.matcher = HostMatcher(matcher_facts.matcher.peers, fake_resolve, fake_is_local)
    plan = plan_replace("repl", [by_address], volume("volume_info_replica2_g3_g5.xml"), matcher_facts)
    assert plan.commands == [f"gluster volume replace-brick repl {G5}:/bricks/d/repl {G2}:/bricks/d/repl commit force"]


def test_a_replacement_carried_out_before_changes_nothing_and_reads_nothing_more() -> None:
    plan = plan_replace("repl", [DEAD_G5], volume("volume_info_replica2_after_replace.xml"), VolumeFacts())
    assert (plan.needs, plan.actions) == (set(), [])


def test_a_brick_process_that_died_is_replaced_from_its_online_partner() -> None:
    pair = Replacement(f"{G2}:/bricks/a/rep2", f"{G3}:/bricks/a/rep2")
    plan = plan_replace(
        "rep2",
        [pair],
        volume("volume_info_replica2_started.xml"),
        rep2_facts("volume_status_replica2_brick_down.xml", "volume_heal_info_replica2_pending.xml"),
    )
    assert plan.commands == [f"gluster volume replace-brick rep2 {G2}:/bricks/a/rep2 {G3}:/bricks/a/rep2 commit force"]


def test_an_arbiter_brick_is_replaced_like_a_data_brick() -> None:
    pair = Replacement(f"{G3}:/bricks/c/arb", f"{G4}:/bricks/c/arb")
    plan = plan_replace(
        "arb",
        [pair],
        volume("volume_info_arbiter_1x_2plus1.xml"),
        facts("pool_list_final.xml", "volume_status_arbiter_no_clients.xml", "volume_heal_info_replica2_clean.xml"),
    )
    assert plan.commands == [f"gluster volume replace-brick arb {G3}:/bricks/c/arb {G4}:/bricks/c/arb commit force"]


# --- refusals: each names what is wrong -----------------------------------------------------------


@pytest.mark.parametrize(
    ("volume_fixture", "name", "pairs", "plan_facts", "message"),
    [
        pytest.param(
            "volume_info_distribute_2.xml",
            "dist",
            [Replacement(f"{G2}:/bricks/d/dist", f"{G3}:/bricks/d/dist")],
            VolumeFacts(),
            "keeps one copy of each file (Distribute): replacing a brick would lose the files on it",
            id="pure-distribute",
        ),
        pytest.param(
            "volume_info_replica2_stopped.xml",
            "stopped",
            [Replacement(f"{G4}:/bricks/a/stopped", f"{G2}:/bricks/a/stopped")],
            facts("pool_list_final.xml"),
            "replacing bricks needs volume stopped started, to heal the new bricks; its status is Created",
            id="stopped-volume",
        ),
        pytest.param(
            "volume_info_replica2_g3_g5.xml",
            "repl",
            [Replacement(f"{G5}:/bricks/d/repl", "fixture-g6:/bricks/d/repl")],
            dead_g5_facts(),
            "brick host(s) fixture-g6 are not peers of this trusted pool",
            id="new-host-not-a-peer",
        ),
        pytest.param(
            "volume_info_replica2_g3_g5.xml",
            "repl",
            [Replacement(f"{G3}:/bricks/d/repl", f"{G1}:/bricks/d/repl")],
            dead_g5_facts(),
            f"refusing to replace {G3}:/bricks/d/repl: its set in repl ({G3}:/bricks/d/repl, {G5}:/bricks/d/repl) "
            "needs 1 other data brick(s) online to rebuild the new one from, and has 0 (none)",
            id="last-online-copy",
        ),
        pytest.param(
            "volume_info_replica2_g3_g5.xml",
            "repl",
            [DEAD_G5, Replacement(f"{G3}:/bricks/d/repl", f"{G1}:/bricks/d/repl")],
            dead_g5_facts(),
            f"refusing to replace {G5}:/bricks/d/repl: its set in repl",
            id="whole-set-at-once",
        ),
        pytest.param(
            "volume_info_arbiter_1x_2plus1.xml",
            "arb",
            [
                Replacement(f"{G1}:/bricks/c/arb", f"{G4}:/bricks/c/arb"),
                Replacement(f"{G2}:/bricks/c/arb", f"{G4}:/bricks/e/arbx"),
            ],
            facts("pool_list_final.xml", "volume_status_arbiter_no_clients.xml", "volume_heal_info_replica2_clean.xml"),
            f"refusing to replace {G1}:/bricks/c/arb: its set in arb",
            id="arbiter-is-not-a-copy",
        ),
        pytest.param(
            "volume_info_replica2_started.xml",
            "rep2",
            [Replacement(f"{G1}:/bricks/a/rep2", f"{G3}:/bricks/a/rep2")],
            rep2_facts("volume_status_replica2.xml", "volume_heal_info_replica2_pending.xml"),
            f"refusing to replace {G1}:/bricks/a/rep2: it is reachable and has 6 entries pending heal",
            id="pending-heal-on-the-old-brick",
        ),
        pytest.param(
            "volume_info_replica2_g3_g5.xml",
            "repl",
            [Replacement(f"{G1}:/bricks/d/nosuch", f"{G2}:/bricks/d/repl")],
            dead_g5_facts(),
            f"replace_bricks: {G1}:/bricks/d/nosuch is not a brick of repl (and {G2}:/bricks/d/repl is not either); "
            f"its bricks are {G3}:/bricks/d/repl, {G5}:/bricks/d/repl",
            id="old-brick-not-in-volume",
        ),
        pytest.param(
            "volume_info_replica2_g3_g5.xml",
            "repl",
            [Replacement(f"{G5}:/bricks/d/repl", f"{G3}:/bricks/d/repl")],
            dead_g5_facts(),
            "the new brick must not be in the volume yet",
            id="new-brick-already-in-volume",
        ),
    ],
)
def test_refusals(
    volume_fixture: str, name: str, pairs: list[Replacement], plan_facts: VolumeFacts, message: str
) -> None:
    with pytest.raises(PlanError) as caught:
        plan_replace(name, pairs, volume(volume_fixture), plan_facts)
    assert message in str(caught.value)


def test_a_missing_volume_is_refused() -> None:
    with pytest.raises(PlanError, match="volume repl does not exist: there is no brick to replace"):
        plan_replace("repl", [DEAD_G5], None, VolumeFacts())


# --- static checks of the request ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([], "replace_bricks must list at least one old and new brick"),
        ([(f"{G4}:/b", f"{G4}:/b/")], f"{G4}:/b is both the old and the new brick"),
        ([(f"{G4}:/a", f"{G2}:/a"), (f"{G3}:/a", f"{G2}:/a")], f"names these bricks more than once: {G2}:/a"),
        ([("no-path", f"{G2}:/a")], "no-path"),
    ],
)
def test_replacements_are_checked_before_any_read(pairs: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        validate_replacements(pairs)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"options": {"cluster.quorum-type": "auto"}}, "drop options from this task"),
        ({"reset_options": True, "rebalance": True}, "drop reset_options, rebalance from this task"),
        ({"state": "stopped"}, "drop state: stopped from this task"),
        ({"state": "absent"}, "replace_bricks needs state present or started, not absent"),
    ],
)
def test_replace_bricks_is_given_on_its_own(extra: dict, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        validate_request(VolumeRequest(name="repl", replace_bricks=[(DEAD_G5.old, DEAD_G5.new)], **extra))
