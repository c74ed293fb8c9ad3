"""The scaleout.pydio.ec2 inventory plugin against a moto server, over HTTP.

Most tests load the inventory the way ansible-playbook does, through
ansible's InventoryManager. Tests of errors call the plugin's parse() (loaded
by ansible's plugin loader) so that the exception and its text can be checked;
InventoryManager would only show them as warnings. One test runs the
ansible-inventory command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

pytestmark = pytest.mark.usefixtures("reset_moto")

REPO = Path(__file__).resolve().parents[3]
COLLECTIONS = REPO / ".collections"

ROLES = ("storage", "compute", "db", "lb")


def unique_cluster() -> str:
    # Ansible shows a given warning once per process: unique names keep
    # each test's warnings its own.
    return f"c-{uuid.uuid4().hex[:10]}"


def load(path: Path, cache: bool = True) -> InventoryManager:
    """Load an inventory source as ansible-playbook does."""
    return InventoryManager(loader=DataLoader(), sources=[str(path)], cache=cache)


def parse_directly(path: Path, cache: bool = True) -> InventoryData:
    """Run the plugin's parse(), letting its exceptions through."""
    plugin = inventory_loader.get("scaleout.pydio.ec2")
    assert plugin is not None
    assert plugin.verify_file(str(path))
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), str(path), cache=cache)
    return inventory


def members(inventory: InventoryManager, group: str) -> list[str]:
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def host_vars(inventory: InventoryManager, name: str) -> dict[str, Any]:
    variables = dict(inventory.get_host(name).get_vars())
    for key in ("inventory_file", "inventory_dir", "inventory_hostname", "inventory_hostname_short", "group_names"):
        variables.pop(key, None)
    return variables


def warnings_of(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    return " ".join((captured.out + captured.err).split())


def plain(value: Any) -> Any:
    """Ansible 2.19 tags inventory strings; compare them as plain values."""
    if isinstance(value, str):
        return str(value)
    return value


def ec2_client(endpoint: str, region: str, key: str = "testing", secret: str = "testing") -> Any:
    return boto3.client(
        "ec2",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
    )


_IMAGES: dict[tuple[str, str], str] = {}


def image_id(client: Any, endpoint: str, region: str) -> str:
    """An image moto knows (its default images survive a reset); listing them is slow."""
    if (endpoint, region) not in _IMAGES:
        _IMAGES[endpoint, region] = client.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    return _IMAGES[endpoint, region]


def launch(
    endpoint: str,
    region: str,
    tags: dict[str, str],
    count: int = 1,
    data_device: str | None = None,
    **kwargs: Any,
) -> list[str]:
    """Run ``count`` instances in one reservation; return their ids."""
    client = ec2_client(endpoint, region)
    image = image_id(client, endpoint, region)
    params: dict[str, Any] = {
        "ImageId": image,
        "MinCount": count,
        "MaxCount": count,
        "InstanceType": "t3.small",
        **kwargs,
    }
    if tags:
        params["TagSpecifications"] = [
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    if data_device:
        params["BlockDeviceMappings"] = [{"DeviceName": data_device, "Ebs": {"VolumeSize": 10}}]
    return [i["InstanceId"] for i in client.run_instances(**params)["Instances"]]


# ---------------------------------------------------------------- selection


def test_groups_hostvars_and_selection(
    moto_endpoint: str, aws_env: dict[str, str], write_config: Callable[..., Path]
) -> None:
    cluster = unique_cluster()
    region = "us-east-1"
    tag = {"pydio:cluster": cluster}
    (s1,) = launch(
        moto_endpoint, region, {**tag, "Name": "node1", "pydio:roles": "storage,compute"}, data_device="/dev/sdf"
    )
    (s2,) = launch(
        moto_endpoint,
        region,
        {**tag, "Name": "node2", "pydio:roles": "storage, compute", "pydio:brick_device": "/dev/nvme1n1"},
        data_device="/dev/sdf",
    )
    launch(moto_endpoint, region, {**tag, "Name": "db1", "pydio:roles": "db"})
    launch(moto_endpoint, region, {**tag, "Name": "lb1", "pydio:roles": "lb"})
    # Not selected: another cluster, no cluster tag, stopped, terminated.
    launch(moto_endpoint, region, {"pydio:cluster": "other", "Name": "foreign", "pydio:roles": "db"})
    launch(moto_endpoint, region, {"Name": "untagged", "pydio:roles": "db"})
    (stopped,) = launch(moto_endpoint, region, {**tag, "Name": "stopped", "pydio:roles": "db"})
    (gone,) = launch(moto_endpoint, region, {**tag, "Name": "gone", "pydio:roles": "db"})
    client = boto3.client("ec2", region_name=region)
    client.stop_instances(InstanceIds=[stopped])
    client.terminate_instances(InstanceIds=[gone])

    inventory = load(write_config(cluster=cluster, regions=[region]))

    assert sorted(inventory.hosts) == ["db1", "lb1", "node1", "node2"]
    assert members(inventory, "storage") == ["node1", "node2"]
    assert members(inventory, "compute") == ["node1", "node2"]
    assert members(inventory, "db") == ["db1"]
    assert members(inventory, "lb") == ["lb1"]

    node1 = host_vars(inventory, "node1")
    assert set(node1) == {"ansible_host", "private_ip", "instance_id", "availability_zone", "gluster_brick_device"}
    described = client.describe_instances(InstanceIds=[s1])["Reservations"][0]["Instances"][0]
    assert plain(node1["ansible_host"]) == described["PrivateIpAddress"]
    assert plain(node1["private_ip"]) == described["PrivateIpAddress"]
    assert plain(node1["instance_id"]) == s1
    assert plain(node1["availability_zone"]) == described["Placement"]["AvailabilityZone"]
    # From the block-device mapping, and from the tag, which wins.
    assert plain(node1["gluster_brick_device"]) == "/dev/sdf"
    assert plain(host_vars(inventory, "node2")["gluster_brick_device"]) == "/dev/nvme1n1"
    assert plain(host_vars(inventory, "node2")["instance_id"]) == s2
    # No data volume: no brick device (a directory brick).
    assert "gluster_brick_device" not in host_vars(inventory, "db1")


def test_role_tag_edge_cases_warn(
    moto_endpoint: str,
    aws_env: dict[str, str],
    write_config: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster = unique_cluster()
    launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "plain"})
    launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "mon", "pydio:roles": "monitoring,db"})

    inventory = load(write_config(cluster=cluster, regions=["us-east-1"]))

    assert members(inventory, "ungrouped") == ["plain"]
    assert members(inventory, "monitoring") == ["mon"]
    assert members(inventory, "db") == ["mon"]
    # The four role groups exist even when empty.
    for role in ROLES:
        assert role in inventory.groups
    text = warnings_of(capsys)
    assert "1 host(s) have no pydio:roles tag" in text
    assert "plain" in text
    assert "roles monitoring in pydio:roles are not among storage, compute, db, lb, session_store" in text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("name_tag", lambda ids, dns: {"web-a", "web-b", ids[2]}),
        ("instance_id", lambda ids, dns: set(ids)),
        ("private_dns", lambda ids, dns: set(dns)),
    ],
)
def test_hostname_source(
    moto_endpoint: str,
    aws_env: dict[str, str],
    write_config: Callable[..., Path],
    source: str,
    expected: Callable[[list[str], list[str]], set[str]],
) -> None:
    cluster = unique_cluster()
    ids = [
        *launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "web-a", "pydio:roles": "compute"}),
        *launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "web-b", "pydio:roles": "compute"}),
        *launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "pydio:roles": "compute"}),
    ]
    reservations = boto3.client("ec2").describe_instances(InstanceIds=ids)["Reservations"]
    by_id = {i["InstanceId"]: i["PrivateDnsName"] for r in reservations for i in r["Instances"]}
    dns = [by_id[i] for i in ids]

    inventory = load(write_config(cluster=cluster, regions=["us-east-1"], hostname_source=source))

    assert set(inventory.hosts) == expected(ids, dns)
    assert set(members(inventory, "compute")) == expected(ids, dns)


def test_duplicate_names_are_listed_by_instance_id_with_a_warning(
    moto_endpoint: str,
    aws_env: dict[str, str],
    write_config: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster = unique_cluster()
    tags = {"pydio:cluster": cluster, "Name": "web", "pydio:roles": "compute"}
    first = launch(moto_endpoint, "us-east-1", tags)[0]
    second = launch(moto_endpoint, "eu-west-1", tags)[0]
    launch(moto_endpoint, "us-east-1", {**tags, "Name": "db", "pydio:roles": "db"})

    inventory = load(write_config(cluster=cluster, regions=["us-east-1", "eu-west-1"]))

    assert sorted(inventory.hosts) == sorted(["db", first, second])
    assert members(inventory, "compute") == sorted([first, second])
    assert "web" not in inventory.hosts
    # A host may carry the name of a group.
    assert members(inventory, "db") == ["db"]
    text = warnings_of(capsys)
    assert "2 instances share the name 'web'" in text
    assert first in text
    assert second in text


def test_public_ip_as_ansible_host(
    moto_endpoint: str, aws_env: dict[str, str], write_config: Callable[..., Path]
) -> None:
    cluster = unique_cluster()
    (instance,) = launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "pub", "pydio:roles": "lb"})
    described = boto3.client("ec2").describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]
    assert described.get("PublicIpAddress"), "moto gives instances in the default VPC a public address"

    public = load(write_config(cluster=cluster, regions=["us-east-1"], ansible_host_source="public_ip"))
    private = load(write_config("private.ec2.yml", cluster=cluster, regions=["us-east-1"]))

    assert plain(host_vars(public, "pub")["ansible_host"]) == described["PublicIpAddress"]
    assert plain(host_vars(public, "pub")["private_ip"]) == described["PrivateIpAddress"]
    assert plain(host_vars(private, "pub")["ansible_host"]) == described["PrivateIpAddress"]


def test_extra_filters_are_applied(
    moto_endpoint: str, aws_env: dict[str, str], write_config: Callable[..., Path]
) -> None:
    cluster = unique_cluster()
    launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "blue", "env": "blue", "pydio:roles": "db"})
    launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "green", "env": "green", "pydio:roles": "db"})

    inventory = load(write_config(cluster=cluster, regions=["us-east-1"], filters={"tag:env": ["green"]}))

    assert sorted(inventory.hosts) == ["green"]


def test_pagination_past_1000_instances(
    moto_endpoint: str, aws_env: dict[str, str], write_config: Callable[..., Path]
) -> None:
    # moto pages DescribeInstances by reservation: 1,005 single-instance
    # reservations need two pages of 1,000.
    cluster = unique_cluster()
    client = boto3.client("ec2", region_name="us-west-2")
    image = image_id(client, moto_endpoint, "us-west-2")
    total = 1005
    for number in range(total):
        client.run_instances(
            ImageId=image,
            MinCount=1,
            MaxCount=1,
            TagSpecifications=[
                {
                    "ResourceType": "instance",
                    "Tags": [
                        {"Key": "pydio:cluster", "Value": cluster},
                        {"Key": "Name", "Value": f"n{number:04d}"},
                        {"Key": "pydio:roles", "Value": "compute"},
                    ],
                }
            ],
        )
    first_page = client.describe_instances(
        Filters=[{"Name": "tag:pydio:cluster", "Values": [cluster]}], MaxResults=1000
    )
    assert "NextToken" in first_page, "the data must span more than one page"

    inventory = load(write_config(cluster=cluster, regions=["us-west-2"]))

    assert len(inventory.hosts) == total
    assert members(inventory, "compute") == [f"n{number:04d}" for number in range(total)]


def test_several_regions(moto_endpoint: str, aws_env: dict[str, str], write_config: Callable[..., Path]) -> None:
    cluster = unique_cluster()
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "ca-central-1"]
    for region, count in zip(regions[:3], (3, 2, 1), strict=True):
        for number in range(count):
            launch(
                moto_endpoint,
                region,
                {"pydio:cluster": cluster, "Name": f"{region}-{number}", "pydio:roles": "storage"},
            )

    inventory = load(write_config(cluster=cluster, regions=regions))

    assert len(inventory.hosts) == 6
    for name in inventory.hosts:
        region = name.rsplit("-", 1)[0]
        assert plain(host_vars(inventory, name)["availability_zone"]).startswith(region)


def test_regions_default_to_the_aws_configuration(
    moto_endpoint: str, aws_env: dict[str, str], write_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = unique_cluster()
    launch(moto_endpoint, "eu-central-1", {"pydio:cluster": cluster, "Name": "frankfurt", "pydio:roles": "db"})
    launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "virginia", "pydio:roles": "db"})
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")

    inventory = load(write_config(cluster=cluster))

    assert sorted(inventory.hosts) == ["frankfurt"]


def test_constructed_options(moto_endpoint: str, aws_env: dict[str, str], write_config: Callable[..., Path]) -> None:
    cluster = unique_cluster()
    launch(
        moto_endpoint,
        "us-east-1",
        {"pydio:cluster": cluster, "Name": "a", "pydio:roles": "storage,compute", "env": "prod"},
    )
    launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "b", "pydio:roles": "db", "env": "test"})

    inventory = load(
        write_config(
            cluster=cluster,
            regions=["us-east-1"],
            strict=True,
            compose={"ansible_user": "'admin'", "zone_letter": "availability_zone[-1]"},
            groups={"gluster_and_web": "'storage' in roles and 'compute' in roles"},
            keyed_groups=[
                {"key": "tags['env']", "prefix": "env"},
                {"key": "region", "prefix": "aws"},
            ],
        )
    )

    assert plain(host_vars(inventory, "a")["ansible_user"]) == "admin"
    assert plain(host_vars(inventory, "b")["zone_letter"]) == "a"
    assert members(inventory, "gluster_and_web") == ["a"]
    assert members(inventory, "env_prod") == ["a"]
    assert members(inventory, "env_test") == ["b"]
    assert members(inventory, "aws_us_east_1") == ["a", "b"]
    # Lean host variables: what compose sees is not stored on the host.
    assert "tags" not in host_vars(inventory, "a")
    assert "roles" not in host_vars(inventory, "a")


def test_constructed_strict_reports_a_bad_expression(
    moto_endpoint: str, aws_env: dict[str, str], write_config: Callable[..., Path]
) -> None:
    cluster = unique_cluster()
    launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "a", "pydio:roles": "db"})
    path = write_config(
        cluster=cluster,
        regions=["us-east-1"],
        strict=True,
        keyed_groups=[{"key": "tags['no_such_tag']", "prefix": "x"}],
    )

    with pytest.raises(AnsibleError, match="Could not generate group for host a"):
        parse_directly(path)


# ------------------------------------------------------------------ caching


def test_cached_parse_makes_no_api_call(
    private_moto: Any,
    aws_env: dict[str, str],
    write_config: Callable[..., Path],
    tmp_path: Path,
) -> None:
    cluster = unique_cluster()
    for number, roles in enumerate(("storage,compute", "storage,compute", "db", "lb")):
        launch(
            private_moto.endpoint,
            "us-east-1",
            {"pydio:cluster": cluster, "Name": f"n{number}", "pydio:roles": roles},
        )
    cache_dir = tmp_path / "cache"
    path = write_config(
        cluster=cluster,
        regions=["us-east-1"],
        endpoint_url=private_moto.endpoint,
        cache=True,
        cache_plugin="ansible.builtin.jsonfile",
        cache_connection=str(cache_dir),
    )

    first = load(path)
    assert sorted(first.hosts) == ["n0", "n1", "n2", "n3"]
    assert len(list(cache_dir.iterdir())) == 1

    # No AWS any more: a parse that made any API call would fail.
    private_moto.stop()

    second = load(path)
    assert sorted(second.hosts) == ["n0", "n1", "n2", "n3"]
    for role in ROLES:
        assert members(second, role) == members(first, role)
    for name in first.hosts:
        assert host_vars(second, name) == host_vars(first, name)

    # The control: without the cache the same file does reach for the server.
    with pytest.raises(AnsibleError, match="Listing EC2 instances in us-east-1 failed"):
        parse_directly(path, cache=False)


def test_cached_result_is_not_reused_for_another_query(
    moto_endpoint: str, aws_env: dict[str, str], write_config: Callable[..., Path], tmp_path: Path
) -> None:
    first_cluster, second_cluster = unique_cluster(), unique_cluster()
    launch(moto_endpoint, "us-east-1", {"pydio:cluster": first_cluster, "Name": "one", "pydio:roles": "db"})
    launch(moto_endpoint, "us-east-1", {"pydio:cluster": second_cluster, "Name": "two", "pydio:roles": "db"})
    options = {
        "regions": ["us-east-1"],
        "cache": True,
        "cache_plugin": "ansible.builtin.jsonfile",
        "cache_connection": str(tmp_path / "cache"),
    }

    assert sorted(load(write_config(cluster=first_cluster, **options)).hosts) == ["one"]
    # Same file, another cluster: the cached hosts of the first must not come back.
    assert sorted(load(write_config(cluster=second_cluster, **options)).hosts) == ["two"]


def test_an_empty_refresh_replaces_the_cached_hosts(
    moto_endpoint: str, aws_env: dict[str, str], write_config: Callable[..., Path], tmp_path: Path
) -> None:
    cluster = unique_cluster()
    ids = launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "pydio:roles": "db"}, count=2)
    path = write_config(
        cluster=cluster,
        regions=["us-east-1"],
        cache=True,
        cache_plugin="ansible.builtin.jsonfile",
        cache_connection=str(tmp_path / "cache"),
    )
    assert sorted(load(path).hosts) == sorted(ids)

    boto3.client("ec2").terminate_instances(InstanceIds=ids)
    # --flush-cache: AWS is asked again and has nothing.
    assert list(load(path, cache=False).hosts) == []
    # The cache must not bring the terminated instances back.
    assert list(load(path).hosts) == []


# ------------------------------------------------------------------- errors


def test_missing_cluster_is_a_clear_error(aws_env: dict[str, str], write_config: Callable[..., Path]) -> None:
    with pytest.raises(AnsibleParserError, match="'cluster' option is required") as err:
        parse_directly(write_config(regions=["us-east-1"]))
    assert "pydio:cluster" in str(err.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cluster": ""}, "'cluster' option is required"),
        ({"cluster": "x", "regions": ["Europe"]}, "not an AWS region name"),
        ({"cluster": "x", "filters": {"tag:pydio:cluster": "y"}}, "'cluster' option selects the cluster"),
        ({"cluster": "x", "filters": {"instance-state-name": "stopped"}}, "stopped cannot be listed"),
        ({"cluster": "x", "aws_profile": "p", "aws_access_key_id": "k"}, "not both"),
    ],
)
def test_bad_options_are_clear_errors(
    aws_env: dict[str, str], write_config: Callable[..., Path], options: dict[str, Any], message: str
) -> None:
    options.setdefault("regions", ["us-east-1"])
    with pytest.raises(AnsibleParserError, match=message):
        parse_directly(write_config(**options))


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("cluster.ec2.yml", True),
        ("ec2.yaml", True),
        ("ec2.yml", True),
        ("cluster.yml", False),
        ("ec2.json", False),
        ("cluster.ec2.yml.bak", False),
    ],
)
def test_verify_file_wants_an_ec2_yml_suffix(tmp_path: Path, name: str, accepted: bool) -> None:
    path = tmp_path / name
    path.write_text("plugin: scaleout.pydio.ec2\ncluster: x\n")
    plugin = inventory_loader.get("scaleout.pydio.ec2")
    assert plugin.verify_file(str(path)) is accepted


def test_no_credentials(moto_endpoint: str, no_aws_credentials: None, write_config: Callable[..., Path]) -> None:
    path = write_config(cluster="x", regions=["us-east-1"], endpoint_url=moto_endpoint)
    with pytest.raises(AnsibleError, match="No AWS credentials were found"):
        parse_directly(path)


def test_credentials_from_a_profile(
    moto_endpoint: str,
    no_aws_credentials: None,
    write_config: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cluster = unique_cluster()
    launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "p1", "pydio:roles": "db"})
    credentials = tmp_path / "credentials"
    credentials.write_text("[pydio-test]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))

    options = {"cluster": cluster, "regions": ["us-east-1"], "endpoint_url": moto_endpoint}
    inventory = load(write_config(aws_profile="pydio-test", **options))
    assert sorted(inventory.hosts) == ["p1"]

    with pytest.raises(AnsibleError, match="AWS profile not found"):
        parse_directly(write_config("other.ec2.yml", aws_profile="nobody", **options))


def test_access_denied_names_the_missing_permission(
    private_moto: Any, no_aws_credentials: None, write_config: Callable[..., Path]
) -> None:
    cluster = unique_cluster()
    launch(private_moto.endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "x1", "pydio:roles": "db"})
    iam = boto3.client(
        "iam",
        region_name="us-east-1",
        endpoint_url=private_moto.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    def user_with(action: str) -> dict[str, str]:
        name = f"u-{uuid.uuid4().hex[:8]}"
        iam.create_user(UserName=name)
        iam.put_user_policy(
            UserName=name,
            PolicyName="only",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
            ),
        )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}

    lacking = user_with("ec2:DescribeRegions")
    allowed = user_with("ec2:DescribeInstances")
    private_moto.enforce_iam()
    options = {"cluster": cluster, "regions": ["us-east-1"], "endpoint_url": private_moto.endpoint}

    with pytest.raises(AnsibleError, match="Access denied listing instances in us-east-1") as err:
        parse_directly(write_config("denied.ec2.yml", **options, **lacking))
    assert "ec2:DescribeInstances" in str(err.value)

    # The control: the same cluster with the permission.
    assert sorted(load(write_config("allowed.ec2.yml", **options, **allowed)).hosts) == ["x1"]

    # Keys AWS does not know get AuthFailure: what a region that is not
    # enabled for the account also answers.
    unknown = {"aws_access_key_id": "AKIAUNKNOWN000000000", "aws_secret_access_key": "x" * 40}
    with pytest.raises(AnsibleError, match="AWS could not validate the credentials in us-east-1") as err:
        parse_directly(write_config("unknown.ec2.yml", **options, **unknown))
    assert "not enabled for the account" in str(err.value)


def test_empty_result_warns(
    aws_env: dict[str, str], write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = unique_cluster()
    path = write_config(cluster=cluster, regions=["us-east-1", "eu-west-1"])

    inventory = load(path)

    assert list(inventory.hosts) == []
    text = warnings_of(capsys)
    assert f"no running or pending instance is tagged pydio:cluster={cluster} in us-east-1, eu-west-1" in text


# -------------------------------------------------------- ansible-inventory


def _cli_env(extra: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, **extra}
    env["ANSIBLE_COLLECTIONS_PATH"] = str(COLLECTIONS)
    env["ANSIBLE_CONFIG"] = str(REPO / "ansible.cfg")
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def test_ansible_inventory_list(moto_endpoint: str, aws_env: dict[str, str], write_config: Callable[..., Path]) -> None:
    cluster = unique_cluster()
    launch(moto_endpoint, "us-east-1", {"pydio:cluster": cluster, "Name": "s1", "pydio:roles": "storage,compute"})
    launch(moto_endpoint, "eu-west-1", {"pydio:cluster": cluster, "Name": "d1", "pydio:roles": "db"})
    path = write_config(cluster=cluster, regions=["us-east-1", "eu-west-1"])

    result = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-inventory"), "-i", str(path), "--list"],
        capture_output=True,
        text=True,
        env=_cli_env(aws_env),
        cwd=REPO,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert sorted(listed["storage"]["hosts"]) == ["s1"]
    assert sorted(listed["compute"]["hosts"]) == ["s1"]
    assert sorted(listed["db"]["hosts"]) == ["d1"]
    assert set(listed["_meta"]["hostvars"]) == {"s1", "d1"}


def test_ansible_inventory_shows_the_error(
    moto_endpoint: str, no_aws_credentials: None, write_config: Callable[..., Path]
) -> None:
    path = write_config(cluster="x", regions=["us-east-1"], endpoint_url=moto_endpoint)

    result = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-inventory"), "-i", str(path), "--list"],
        capture_output=True,
        text=True,
        env=_cli_env({"ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "true"}),
        cwd=REPO,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "No AWS credentials were found" in " ".join(result.stderr.split())
