"""AwsProvider.register, deregister and destroy against a moto server: the scale-in order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_provider_helpers import World

from scaleout.model import Cluster, Node
from scaleout.providers.aws import AwsProvider
from scaleout.providers.base import NodeInfo, ProviderError


def launch_web(world: World, provider: AwsProvider, count: int = 2) -> list[NodeInfo]:
    nodes = [Node(f"{world.cluster}-node{i}", ("compute",)) for i in range(1, count + 1)]
    return provider.launch(Cluster(world.cluster), nodes)


def test_register_puts_instances_in_the_clusters_own_target_group(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider(ami_settings)
    web1, web2 = launch_web(world, provider)
    assert world.targets() == {}

    provider.register(world.cluster, [web1.name, web2.name])

    # moto reports every running target as healthy (health checks are tested in the lab).
    assert world.targets() == {web1.node_id: "healthy", web2.node_id: "healthy"}
    assert provider.target_group_name(world.cluster) == f"pydio-{world.cluster}-web"


def test_two_clusters_in_one_account_never_touch_each_others_targets(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    # One settings file, two clusters: each has its own target group.
    provider = make_provider(ami_settings)
    other = f"{world.cluster}b"
    world.client("elbv2").create_target_group(
        Name=f"pydio-{other}-web", Protocol="HTTP", Port=80, VpcId=world.vpc_id, TargetType="instance"
    )
    web1, web2 = launch_web(world, provider)
    (stage1,) = provider.launch(Cluster(other), [Node(f"{other}-node1", ("compute",))])
    provider.register(other, [stage1.name])

    provider.register(world.cluster, [web1.name, web2.name])
    assert world.targets(f"pydio-{other}-web") == {stage1.node_id: "healthy"}

    provider.deregister(world.cluster, [web2.name])
    provider.destroy(world.cluster, [web1.name, web2.name])

    assert world.targets() == {}
    assert world.targets(f"pydio-{other}-web") == {stage1.node_id: "healthy"}
    assert world.instance(stage1.node_id)["State"]["Name"] == "running"
    # A cluster's name finds only its own nodes: the other cluster's node is not one of them.
    with pytest.raises(ProviderError, match=f"no running instance named {other}-node1 in cluster '{world.cluster}'"):
        provider.register(world.cluster, [f"{other}-node1"])


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
    provider = make_provider(ami_settings, warn=warnings.append)
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
    # A cluster whose elb role has not run yet has no target group.
    provider = make_provider(ami_settings)
    lonely = f"{world.cluster}n"
    (web1,) = provider.launch(Cluster(lonely), [Node(f"{lonely}-node1", ("compute",))])

    for action in (provider.register, provider.deregister):
        with pytest.raises(ProviderError) as error:
            action(lonely, [web1.name])
        text = str(error.value)
        assert f"target group 'pydio-{lonely}-web' of cluster '{lonely}' does not exist in us-east-1" in text
        assert "TargetGroupNotFound" in text
    with pytest.raises(ProviderError, match=f"target group 'pydio-{lonely}-web' of cluster '{lonely}' does not exist"):
        provider.check(lonely)
    assert world.instance(web1.node_id)["State"]["Name"] == "running"
    assert world.targets() == {}


def test_launch_does_not_need_the_target_group_yet(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    # On a first `up`, the elb role creates the target group after the nodes are launched.
    provider = make_provider(ami_settings)
    later = f"{world.cluster}l"
    (web1,) = provider.launch(Cluster(later), [Node(f"{later}-node1", ("compute",))])
    assert world.instance(web1.node_id)["State"]["Name"] == "running"


def test_the_provider_tells_the_playbooks_the_cluster_and_its_connection(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any], tmp_path: Path
) -> None:
    provider = make_provider(ami_settings)
    assert provider.playbook_vars(world.cluster) == {
        "elb_backend": "aws",
        "elb_cluster_name": world.cluster,
        "elb_target_group_name": f"pydio-{world.cluster}-web",
        "elb_aws_region": "us-east-1",
        "elb_aws_endpoint_url": world.endpoint,
        "elb_aws_profile": "",
    }
    # The SSH login of the settings file reaches Ansible as its own variables.
    key = tmp_path / "pydio-admin.pem"
    key.write_text("not a real key\n")
    login = {"ssh_user": "admin", "ssh_private_key_file": str(key), "ssh_port": 2222}
    variables = make_provider({**ami_settings, **login}).playbook_vars(world.cluster)
    assert (variables["ansible_user"], variables["ansible_ssh_private_key_file"], variables["ansible_port"]) == (
        "admin",
        str(key),
        2222,
    )


def test_unjoined_finds_nodes_launched_but_never_registered(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider(ami_settings)
    web1, web2, web3 = launch_web(world, provider, count=3)
    provider.register(world.cluster, [web1.name, web2.name])

    # web3: a scale --compute that failed between launching and registering it.
    assert provider.unjoined(world.cluster) == [web3.name]

    # web2: a scale-in that deregistered it, then stopped; it is leaving, not one to finish.
    provider.deregister(world.cluster, [web2.name])
    assert provider.unjoined(world.cluster) == [web3.name]

    provider.register(world.cluster, [web3.name])
    assert provider.unjoined(world.cluster) == []


def test_unjoined_is_empty_before_the_first_up_made_the_target_group(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider(ami_settings)
    fresh = f"{world.cluster}f"
    provider.launch(Cluster(fresh), [Node(f"{fresh}-node1", ("compute",))])
    assert provider.unjoined(fresh) == []


def test_destroy_without_a_target_group_warns_without_claiming_nothing_changed(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    # down of a cluster whose first up never made the load balancer.
    warnings: list[str] = []
    provider = make_provider(ami_settings, warn=warnings.append)
    bare = f"{world.cluster}d"
    (node,) = provider.launch(Cluster(bare), [Node(f"{bare}-node1", ("compute",))])

    provider.destroy(bare, [node.name])

    assert world.instance(node.node_id)["State"]["Name"] == "terminated"
    assert len(warnings) == 1
    assert f"target group 'pydio-{bare}-web' of cluster '{bare}' does not exist" in warnings[0]
    assert "nothing was changed" not in warnings[0]
