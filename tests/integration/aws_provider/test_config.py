"""The AWS provider's configuration file: what it accepts and how it refuses the rest.

These tests need no AWS: a bad configuration is refused before any call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_provider_helpers import REPO, SECRET_KEY

from scaleout.model import Node
from scaleout.providers.aws import AwsProvider
from scaleout.providers.aws_config import AwsConfigError, LaunchTemplate, StorageVolume, load_config, parse_config
from scaleout.providers.aws_launch import run_instances_params
from scaleout.providers.base import ProviderError

AMI = {"region": "eu-west-1", "ami": "ami-0123456789abcdef0", "instance_type": "t3.medium"}
TEMPLATE = {"region": "eu-west-1", "launch_template": {"name": "pydio-node"}}


def test_example_file_is_valid() -> None:
    config = load_config(REPO / "inventory" / "aws-provider.example.yml")
    assert config.region == "eu-west-1"
    assert config.launch_template == LaunchTemplate(name="pydio-node")
    assert config.storage_volume == StorageVolume("/dev/xvdb", 100, "gp3")
    assert (config.ssh_port, config.ssh_wait_timeout) == (22, 300)


def test_defaults() -> None:
    config = parse_config(AMI)
    assert config.endpoint_url is None
    assert config.launch_template is None
    assert config.storage_volume is None
    assert config.ansible_host_source == "private_ip"
    assert (config.ssh_port, config.ssh_wait_timeout) == (22, 300.0)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {**TEMPLATE, "ami": "ami-1", "instance_type": "t3.small"},
            "launch_template and ami, instance_type are mutually",
        ),
        ({**TEMPLATE, "subnet_id": "subnet-1"}, "launch_template and subnet_id are mutually exclusive"),
        ({"ami": "ami-1", "instance_type": "t3.small"}, "'region' is required"),
        ({**AMI, "region": "Ireland"}, "'region' is not an AWS region name"),
        ({"region": "eu-west-1"}, "set either launch_template (name or id) or ami and instance_type"),
        ({"region": "eu-west-1", "ami": "ami-1"}, "ami needs instance_type"),
        ({**TEMPLATE, "launch_template": {"name": "a", "id": "lt-1"}}, "exactly one of name and id"),
        ({**TEMPLATE, "launch_template": {"version": 2}}, "exactly one of name and id"),
        ({**TEMPLATE, "launch_template": {"name": "a", "versoin": 2}}, "launch_template: unknown key(s) versoin"),
        ({**AMI, "target_group_name": "pydio-web"}, "'target_group_name' is not a setting any more"),
        ({**AMI, "target_group_arn": "arn:x"}, "each cluster has its own target group, pydio-<cluster>-web"),
        ({**AMI, "storage_volume": {"device": "xvdb", "size_gb": 10}}, "storage_volume.device must be a device path"),
        ({**AMI, "storage_volume": {"device": "/dev/xvdb"}}, "storage_volume: 'size_gb' must be at least 1"),
        ({**AMI, "storage_volume": {"device": "/dev/xvdb", "size_gb": 10, "type": "ssd"}}, "type must be one of gp3"),
        ({**AMI, "ssh_port": 0}, "'ssh_port' must be between 1 and 65535"),
        ({**AMI, "ssh_private_key_file": "/no/such/key.pem"}, "ssh_private_key_file '/no/such/key.pem' is not a file"),
        ({**AMI, "ssh_user": ["admin"]}, "'ssh_user' must be a string"),
        ({**AMI, "ssh_wait_timeout": -1}, "'ssh_wait_timeout' must be a number of seconds, 0 or more"),
        ({**AMI, "ansible_host_source": "dns"}, "'ansible_host_source' must be one of private_ip, public_ip"),
        ({**AMI, "endpoint_url": "localhost:5000"}, "'endpoint_url' must be an http:// or https:// URL"),
        ({**AMI, "security_group_ids": [1]}, "'security_group_ids' must be a list of strings"),
        ({**AMI, "tags": {"Name": "x"}}, "tag 'Name' is set by the provider"),
        ({**AMI, "tags": {"pydio:roles": "db"}}, "tag 'pydio:roles' is set by the provider"),
        ({**AMI, "cluster": "prod"}, "the cluster name comes from --cluster"),
        ({**AMI, "instance_typ": "t3.small"}, "unknown setting 'instance_typ'"),
        ("region: eu-west-1", "expected a mapping of settings"),
    ],
)
def test_bad_settings_are_refused(settings: Any, message: str) -> None:
    with pytest.raises(AwsConfigError) as error:
        parse_config(settings, source="aws.yml")
    assert isinstance(error.value, ProviderError)
    assert message in str(error.value)
    assert str(error.value).startswith("aws.yml")


@pytest.mark.parametrize("key", ["aws_secret_access_key", "aws_access_key_id", "aws_session_token"])
def test_credentials_in_the_file_are_refused_without_echoing_them(key: str) -> None:
    with pytest.raises(AwsConfigError) as error:
        parse_config({**AMI, key: SECRET_KEY})
    assert f"{key!r} looks like a credential" in str(error.value)
    assert SECRET_KEY not in str(error.value)


def test_unreadable_or_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(AwsConfigError, match="cannot read the AWS provider configuration"):
        AwsProvider.from_file(tmp_path / "missing.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text(f"region: eu-west-1\nsecret: [{SECRET_KEY}\n")
    with pytest.raises(AwsConfigError, match=r"is not valid YAML \(line \d+\)") as error:
        load_config(broken)
    assert SECRET_KEY not in str(error.value)


def test_run_instances_params_from_ami_and_from_template() -> None:
    volume = {"device": "/dev/xvdb", "size_gb": 100, "type": "gp3", "encrypted": True}
    ami = parse_config({**AMI, "subnet_id": "subnet-1", "key_name": "k", "security_group_ids": "sg-1"})
    storage = Node("prod-node1", ("storage", "compute"))
    params = run_instances_params(parse_config({**AMI, "storage_volume": volume}), "prod", storage)
    assert params["BlockDeviceMappings"] == [
        {
            "DeviceName": "/dev/xvdb",
            "Ebs": {"VolumeSize": 100, "VolumeType": "gp3", "DeleteOnTermination": True, "Encrypted": True},
        }
    ]
    assert params["TagSpecifications"][0]["Tags"] == [
        {"Key": "pydio:cluster", "Value": "prod"},
        {"Key": "pydio:roles", "Value": "storage,compute"},
        {"Key": "Name", "Value": "prod-node1"},
        {"Key": "pydio:brick_device", "Value": "/dev/xvdb"},
    ]
    db = run_instances_params(ami, "prod", Node("prod-node3", ("db",)))
    assert {k: v for k, v in db.items() if k != "TagSpecifications"} == {
        "MinCount": 1,
        "MaxCount": 1,
        "ImageId": "ami-0123456789abcdef0",
        "InstanceType": "t3.medium",
        "SubnetId": "subnet-1",
        "KeyName": "k",
        "SecurityGroupIds": ["sg-1"],
    }
    template = parse_config({**TEMPLATE, "launch_template": {"id": "lt-1", "version": "$Latest"}})
    from_template = run_instances_params(template, "prod", Node("prod-node3", ("db",)))
    assert from_template["LaunchTemplate"] == {"LaunchTemplateId": "lt-1", "Version": "$Latest"}
    assert "ImageId" not in from_template and "BlockDeviceMappings" not in from_template
