"""Fixtures for the AWS provider tests: a small AWS world in the shared moto server.

The provider is configured from a YAML file, as an operator would configure it.
The environment holds credentials but no AWS_ENDPOINT_URL and another default
region, so every call only reaches moto (and the right region) if the provider
and the inventory file it writes honour ``endpoint_url`` and ``region``.
Every test sets ``ssh_wait_timeout: 0``: moto's instance addresses are not
loopback addresses, and nothing here may connect to anything but 127.0.0.1.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from aws_provider_helpers import REGION, SECRET_KEY, World, client
from collection_env import CREDENTIAL_ENV, load_collections_from_checkout

from scaleout.providers.aws import AwsProvider

# CREDENTIAL_ENV, and the endpoints that would send calls outside the test's control.
AWS_ENV = (
    *CREDENTIAL_ENV,
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_EC2",
    "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2",
)


@pytest.fixture(scope="session", autouse=True)
def _collection_loader() -> None:
    """Let Ansible, in this process, load scaleout.pydio.* from the checkout."""
    load_collections_from_checkout()


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No AWS variable from outside, empty shared files, no instance metadata, another default region."""
    for key in AWS_ENV:
        monkeypatch.delenv(key, raising=False)
    empty = tmp_path / "aws-empty"
    empty.mkdir()
    (empty / "credentials").write_text("")
    (empty / "config").write_text("")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    # Never ask the (link-local) instance metadata service for credentials.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    return empty


@pytest.fixture
def credentials(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys in the environment (moto accepts any)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTINGPROVIDER")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)


_IMAGES: dict[str, str] = {}


@pytest.fixture
def world(moto_endpoint: str, credentials: None) -> World:
    """A VPC with one subnet, a security group, a key pair and an instance target group.

    moto is not reset between tests (a reset costs more than a test): every
    name here is unique, and tests look only at their own cluster and resources.
    """
    suffix = uuid.uuid4().hex[:10]
    clients = {service: client(moto_endpoint, service) for service in ("ec2", "elbv2")}
    ec2, elbv2 = clients["ec2"], clients["elbv2"]
    if moto_endpoint not in _IMAGES:
        # moto attaches an instance's default root volume at /dev/sda1 whatever the
        # image says; an image whose root device is /dev/sda1 keeps the inventory
        # plugin from taking that root volume for a data volume. (Listing all of
        # moto's images is slow, hence the filter.)
        root = [{"Name": "root-device-name", "Values": ["/dev/sda1"]}]
        images = ec2.describe_images(Owners=["amazon"], Filters=root)["Images"]
        _IMAGES[moto_endpoint] = images[0]["ImageId"]
    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.42.1.0/24", AvailabilityZone=f"{REGION}a")
    group_id = ec2.create_security_group(GroupName=f"pydio-{suffix}", Description="pydio nodes", VpcId=vpc_id)
    ec2.create_key_pair(KeyName=f"pydio-{suffix}")
    cluster = f"t{suffix}"
    # The cluster's own target group, as the elb role names it.
    target_group = elbv2.create_target_group(
        Name=f"pydio-{cluster}-web", Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="instance"
    )["TargetGroups"][0]
    return World(
        endpoint=moto_endpoint,
        image_id=_IMAGES[moto_endpoint],
        vpc_id=vpc_id,
        subnet_id=subnet["Subnet"]["SubnetId"],
        security_group_id=group_id["GroupId"],
        key_name=f"pydio-{suffix}",
        target_group_arn=target_group["TargetGroupArn"],
        target_group_name=f"pydio-{cluster}-web",
        cluster=cluster,
        clients=clients,
    )


@pytest.fixture
def ami_settings(world: World) -> dict[str, Any]:
    """The provider settings of an AMI-based launch, with a data volume and the target group."""
    return {
        "region": REGION,
        "endpoint_url": world.endpoint,
        "ami": world.image_id,
        "instance_type": "t3.small",
        "subnet_id": world.subnet_id,
        "key_name": world.key_name,
        "security_group_ids": [world.security_group_id],
        "storage_volume": {"device": "/dev/xvdb", "size_gb": 100, "type": "gp3"},
        "ssh_wait_timeout": 0,
        "poll_interval": 1,
        "wait_timeout": 20,
    }


@pytest.fixture
def make_provider(tmp_path: Path) -> Callable[..., AwsProvider]:
    """Write a configuration file from settings and build the provider from it, as the runner would."""
    counter = iter(range(1000))

    def make(settings: dict[str, Any], **kwargs: Any) -> AwsProvider:
        path = tmp_path / f"aws-provider-{next(counter)}.yml"
        path.write_text(yaml.safe_dump(settings, sort_keys=False))
        return AwsProvider.from_file(path, inventory_root=tmp_path / "inventory" / "aws", **kwargs)

    return make
