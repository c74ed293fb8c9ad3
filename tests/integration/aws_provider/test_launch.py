"""AwsProvider.launch, list_nodes and inventory against a moto server, over HTTP."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from aws_provider_helpers import REGION, World

from scaleout.model import Cluster, Node
from scaleout.plan import default_lab_nodes
from scaleout.providers.aws import AwsProvider
from scaleout.providers.base import Provider, ProviderError


def tags_of(instance: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in instance.get("Tags", [])}


def data_devices(instance: dict[str, Any]) -> list[str]:
    root = instance.get("RootDeviceName")
    return [m["DeviceName"] for m in instance.get("BlockDeviceMappings", []) if m["DeviceName"] != root]


def test_is_a_provider(make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]) -> None:
    provider: Provider = make_provider(ami_settings)
    assert provider.name == "aws"
    for method in ("list_nodes", "launch", "inventory", "register", "deregister", "destroy"):
        expected = list(inspect.signature(getattr(Provider, method)).parameters)
        assert list(inspect.signature(getattr(AwsProvider, method)).parameters) == expected, method


def test_launch_from_ami_sets_parameters_tags_and_brick_volumes(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider({**ami_settings, "tags": {"env": "test"}})
    nodes = default_lab_nodes(world.cluster)

    infos = provider.launch(Cluster(world.cluster), nodes)

    assert [info.name for info in infos] == [node.name for node in nodes]
    assert [info.groups for info in infos] == [node.groups for node in nodes]
    for node, info in zip(nodes, infos, strict=True):
        instance = world.instance(info.node_id)
        assert instance["State"]["Name"] == "running"
        assert instance["ImageId"] == world.image_id
        assert instance["InstanceType"] == "t3.small"
        assert instance["SubnetId"] == world.subnet_id
        assert instance["KeyName"] == world.key_name
        assert [g["GroupId"] for g in instance["SecurityGroups"]] == [world.security_group_id]
        assert info.private_ip == instance["PrivateIpAddress"]
        assert info.address == instance["PrivateIpAddress"]
        tags = tags_of(instance)
        assert tags["pydio:cluster"] == world.cluster
        assert tags["pydio:roles"] == ",".join(node.groups)
        assert tags["Name"] == node.name
        assert tags["env"] == "test"
        if "storage" in node.groups:
            assert data_devices(instance) == ["/dev/xvdb"]
            (mapping,) = (m for m in instance["BlockDeviceMappings"] if m["DeviceName"] == "/dev/xvdb")
            assert mapping["Ebs"]["DeleteOnTermination"] is True
            assert tags["pydio:brick_device"] == "/dev/xvdb"
            assert info.hostvars["gluster_brick_device"] == "/dev/xvdb"
        else:
            assert data_devices(instance) == []
            assert "pydio:brick_device" not in tags
            assert "gluster_brick_device" not in info.hostvars

    # The brick volumes: as configured, tagged.
    volumes = world.volumes()
    assert len(volumes) == 2
    assert {v["Size"] for v in volumes} == {100}
    storage_ids = {info.node_id for info in infos if "storage" in info.groups}
    assert {v["Attachments"][0]["InstanceId"] for v in volumes} == storage_ids
    for volume in volumes:
        assert volume["VolumeType"] == "gp3"
        assert volume["Attachments"][0]["Device"] == "/dev/xvdb"
        assert tags_of(volume)["pydio:cluster"] == world.cluster


def test_launch_from_launch_template(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    template_id = world.create_launch_template(f"{world.cluster}-node", instance_type="m5.large")
    settings = {
        "region": REGION,
        "endpoint_url": world.endpoint,
        "launch_template": {"name": f"{world.cluster}-node", "version": "1"},
        "storage_volume": {"device": "/dev/sdf", "size_gb": 50, "type": "gp2", "brick_device": "/dev/nvme1n1"},
        "ssh_wait_timeout": 0,
        "poll_interval": 1,
    }
    provider = make_provider(settings)
    nodes = (Node(f"{world.cluster}-node1", ("storage", "compute")), Node(f"{world.cluster}-node2", ("db",)))

    infos = provider.launch(Cluster(world.cluster), nodes)

    storage, db = (world.instance(info.node_id) for info in infos)
    for instance in (storage, db):
        # Everything comes from the template.
        assert instance["InstanceType"] == "m5.large"
        assert instance["ImageId"] == world.image_id
        assert instance["KeyName"] == world.key_name
        assert [g["GroupId"] for g in instance["SecurityGroups"]] == [world.security_group_id]
        assert tags_of(instance)["aws:ec2launchtemplate:id"] == template_id
        assert tags_of(instance)["aws:ec2launchtemplate:version"] == "1"
    assert data_devices(storage) == ["/dev/sdf"]
    assert data_devices(db) == []
    # The device as the OS shows it goes into the tag, hence gluster_brick_device.
    assert tags_of(storage)["pydio:brick_device"] == "/dev/nvme1n1"
    assert infos[0].hostvars["gluster_brick_device"] == "/dev/nvme1n1"
    (volume,) = world.volumes()
    assert volume["Size"] == 50
    assert volume["VolumeType"] == "gp2"


def test_launch_by_template_id(world: World, make_provider: Callable[..., AwsProvider]) -> None:
    template_id = world.create_launch_template(f"{world.cluster}-by-id", instance_type="c5.xlarge")
    settings = {
        "region": REGION,
        "endpoint_url": world.endpoint,
        "launch_template": {"id": template_id},
        "ssh_wait_timeout": 0,
    }
    (info,) = make_provider(settings).launch(Cluster(world.cluster), [Node(f"{world.cluster}-node1", ("db",))])
    assert world.instance(info.node_id)["InstanceType"] == "c5.xlarge"


def test_list_nodes_reads_the_cluster_through_the_inventory_plugin(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider(ami_settings)
    nodes = default_lab_nodes(world.cluster)
    launched = provider.launch(Cluster(world.cluster), nodes)
    # Another cluster in the same account is not listed.
    other = f"{world.cluster}-other"
    provider.launch(Cluster(other), [Node(f"{other}-node1", ("db",))])

    listed = provider.list_nodes(world.cluster)

    assert [n.name for n in listed] == [n.name for n in nodes]
    assert listed == launched
    by_name = {n.name: n for n in listed}
    assert by_name[f"{world.cluster}-node1"].groups == ("storage", "compute")
    assert by_name[f"{world.cluster}-node3"].groups == ("db",)
    assert by_name[f"{world.cluster}-node4"].groups == ("lb",)
    for info in listed:
        instance = world.instance(info.node_id)
        assert info.private_ip == instance["PrivateIpAddress"]
        assert info.address == instance["PrivateIpAddress"]
        assert info.hostvars["instance_id"] == instance["InstanceId"]
    assert by_name[f"{world.cluster}-node2"].hostvars["gluster_brick_device"] == "/dev/xvdb"
    assert "gluster_brick_device" not in by_name[f"{world.cluster}-node3"].hostvars


def test_list_nodes_natural_order_and_empty_cluster(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider(ami_settings)
    assert provider.list_nodes(world.cluster) == []
    names = [f"{world.cluster}-node{i}" for i in (10, 2, 1)]
    provider.launch(Cluster(world.cluster), [Node(name, ("compute",)) for name in names])
    assert [n.name for n in provider.list_nodes(world.cluster)] == [
        f"{world.cluster}-node1",
        f"{world.cluster}-node2",
        f"{world.cluster}-node10",
    ]


def test_inventory_file_is_what_ansible_reads(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any], tmp_path: Path
) -> None:
    provider = make_provider(ami_settings)
    provider.launch(Cluster(world.cluster), default_lab_nodes(world.cluster))

    path = provider.inventory(world.cluster)

    assert path == tmp_path / "inventory" / "aws" / world.cluster / "ec2.yml"
    config = yaml.safe_load(path.read_text())
    assert config["plugin"] == "scaleout.pydio.ec2"
    assert config["cluster"] == world.cluster
    assert config["regions"] == [REGION]
    assert config["endpoint_url"] == world.endpoint
    assert "testing" not in path.read_text() and "AKIA" not in path.read_text()
    # ansible-playbook's way of reading it.
    inventory = InventoryManager(loader=DataLoader(), sources=[str(path)])
    members = {g: sorted(h.name for h in inventory.groups[g].get_hosts()) for g in ("storage", "compute", "db", "lb")}
    node = [f"{world.cluster}-node{i}" for i in range(1, 5)]
    assert members == {"storage": node[:2], "compute": node[:2], "db": [node[2]], "lb": [node[3]]}
    assert str(inventory.get_host(node[0]).get_vars()["gluster_brick_device"]) == "/dev/xvdb"


def test_launch_refuses_names_already_running(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider(ami_settings)
    node = Node(f"{world.cluster}-node1", ("compute",))
    provider.launch(Cluster(world.cluster), [node])

    with pytest.raises(ProviderError, match=r"already has instances named .*-node1"):
        provider.launch(Cluster(world.cluster), [node, Node(f"{world.cluster}-node2", ("compute",))])

    assert len(world.instances()) == 1


def test_public_address_source(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    # In the default VPC's subnets, instances get a public address.
    settings = {key: value for key, value in ami_settings.items() if key not in ("subnet_id", "security_group_ids")}
    provider = make_provider({**settings, "ansible_host_source": "public_ip"})
    (launched,) = provider.launch(Cluster(world.cluster), [Node(f"{world.cluster}-node1", ("db",))])
    instance = world.instance(launched.node_id)
    assert instance["PublicIpAddress"] != instance["PrivateIpAddress"]
    assert launched.address == instance["PublicIpAddress"]
    assert launched.private_ip == instance["PrivateIpAddress"]
    (listed,) = provider.list_nodes(world.cluster)
    assert listed.address == instance["PublicIpAddress"]
    assert listed.private_ip == instance["PrivateIpAddress"]
