"""AwsProvider.register, deregister and destroy against a moto server: the scale-in order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_provider_helpers import World

from scaleout.model import Cluster, Node
from scaleout.providers.aws import AwsProvider
from scaleout.providers.base import NodeInfo, ProviderError


def launch_web(world: World, provider: AwsProvider, count: int = 2) -> list[NodeInfo]:
    nodes = [Node(f"{world.cluster}-node{i}", ("compute",)) for i in range(1, count + 1)]
    return provider.launch(Cluster(world.cluster), nodes)


@pytest.mark.parametrize("by", ["target_group_name", "target_group_arn"])
def test_register_puts_instances_in_the_target_group(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any], by: str
) -> None:
    settings = {key: value for key, value in ami_settings.items() if not key.startswith("target_group")}
    settings[by] = world.target_group_name if by == "target_group_name" else world.target_group_arn
    provider = make_provider(settings)
    web1, web2 = launch_web(world, provider)
    assert world.targets() == {}

    provider.register(world.cluster, [web1.name, web2.name])

    # moto reports every running target as healthy (health checks are tested in the lab).
    assert world.targets() == {web1.node_id: "healthy", web2.node_id: "healthy"}


def test_scale_in_deregisters_before_it_terminates(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider(ami_settings)
    web1, web2 = launch_web(world, provider)
    provider.register(world.cluster, [web1.name, web2.name])

    provider.deregister(world.cluster, [web2.name])

    # Drained from the target group, and still running: nothing is terminated yet.
    assert world.targets() == {web1.node_id: "healthy"}
    assert world.instance(web2.node_id)["State"]["Name"] == "running"

    provider.destroy(world.cluster, [web2.name])

    assert world.instance(web2.node_id)["State"]["Name"] == "terminated"
    assert world.instance(web1.node_id)["State"]["Name"] == "running"
    assert world.targets() == {web1.node_id: "healthy"}


def test_destroy_drains_a_registered_node_first(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider(ami_settings)
    web1, web2 = launch_web(world, provider)
    provider.register(world.cluster, [web1.name, web2.name])
    # moto drops terminated instances from the target group by itself, so the end state
    # cannot tell whether they were drained first: record the calls as they reach moto.
    calls: list[str] = []
    for service in ("ec2", "elbv2"):
        provider._client(service).meta.events.register("before-call.*.*", lambda model, **_: calls.append(model.name))

    provider.destroy(world.cluster, [web1.name, web2.name])

    assert calls.index("DeregisterTargets") < calls.index("TerminateInstances")
    assert world.targets() == {}
    assert {world.instance(n.node_id)["State"]["Name"] for n in (web1, web2)} == {"terminated"}


def test_destroy_skips_hosts_already_gone(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    warnings: list[str] = []
    provider = make_provider({**ami_settings, "target_group_name": None}, warn=warnings.append)
    (web1,) = launch_web(world, provider, count=1)
    provider.destroy(world.cluster, [web1.name])

    provider.destroy(world.cluster, [web1.name, f"{world.cluster}-node9"])

    assert len(warnings) == 1
    assert f"{world.cluster}-node1" in warnings[0] and f"{world.cluster}-node9" in warnings[0]


def test_register_refuses_unknown_hosts_before_any_change(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider(ami_settings)
    (web1,) = launch_web(world, provider, count=1)

    with pytest.raises(ProviderError, match=r"no running instance named .*-node7 in cluster"):
        provider.register(world.cluster, [web1.name, f"{world.cluster}-node7"])

    assert world.targets() == {}


def test_missing_target_group_is_refused_before_any_change(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    good = make_provider(ami_settings)
    (web1,) = launch_web(world, good, count=1)
    good.register(world.cluster, [web1.name])
    provider = make_provider({**ami_settings, "target_group_name": "no-such-group"})

    for action in (provider.register, provider.deregister):
        with pytest.raises(ProviderError) as error:
            action(world.cluster, [web1.name])
        text = str(error.value)
        assert "target group 'no-such-group' does not exist in us-east-1" in text
        assert "TargetGroupNotFound" in text
    with pytest.raises(ProviderError, match="target group 'no-such-group' does not exist"):
        provider.check(target_group=True)
    assert world.targets() == {web1.node_id: "healthy"}
    assert world.instance(web1.node_id)["State"]["Name"] == "running"


def test_launch_does_not_need_the_target_group_yet(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    # On a first `up`, the elb role creates the target group after the nodes are launched.
    provider = make_provider({**ami_settings, "target_group_name": f"{world.cluster}-later"})
    (web1,) = launch_web(world, provider, count=1)
    assert world.instance(web1.node_id)["State"]["Name"] == "running"
    with pytest.raises(ProviderError, match=f"target group '{world.cluster}-later' does not exist"):
        provider.register(world.cluster, [web1.name])


def test_register_without_a_target_group_configured(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider({**ami_settings, "target_group_name": None})
    (web1,) = launch_web(world, provider, count=1)
    with pytest.raises(ProviderError, match="no target group is configured"):
        provider.register(world.cluster, [web1.name])
