"""Refusals: each is a ProviderError raised before any change, and none shows a secret."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_provider_helpers import REGION, SECRET_KEY, World, client

from scaleout.model import Cluster, Node
from scaleout.plan import default_lab_nodes
from scaleout.providers.aws import AwsProvider
from scaleout.providers.base import ProviderError


def cluster_instances(endpoint: str, cluster: str) -> list[str]:
    filters = [{"Name": "tag:pydio:cluster", "Values": [cluster]}]
    reservations = client(endpoint, "ec2").describe_instances(Filters=filters)["Reservations"]
    return [i["InstanceId"] for r in reservations for i in r["Instances"]]


def test_no_credentials(
    moto_endpoint: str, isolated_env: Path, make_provider: Callable[..., AwsProvider], tmp_path: Path
) -> None:
    settings = {
        "region": REGION,
        "endpoint_url": moto_endpoint,
        "ami": "ami-12345678",
        "instance_type": "t3.small",
        "ssh_wait_timeout": 0,
    }
    provider = make_provider(settings)
    cluster = "nocreds"
    calls: list[Callable[[], Any]] = [
        lambda: provider.launch(Cluster(cluster), default_lab_nodes(cluster)),
        lambda: provider.list_nodes(cluster),
        lambda: provider.register(cluster, [f"{cluster}-node1"]),
        lambda: provider.deregister(cluster, [f"{cluster}-node1"]),
        lambda: provider.destroy(cluster, [f"{cluster}-node1"]),
        provider.check,
    ]
    for call in calls:
        with pytest.raises(ProviderError) as error:
            call()
        text = str(error.value)
        assert text.startswith("No AWS credentials were found; nothing was changed.")
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "profile"):
            assert name in text
    assert cluster_instances(moto_endpoint, cluster) == []


def test_profile_not_found(moto_endpoint: str, isolated_env: Path, make_provider: Callable[..., AwsProvider]) -> None:
    settings = {"region": REGION, "endpoint_url": moto_endpoint, "ami": "ami-1", "instance_type": "t3.small"}
    provider = make_provider({**settings, "profile": "pydio-prod"})
    with pytest.raises(ProviderError, match="AWS profile 'pydio-prod' was not found"):
        provider.check()


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            {"name": "no-such-template"},
            [
                "launch template 'no-such-template' does not exist in us-east-1",
                "InvalidLaunchTemplateName.NotFoundException",
            ],
        ),
        ({"id": "lt-0123456789abcdef0"}, ["launch template id 'lt-0123456789abcdef0' does not exist in us-east-1"]),
        (
            {"name": "{existing}", "version": 7},
            ["launch template '{existing}' version 7 does not exist", "VersionNotFound"],
        ),
    ],
)
def test_missing_launch_template_launches_nothing(
    world: World, make_provider: Callable[..., AwsProvider], template: dict[str, Any], expected: list[str]
) -> None:
    existing = f"{world.cluster}-tpl"
    world.create_launch_template(existing)
    template = {key: str(value).format(existing=existing) for key, value in template.items()}
    provider = make_provider({"region": REGION, "endpoint_url": world.endpoint, "launch_template": template})

    with pytest.raises(ProviderError) as error:
        provider.launch(Cluster(world.cluster), default_lab_nodes(world.cluster))

    text = str(error.value)
    for fragment in expected:
        assert fragment.format(existing=existing) in text
    assert "nothing was changed" in text
    assert SECRET_KEY not in text
    assert cluster_instances(world.endpoint, world.cluster) == []


def test_errors_never_show_the_secret_key(world: World, make_provider: Callable[..., AwsProvider]) -> None:
    # A secret pasted where a name belongs ends up in AWS's error, then in ours: it is masked.
    provider = make_provider({"region": REGION, "endpoint_url": world.endpoint, "launch_template": SECRET_KEY})
    with pytest.raises(ProviderError) as error:
        provider.launch(Cluster(world.cluster), [Node(f"{world.cluster}-node1", ("db",))])
    text = str(error.value)
    assert "launch template '********' does not exist" in text
    assert SECRET_KEY not in text
    # botocore's own exception, which would name the template, is not chained for display.
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_failed_run_instances_reports_what_was_launched(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any]
) -> None:
    provider = make_provider({**ami_settings, "subnet_id": "subnet-00000000000000000"})
    with pytest.raises(ProviderError) as error:
        provider.launch(Cluster(world.cluster), default_lab_nodes(world.cluster))
    text = str(error.value)
    assert f"launching {world.cluster}-node1 failed. AWS said: InvalidSubnetID.NotFound" in text
    assert text.endswith("Nothing was launched.")
    assert cluster_instances(world.endpoint, world.cluster) == []


def test_a_cluster_name_must_be_safe(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any], tmp_path: Path
) -> None:
    provider = make_provider(ami_settings)
    with pytest.raises(ProviderError, match="invalid cluster name"):
        provider.inventory("../../etc")
    with pytest.raises(ProviderError, match="invalid cluster name"):
        provider.list_nodes("Bad Name")


def test_a_profile_with_access_keys_in_the_environment_is_refused(
    moto_endpoint: str, credentials: None, make_provider: Callable[..., AwsProvider]
) -> None:
    # The playbooks' AWS modules refuse both: the provider says so before any change.
    settings = {"region": REGION, "endpoint_url": moto_endpoint, "ami": "ami-1", "instance_type": "t3.small"}
    provider = make_provider({**settings, "profile": "pydio-prod"})
    with pytest.raises(ProviderError) as error:
        provider.check()
    text = str(error.value)
    assert "AWS profile 'pydio-prod' and the environment sets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in text
    assert "nothing was changed" in text
