"""Unit tests of the pure logic behind the scaleout.pydio.ec2 inventory plugin."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

_COLLECTIONS = Path(__file__).resolve().parents[4] / ".collections"
if str(_COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(_COLLECTIONS))

from ansible_collections.scaleout.pydio.plugins.module_utils import (  # noqa: E402
    ec2_inventory as logic,
)


def record(instance_id: str = "i-1", **fields: Any) -> dict[str, Any]:
    """A compact record as the plugin caches it."""
    base: dict[str, Any] = {
        "id": instance_id,
        "region": "eu-west-1",
        "az": "eu-west-1a",
        "state": "running",
        "type": "t3.small",
        "private_ip": "10.0.0.1",
        "public_ip": None,
        "private_dns": "ip-10-0-0-1.eu-west-1.compute.internal",
        "tags": {},
        "data_device": None,
    }
    base.update(fields)
    return base


# ------------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("value", "expected"),
    [("prod", "prod"), ("  prod ", "prod"), ("a b", "a b")],
)
def test_check_cluster_accepts(value: str, expected: str) -> None:
    assert logic.check_cluster(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "'cluster' option is required"),
        ("", "'cluster' option is required"),
        ("   ", "'cluster' option is required"),
        (3, "must be a string"),
        (["a"], "must be a string"),
    ],
)
def test_check_cluster_rejects(value: Any, message: str) -> None:
    with pytest.raises(logic.InventoryConfigError, match=message) as err:
        logic.check_cluster(value)
    if value is None:
        assert "pydio:cluster" in str(err.value)


@pytest.mark.parametrize(
    ("regions", "default", "expected"),
    [
        (["eu-west-1"], None, ["eu-west-1"]),
        (["eu-west-1", "us-east-1", "eu-west-1"], None, ["eu-west-1", "us-east-1"]),
        ("ap-southeast-2", None, ["ap-southeast-2"]),
        ([], "us-west-2", ["us-west-2"]),
        (None, "us-west-2", ["us-west-2"]),
        (["us-gov-west-1", " ca-central-1 "], None, ["us-gov-west-1", "ca-central-1"]),
    ],
)
def test_check_regions_accepts(regions: Any, default: str | None, expected: list[str]) -> None:
    assert logic.check_regions(regions, default) == expected


@pytest.mark.parametrize(
    ("regions", "default", "message"),
    [
        ([], None, "No region to query"),
        (None, "", "No region to query"),
        (["US East"], None, "not an AWS region name"),
        (["eu-west"], None, "not an AWS region name"),
        ([1], None, "not an AWS region name"),
        ({"a": 1}, None, "must be a list"),
    ],
)
def test_check_regions_rejects(regions: Any, default: str | None, message: str) -> None:
    with pytest.raises(logic.InventoryConfigError, match=message):
        logic.check_regions(regions, default)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("name_tag", True), ("instance_id", True), ("private_dns", True), ("dns", False), (None, False)],
)
def test_check_choice(value: Any, ok: bool) -> None:
    if ok:
        assert logic.check_choice("hostname_source", value, logic.HOSTNAME_SOURCES) == value
    else:
        with pytest.raises(logic.InventoryConfigError, match="'hostname_source' option must be one of"):
            logic.check_choice("hostname_source", value, logic.HOSTNAME_SOURCES)


# ------------------------------------------------------------------- filters

CLUSTER = {"Name": "tag:pydio:cluster", "Values": ["prod"]}
BOTH_STATES = {"Name": "instance-state-name", "Values": ["running", "pending"]}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (None, [CLUSTER, BOTH_STATES]),
        ({}, [CLUSTER, BOTH_STATES]),
        (
            {"vpc-id": "vpc-1"},
            [CLUSTER, BOTH_STATES, {"Name": "vpc-id", "Values": ["vpc-1"]}],
        ),
        (
            {"tag:env": ["a", "b"], "instance-type": "t3.small"},
            [
                CLUSTER,
                BOTH_STATES,
                {"Name": "tag:env", "Values": ["a", "b"]},
                {"Name": "instance-type", "Values": ["t3.small"]},
            ],
        ),
        (
            {"instance-state-name": "running"},
            [CLUSTER, {"Name": "instance-state-name", "Values": ["running"]}],
        ),
        (
            {"instance-state-name": ["pending", "running"]},
            [CLUSTER, BOTH_STATES],
        ),
        ({"tag:size": 3}, [CLUSTER, BOTH_STATES, {"Name": "tag:size", "Values": ["3"]}]),
    ],
)
def test_build_filters(extra: Any, expected: list[dict[str, Any]]) -> None:
    assert logic.build_filters("prod", extra) == expected


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"tag:pydio:cluster": "other"}, "the 'cluster' option selects the cluster"),
        ({"instance-state-name": "stopped"}, "stopped cannot be listed"),
        ({"instance-state-name": ["running", "terminated"]}, "terminated cannot be listed"),
        ({"vpc-id": []}, "non-empty list"),
        ({"vpc-id": None}, "non-empty list"),
        ({"vpc-id": {"a": 1}}, "non-empty list"),
        ({"vpc-id": [True]}, "every value must be a string"),
        ({"": "x"}, "non-empty strings"),
        (["vpc-id"], "must be a mapping"),
    ],
)
def test_build_filters_rejects(extra: Any, message: str) -> None:
    with pytest.raises(logic.InventoryConfigError, match=message):
        logic.build_filters("prod", extra)


def test_query_fingerprint_changes_with_the_query() -> None:
    filters = logic.build_filters("prod")
    base = logic.query_fingerprint(["eu-west-1"], filters, None)
    assert base == logic.query_fingerprint(["eu-west-1"], filters, None)
    others = {
        logic.query_fingerprint(["eu-west-1", "us-east-1"], filters, None),
        logic.query_fingerprint(["eu-west-1"], logic.build_filters("dev"), None),
        logic.query_fingerprint(["eu-west-1"], filters, "http://127.0.0.1:5000"),
        logic.query_fingerprint(["eu-west-1"], filters, None, "other-account"),
    }
    assert base not in others
    assert len(others) == 4


# ------------------------------------------------- boto3 instance -> record


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (None, {}),
        ([], {}),
        ([{"Key": "Name", "Value": "web1"}], {"Name": "web1"}),
        ([{"Key": "a", "Value": ""}, {"Key": "b"}], {"a": "", "b": ""}),
    ],
)
def test_tags_to_dict(tags: Any, expected: dict[str, str]) -> None:
    assert logic.tags_to_dict(tags) == expected


def _ebs(name: str) -> dict[str, Any]:
    return {"DeviceName": name, "Ebs": {"VolumeId": "vol-1", "Status": "attached"}}


@pytest.mark.parametrize(
    ("mappings", "root", "expected"),
    [
        (None, "/dev/xvda", None),
        ([], "/dev/xvda", None),
        ([_ebs("/dev/xvda")], "/dev/xvda", None),
        ([_ebs("/dev/xvda"), _ebs("/dev/sdf"), _ebs("/dev/sdg")], "/dev/xvda", "/dev/sdf"),
        ([_ebs("/dev/sdg"), _ebs("/dev/sda1")], "/dev/sda1", "/dev/sdg"),
        ([{"DeviceName": "/dev/sdb", "NoDevice": ""}, _ebs("/dev/sdc")], "/dev/xvda", "/dev/sdc"),
        ([_ebs("/dev/sdf")], None, "/dev/sdf"),
    ],
)
def test_first_data_device(mappings: Any, root: str | None, expected: str | None) -> None:
    assert logic.first_data_device(mappings, root) == expected


def test_compact_instance_keeps_only_what_is_used() -> None:
    instance = {
        "InstanceId": "i-0abc",
        "InstanceType": "t3.small",
        "State": {"Code": 16, "Name": "running"},
        "Placement": {"AvailabilityZone": "eu-west-1b", "Tenancy": "default"},
        "PrivateIpAddress": "10.0.1.5",
        "PublicIpAddress": "54.1.2.3",
        "PrivateDnsName": "ip-10-0-1-5.eu-west-1.compute.internal",
        "PublicDnsName": "ec2-54-1-2-3.eu-west-1.compute.amazonaws.com",
        "RootDeviceName": "/dev/xvda",
        "BlockDeviceMappings": [_ebs("/dev/xvda"), _ebs("/dev/sdf")],
        "Tags": [{"Key": "Name", "Value": "web1"}, {"Key": "pydio:roles", "Value": "compute"}],
        "SecurityGroups": [{"GroupId": "sg-1"}],
        "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1"}],
    }
    assert logic.compact_instance(instance, "eu-west-1") == {
        "id": "i-0abc",
        "region": "eu-west-1",
        "az": "eu-west-1b",
        "state": "running",
        "type": "t3.small",
        "private_ip": "10.0.1.5",
        "public_ip": "54.1.2.3",
        "private_dns": "ip-10-0-1-5.eu-west-1.compute.internal",
        "tags": {"Name": "web1", "pydio:roles": "compute"},
        "data_device": "/dev/sdf",
    }


def test_compact_instance_of_a_pending_instance_without_addresses() -> None:
    compact = logic.compact_instance(
        {"InstanceId": "i-1", "State": {"Name": "pending"}, "PrivateDnsName": ""}, "us-east-1"
    )
    assert compact["private_ip"] is None
    assert compact["private_dns"] is None
    assert compact["az"] is None
    assert compact["tags"] == {}


def test_compact_reservations_flattens_every_reservation() -> None:
    pages = [
        {"Instances": [{"InstanceId": "i-1"}, {"InstanceId": "i-2"}]},
        {"Instances": []},
        {"Instances": [{"InstanceId": "i-3"}]},
    ]
    assert [r["id"] for r in logic.compact_reservations(pages, "eu-west-1")] == ["i-1", "i-2", "i-3"]


# ----------------------------------------------------------------- hostnames


@pytest.mark.parametrize(
    ("source", "fields", "expected"),
    [
        ("name_tag", {"tags": {"Name": "web1"}}, "web1"),
        ("name_tag", {"tags": {"Name": "  web1 "}}, "web1"),
        ("name_tag", {"tags": {"Name": ""}}, "i-1"),
        ("name_tag", {"tags": {}}, "i-1"),
        ("instance_id", {"tags": {"Name": "web1"}}, "i-1"),
        ("private_dns", {"private_dns": "ip-10-0-0-9.ec2.internal"}, "ip-10-0-0-9.ec2.internal"),
        ("private_dns", {"private_dns": None}, "i-1"),
    ],
)
def test_preferred_name(source: str, fields: dict[str, Any], expected: str) -> None:
    assert logic.preferred_name(record("i-1", **fields), source) == expected


@pytest.mark.parametrize(
    ("records", "names", "duplicates"),
    [
        pytest.param(
            [record("i-1", tags={"Name": "a"}), record("i-2", tags={"Name": "b"})],
            {"i-1": "a", "i-2": "b"},
            {},
            id="unique names",
        ),
        pytest.param(
            [
                record("i-3", tags={"Name": "web"}),
                record("i-1", tags={"Name": "web"}),
                record("i-2", tags={"Name": "db"}),
            ],
            {"i-3": "i-3", "i-1": "i-1", "i-2": "db"},
            {"web": ["i-1", "i-3"]},
            id="shared name falls back to ids",
        ),
        pytest.param(
            [record("i-1", tags={}), record("i-2", tags={"Name": "i-1"})],
            {"i-1": "i-1", "i-2": "i-2"},
            {"i-1": ["i-1", "i-2"]},
            id="name equal to an unnamed instance's id",
        ),
        pytest.param(
            [record("i-1", tags={"Name": "web"}), record("i-2", tags={"Name": "i-1"})],
            {"i-1": "web", "i-2": "i-2"},
            {"i-1": ["i-1", "i-2"]},
            id="name equal to a named instance's id",
        ),
        pytest.param([], {}, {}, id="nothing"),
    ],
)
def test_choose_hostnames(
    records: list[dict[str, Any]], names: dict[str, str], duplicates: dict[str, list[str]]
) -> None:
    got_names, got_duplicates = logic.choose_hostnames(records, "name_tag")
    assert got_names == names
    assert got_duplicates == duplicates
    assert len(set(got_names.values())) == len(got_names)


def test_choose_hostnames_private_dns_duplicates() -> None:
    dns = "ip-10-0-0-1.eu-west-1.compute.internal"
    records = [record("i-1", private_dns=dns), record("i-2", private_dns=dns)]
    names, duplicates = logic.choose_hostnames(records, "private_dns")
    assert names == {"i-1": "i-1", "i-2": "i-2"}
    assert duplicates == {dns: ["i-1", "i-2"]}


# ------------------------------------------------------- roles and hostvars


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("storage", ["storage"]),
        ("storage,compute", ["storage", "compute"]),
        (" Storage , COMPUTE ,", ["storage", "compute"]),
        ("db,db,lb", ["db", "lb"]),
        ("storage compute", ["storage", "compute"]),
        ("monitoring", ["monitoring"]),
    ],
)
def test_parse_roles(value: str | None, expected: list[str]) -> None:
    assert logic.parse_roles(value) == expected


@pytest.mark.parametrize(
    ("tags", "data_device", "brick_tag", "expected"),
    [
        ({}, None, "pydio:brick_device", None),
        ({}, "/dev/sdf", "pydio:brick_device", "/dev/sdf"),
        ({"pydio:brick_device": "/dev/nvme1n1"}, "/dev/sdf", "pydio:brick_device", "/dev/nvme1n1"),
        ({"pydio:brick_device": "  "}, "/dev/sdf", "pydio:brick_device", "/dev/sdf"),
        ({"disk": "/dev/xvdb"}, None, "disk", "/dev/xvdb"),
        ({"pydio:brick_device": "/dev/xvdb"}, None, "", None),
    ],
)
def test_brick_device(tags: dict[str, str], data_device: str | None, brick_tag: str, expected: Any) -> None:
    assert logic.brick_device(record(tags=tags, data_device=data_device), brick_tag) == expected


@pytest.mark.parametrize(
    ("fields", "source", "expected"),
    [
        pytest.param(
            {"data_device": "/dev/sdf"},
            "private_ip",
            {
                "ansible_host": "10.0.0.1",
                "private_ip": "10.0.0.1",
                "instance_id": "i-1",
                "availability_zone": "eu-west-1a",
                "gluster_brick_device": "/dev/sdf",
            },
            id="private with brick",
        ),
        pytest.param(
            {"public_ip": "54.0.0.1"},
            "public_ip",
            {
                "ansible_host": "54.0.0.1",
                "private_ip": "10.0.0.1",
                "instance_id": "i-1",
                "availability_zone": "eu-west-1a",
            },
            id="public",
        ),
        pytest.param(
            {},
            "public_ip",
            {
                "ansible_host": "10.0.0.1",
                "private_ip": "10.0.0.1",
                "instance_id": "i-1",
                "availability_zone": "eu-west-1a",
            },
            id="public asked, none: private",
        ),
        pytest.param(
            {"public_ip": "54.0.0.1"},
            "private_ip",
            {
                "ansible_host": "10.0.0.1",
                "private_ip": "10.0.0.1",
                "instance_id": "i-1",
                "availability_zone": "eu-west-1a",
            },
            id="private even with a public address",
        ),
        pytest.param(
            {"private_ip": None, "az": None},
            "private_ip",
            {"instance_id": "i-1"},
            id="no address yet",
        ),
    ],
)
def test_build_hostvars(fields: dict[str, Any], source: str, expected: dict[str, Any]) -> None:
    assert logic.build_hostvars(record("i-1", **fields), source, "pydio:brick_device") == expected


def test_template_context_adds_tags_roles_and_more() -> None:
    rec = record("i-1", tags={"pydio:roles": "db,lb", "env": "prod"}, public_ip="54.0.0.1")
    hostvars = logic.build_hostvars(rec, "private_ip", "pydio:brick_device")
    context = logic.template_context(rec, hostvars)
    assert context["roles"] == ["db", "lb"]
    assert context["tags"]["env"] == "prod"
    assert context["region"] == "eu-west-1"
    assert context["instance_type"] == "t3.small"
    assert context["public_ip"] == "54.0.0.1"
    assert context["ansible_host"] == "10.0.0.1"
    assert "roles" not in hostvars


@pytest.mark.parametrize(
    ("items", "expected"),
    [([], ""), (["a"], "a"), (["a", "b", "c"], "a, b, c"), (list("abcdefg"), "a, b, c, d, e and 2 more")],
)
def test_summarise(items: list[str], expected: str) -> None:
    assert logic.summarise(items) == expected


# -------------------------------------------------------------------- errors

# Error bodies as AWS's EC2 query API returns them (code and message).
AWS_ERRORS = {
    "UnauthorizedOperation": "You are not authorized to perform this operation. User: "
    "arn:aws:iam::123456789012:user/ro is not authorized to perform: ec2:DescribeInstances "
    "because no identity-based policy allows the ec2:DescribeInstances action",
    "OptInRequired": "You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe.",
    "AuthFailure": "AWS was not able to validate the provided access credentials",
    "RequestExpired": "Request has expired.",
    "InternalError": "An internal error has occurred.",
}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("UnauthorizedOperation", ["Access denied", "ec2:DescribeInstances", "ap-east-1"]),
        ("AccessDenied", ["Access denied", "ec2:DescribeInstances"]),
        ("OptInRequired", ["ap-east-1 is not enabled", "remove it from 'regions'"]),
        ("AuthFailure", ["not enabled for the account", "check the access key"]),
        ("RequestExpired", ["credentials were refused", "expired"]),
        ("InternalError", ["Listing EC2 instances in ap-east-1 failed"]),
    ],
)
def test_error_response_text_from_a_real_client_error(code: str, expected: list[str]) -> None:
    error = ClientError(
        {
            "Error": {"Code": code, "Message": AWS_ERRORS.get(code, "denied")},
            "ResponseMetadata": {"RequestId": "0d2f8c4e-0000-4000-8000-000000000000", "HTTPStatusCode": 403},
        },
        "DescribeInstances",
    )
    text = logic.error_response_text(error.response, "ap-east-1")
    for part in expected:
        assert part in text
    assert f"AWS said: {code}" in text


def test_error_response_text_without_error_body() -> None:
    assert logic.error_response_text({}, "eu-west-1") == (
        "Listing EC2 instances in eu-west-1 failed. AWS gave no error code."
    )
