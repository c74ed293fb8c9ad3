"""runner.py bake on AWS, against the moto server: the builder, the AMI, its reuse and the launches from it.

moto runs no machine, so no playbook reaches the builder here: ``install`` stands for playbooks/bake.yml
(the lab's end-to-end test runs that playbook on a real builder). Everything the provider asks of EC2 is real
API traffic to moto.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_provider_helpers import REGION, World

from scaleout.model import Cluster, Node
from scaleout.providers.aws import AwsProvider
from scaleout.providers.base import ProviderError


def tags_of(resource: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag.get("Value", "") for tag in resource.get("Tags", [])}


@pytest.fixture
def source_image(world: World) -> str:
    """An image of this test's own, so that no other test's baked AMI is found for it."""
    ec2 = world.client("ec2")
    instance = ec2.run_instances(ImageId=world.image_id, MinCount=1, MaxCount=1, InstanceType="t3.small")
    instance_id = instance["Instances"][0]["InstanceId"]
    image = ec2.create_image(InstanceId=instance_id, Name=f"source-{world.cluster}")["ImageId"]
    ec2.terminate_instances(InstanceIds=[instance_id])
    return str(image)


@pytest.fixture
def provider(make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any], source_image: str) -> AwsProvider:
    return make_provider({**ami_settings, "ami": source_image, "tags": {"env": "test"}})


def builders(world: World, state: str | None = None) -> list[dict[str, Any]]:
    filters = [{"Name": "tag:pydio:bake", "Values": [world.cluster]}]
    if state:
        filters.append({"Name": "instance-state-name", "Values": [state]})
    pages = world.client("ec2").describe_instances(Filters=filters)["Reservations"]
    return [instance for page in pages for instance in page["Instances"]]


def test_a_bake_runs_the_playbook_on_a_builder_outside_the_cluster_and_records_the_ami(
    world: World, provider: AwsProvider, source_image: str
) -> None:
    seen: list[str] = []

    def install(inventory: Path) -> bool:
        seen.append(inventory.read_text())
        # While the playbook runs, the builder runs, and it is no node of the cluster.
        assert [b["State"]["Name"] for b in builders(world)] == ["running"]
        assert provider.list_nodes(world.cluster) == []
        return True

    image = provider.bake(world.cluster, install)

    (builder,) = builders(world)
    assert builder["State"]["Name"] == "terminated"
    assert builder["ImageId"] == source_image
    assert tags_of(builder) == {"pydio:bake": world.cluster, "Name": f"scaleout-bake-{world.cluster}", "env": "test"}
    assert f"ansible_host: {builder['PrivateIpAddress']}" in seen[0]
    (made,) = world.client("ec2").describe_images(ImageIds=[image])["Images"]
    assert made["State"] == "available"
    assert tags_of(made)["pydio:baked-from"] == source_image
    assert provider.baked_file(world.cluster).read_text().strip() == image
    assert not (provider.inventory_dir(world.cluster) / "bake").exists()


def test_compute_nodes_launch_from_the_baked_ami_and_the_others_from_the_source(
    world: World, provider: AwsProvider, source_image: str
) -> None:
    image = provider.bake(world.cluster, lambda inventory: True)
    nodes = [Node(f"{world.cluster}-node1", ("storage", "compute")), Node(f"{world.cluster}-node3", ("db",))]
    nodes.append(Node(f"{world.cluster}-node5", ("compute",)))
    infos = provider.launch(Cluster(world.cluster), nodes)
    images = {info.name: world.instance(info.node_id)["ImageId"] for info in infos}
    assert images == {nodes[0].name: image, nodes[1].name: source_image, nodes[2].name: image}


def test_a_second_bake_reuses_the_ami_and_rebuild_makes_another(world: World, provider: AwsProvider) -> None:
    first = provider.bake(world.cluster, lambda inventory: True)
    again = provider.bake(world.cluster, lambda inventory: pytest.fail("no builder for an AMI that exists"))
    assert again == first
    assert len(builders(world)) == 1
    rebuilt = provider.bake(world.cluster, lambda inventory: True, rebuild=True)
    assert rebuilt != first
    assert len(builders(world, "terminated")) == 2
    assert provider.baked_file(world.cluster).read_text().strip() == rebuilt


def test_a_failed_playbook_makes_no_ami_records_nothing_and_terminates_the_builder(
    world: World, provider: AwsProvider, source_image: str
) -> None:
    with pytest.raises(ProviderError, match=r"bake\.yml failed on the builder scaleout-bake-t\w+: no image was made"):
        provider.bake(world.cluster, lambda inventory: False)
    assert [b["State"]["Name"] for b in builders(world)] == ["terminated"]
    filters = [{"Name": "tag:pydio:baked-from", "Values": [source_image]}]
    assert world.client("ec2").describe_images(Owners=["self"], Filters=filters)["Images"] == []
    assert not provider.baked_file(world.cluster).exists()


def test_a_builder_left_by_an_interrupted_bake_is_terminated_first(world: World, provider: AwsProvider) -> None:
    ec2 = world.client("ec2")
    tags = [{"Key": "pydio:bake", "Value": world.cluster}, {"Key": "Name", "Value": f"scaleout-bake-{world.cluster}"}]
    ec2.run_instances(
        ImageId=world.image_id,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.small",
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
    )

    def install(inventory: Path) -> bool:
        assert len(builders(world, "running")) == 1
        return True

    provider.bake(world.cluster, install)
    assert [b["State"]["Name"] for b in builders(world)] == ["terminated", "terminated"]


@pytest.mark.parametrize(
    ("spoil", "why"),
    [
        ("deregister", "is gone"),
        ("other-source", "was made from another image than"),
    ],
)
def test_a_launch_from_a_recorded_ami_that_is_gone_or_stale_is_refused_before_any_change(
    world: World,
    make_provider: Callable[..., AwsProvider],
    ami_settings: dict[str, Any],
    provider: AwsProvider,
    spoil: str,
    why: str,
) -> None:
    image = provider.bake(world.cluster, lambda inventory: True)
    if spoil == "deregister":
        world.client("ec2").deregister_image(ImageId=image)
    else:  # the settings now start nodes from another image than the one baked
        provider = make_provider({**ami_settings, "ami": world.image_id})
    with pytest.raises(ProviderError, match=rf"the image {image} that `bake` recorded for cluster '\w+' {why}"):
        provider.launch(Cluster(world.cluster), [Node(f"{world.cluster}-node5", ("compute",))])
    assert world.instances("pending") + world.instances("running") == []


def test_a_launch_template_s_image_is_the_source(world: World, make_provider: Callable[..., AwsProvider]) -> None:
    template = f"{world.cluster}-node"
    world.create_launch_template(template)
    provider = make_provider(
        {
            "region": REGION,
            "endpoint_url": world.endpoint,
            "launch_template": {"name": template},
            "ssh_wait_timeout": 0,
            "poll_interval": 1,
            "wait_timeout": 20,
        }
    )
    assert provider.source_image() == world.image_id
