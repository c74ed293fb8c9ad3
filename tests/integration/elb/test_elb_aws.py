"""The elb role's aws backend, run with ansible-playbook against moto.

Everything is read back from moto with boto3: the load balancer, the target
group and its attributes, listeners, targets and every security group rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import ENTRY_POINTS, REGION, REPO, inventory_for

from scaleout.providers.aws import AwsProvider
from scaleout.providers.aws_config import parse_config
from scaleout.run import run_playbook

if TYPE_CHECKING:
    from conftest import Run, World

# The cluster the role runs for (run_role's default), and its resources' names.
CLUSTER = "qa"
LB = "pydio-qa"
TG = "pydio-qa-web"


def _lb(world: World, name: str = LB) -> dict[str, Any]:
    return world.client("elbv2").describe_load_balancers(Names=[name])["LoadBalancers"][0]


def _tg(world: World, name: str = TG) -> dict[str, Any]:
    return world.client("elbv2").describe_target_groups(Names=[name])["TargetGroups"][0]


def _tg_attributes(world: World) -> dict[str, str]:
    pairs = world.client("elbv2").describe_target_group_attributes(TargetGroupArn=_tg(world)["TargetGroupArn"])
    return {pair["Key"]: pair["Value"] for pair in pairs["Attributes"]}


def _targets(world: World, tg: str = TG) -> set[str]:
    health = world.client("elbv2").describe_target_health(TargetGroupArn=_tg(world, tg)["TargetGroupArn"])
    return {
        desc["Target"]["Id"]
        for desc in health["TargetHealthDescriptions"]
        if desc["TargetHealth"]["State"] not in ("draining", "unused")
    }


def _listeners(world: World, lb: str = LB) -> dict[int, dict[str, Any]]:
    listeners = world.client("elbv2").describe_listeners(LoadBalancerArn=_lb(world, lb)["LoadBalancerArn"])["Listeners"]
    return {listener["Port"]: listener for listener in listeners}


def _groups(world: World) -> dict[str, dict[str, Any]]:
    found = world.client("ec2").describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [world.vpc_id]}])
    return {group["GroupName"]: group for group in found["SecurityGroups"]}


def _rules(group: dict[str, Any]) -> set[tuple[str, int, int, str]]:
    """Ingress rules as (protocol, from, to, source): a CIDR or a group id."""
    rules = set()
    for perm in group["IpPermissions"]:
        key = (perm["IpProtocol"], perm.get("FromPort", -1), perm.get("ToPort", -1))
        for cidr in perm.get("IpRanges", []):
            rules.add((*key, cidr["CidrIp"]))
        for pair in perm.get("UserIdGroupPairs", []):
            rules.add((*key, pair["GroupId"]))
    return rules


def _eni_groups(world: World, instance: str) -> set[str]:
    found = world.client("ec2").describe_instances(InstanceIds=[world.instances[instance]])
    inst = found["Reservations"][0]["Instances"][0]
    primary = next(eni for eni in inst["NetworkInterfaces"] if eni["Attachment"]["DeviceIndex"] == 0)
    return {group["GroupId"] for group in primary["Groups"]}


def _assert_nothing_created(world: World) -> None:
    elbv2 = world.client("elbv2")
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert elbv2.describe_target_groups()["TargetGroups"] == []
    assert set(_groups(world)) == {"default"}


def test_alb_with_tls(world: World, certificate_arn: str, run_role: Callable[..., Run]) -> None:
    """The whole aws backend with HTTPS, then a second run that changes nothing."""
    variables = {
        "elb_certificate_arn": certificate_arn,
        "elb_allowed_cidrs": ["198.51.100.0/24", "203.0.113.0/24"],
        "elb_health_check_interval": 15,
        "elb_health_check_timeout": 6,
        "elb_healthy_threshold": 4,
        "elb_unhealthy_threshold": 3,
    }
    first = run_role(**variables)
    assert first.rc == 0, first.output[-4000:]
    assert first.recap()["changed"] > 0

    lb = _lb(world)
    assert lb["Type"] == "application"
    assert lb["Scheme"] == "internet-facing"
    assert {zone["SubnetId"] for zone in lb["AvailabilityZones"]} == set(world.subnet_ids)

    tg = _tg(world)
    assert tg["VpcId"] == world.vpc_id
    assert (tg["Protocol"], tg["Port"], tg["TargetType"]) == ("HTTP", 80, "instance")
    assert tg["HealthCheckProtocol"] == "HTTP"
    assert tg["HealthCheckPath"] == "/pydio/check.txt"
    assert tg["HealthCheckIntervalSeconds"] == 15
    assert tg["HealthCheckTimeoutSeconds"] == 6
    assert tg["HealthyThresholdCount"] == 4
    assert tg["UnhealthyThresholdCount"] == 3
    assert tg["Matcher"]["HttpCode"] == "200"

    attributes = _tg_attributes(world)
    assert attributes["stickiness.enabled"] == "true"
    assert attributes["stickiness.type"] == "app_cookie"
    assert attributes["stickiness.app_cookie.cookie_name"] == "AjaXplorer"
    assert attributes["stickiness.app_cookie.duration_seconds"] == "86400"

    assert _targets(world) == {world.instances["web1"], world.instances["web2"]}

    listeners = _listeners(world)
    assert set(listeners) == {80, 443}
    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert [c["CertificateArn"] for c in https["Certificates"]] == [certificate_arn]
    assert https["DefaultActions"][0]["Type"] == "forward"
    assert https["DefaultActions"][0]["TargetGroupArn"] == tg["TargetGroupArn"]
    http = listeners[80]
    assert http["Protocol"] == "HTTP"
    assert http["DefaultActions"][0]["Type"] == "redirect"
    redirect = http["DefaultActions"][0]["RedirectConfig"]
    assert (redirect["Protocol"], redirect["Port"], redirect["StatusCode"]) == ("HTTPS", "443", "HTTP_301")

    groups = _groups(world)
    lb_sg, nodes, cluster, db = (groups[f"{LB}-{kind}"] for kind in ("lb", "nodes", "cluster", "db"))
    assert lb["SecurityGroups"] == [lb_sg["GroupId"]]
    assert _rules(lb_sg) == {
        ("tcp", port, port, cidr) for port in (80, 443) for cidr in ("198.51.100.0/24", "203.0.113.0/24")
    }
    assert _rules(nodes) == {("tcp", 80, 80, lb_sg["GroupId"])}
    assert _rules(cluster) == {
        ("tcp", 24007, 24008, cluster["GroupId"]),
        ("tcp", 49152, 49251, cluster["GroupId"]),
    }
    assert _rules(db) == {("tcp", 3306, 3306, nodes["GroupId"]), ("tcp", 11211, 11211, nodes["GroupId"])}

    assert {nodes["GroupId"], cluster["GroupId"]} <= _eni_groups(world, "web1")
    assert {nodes["GroupId"], cluster["GroupId"]} <= _eni_groups(world, "web2")
    assert db["GroupId"] in _eni_groups(world, "db1")
    assert db["GroupId"] not in _eni_groups(world, "web1")
    assert groups["default"]["GroupId"] in _eni_groups(world, "web1"), "the groups an instance had are kept"

    assert first.facts is not None
    assert first.facts["elb_dns_name"] == lb["DNSName"]
    assert first.facts["elb_public_url"] == f"https://{lb['DNSName']}"
    assert first.facts["compute"] == [f"https://{lb['DNSName']}"] * 2
    assert first.facts["elb_security_group_ids"]["nodes"] == nodes["GroupId"]

    second = run_role(**variables)
    assert second.rc == 0, second.output[-4000:]
    assert second.recap()["changed"] == 0, second.output[-4000:]


def _tags(world: World, arn: str) -> dict[str, str]:
    found = world.client("elbv2").describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]
    return {tag["Key"]: tag["Value"] for tag in found}


def test_two_clusters_side_by_side_up_status_down(world: World, run_role: Callable[..., Run], tmp_path: Path) -> None:
    """qa (web1, web2) and stage (web3) in one account: each run, status and teardown touches its own cluster only.

    Teardown is the provider's last step of `down --yes` on AWS. moto reports every running target healthy,
    so status can only be checked for "healthy" and for the rows themselves.
    """
    qa = run_role(elb_tags={"env": "test"})
    assert qa.rc == 0, qa.output[-4000:]
    stage = run_role(compute=["web3"], elb_cluster_name="stage")
    assert stage.rc == 0, stage.output[-4000:]

    elbv2 = world.client("elbv2")
    tgs = {tg["TargetGroupName"]: tg for tg in elbv2.describe_target_groups()["TargetGroups"]}
    lbs = {lb["LoadBalancerName"]: lb for lb in elbv2.describe_load_balancers()["LoadBalancers"]}
    assert set(tgs) == {"pydio-qa-web", "pydio-stage-web"}
    assert set(lbs) == {"pydio-qa", "pydio-stage"}

    # A run of qa after stage's (with elb_purge_targets on) leaves stage's targets alone.
    stage_before = _cluster_resources(world, "stage")
    again = run_role(elb_tags={"env": "test"})
    assert again.rc == 0, again.output[-4000:]
    assert again.recap()["changed"] == 0, again.output[-4000:]
    assert _cluster_resources(world, "qa")["targets"] == sorted([world.instances["web1"], world.instances["web2"]])
    assert _cluster_resources(world, "stage") == stage_before
    assert stage_before["targets"] == [world.instances["web3"]]

    # Every resource carries its cluster's tag; elb_tags are added beside it.
    assert _tags(world, tgs["pydio-qa-web"]["TargetGroupArn"]) == {"pydio:cluster": "qa", "env": "test"}
    assert _tags(world, lbs["pydio-qa"]["LoadBalancerArn"]) == {"pydio:cluster": "qa", "env": "test"}
    assert _tags(world, tgs["pydio-stage-web"]["TargetGroupArn"]) == {"pydio:cluster": "stage"}
    assert _tags(world, lbs["pydio-stage"]["LoadBalancerArn"]) == {"pydio:cluster": "stage"}
    groups = _groups(world)
    for cluster in ("qa", "stage"):
        for kind in ("lb", "nodes", "cluster", "db"):
            group = groups[f"pydio-{cluster}-{kind}"]
            assert {tag["Key"]: tag["Value"] for tag in group["Tags"]}["pydio:cluster"] == cluster

    # Each cluster group admits its own members only: a node carries its own cluster's group, not the other's.
    qa_cluster, stage_cluster = groups["pydio-qa-cluster"]["GroupId"], groups["pydio-stage-cluster"]["GroupId"]
    assert stage_before["rules"]["cluster"] == {
        ("tcp", 24007, 24008, stage_cluster),
        ("tcp", 49152, 49251, stage_cluster),
    }
    assert qa_cluster in _eni_groups(world, "web1")
    assert stage_cluster not in _eni_groups(world, "web1")
    assert stage_cluster in _eni_groups(world, "web3")
    assert qa_cluster not in _eni_groups(world, "web3")

    # status.yml of qa: one lb row per target of qa's target group, read from the controller (the cluster
    # hosts are unreachable here: status reports them, it does not fail).
    inventory = tmp_path / "status-inventory.json"
    inventory.write_text(json.dumps(inventory_for(world, ["web1", "web2"])))
    variables = {
        "elb_backend": "aws",
        "elb_cluster_name": CLUSTER,
        "elb_aws_region": REGION,
        "elb_aws_endpoint_url": world.endpoint,
    }
    lines: list[str] = []
    (tmp_path / "status-run").mkdir()
    result = run_playbook(
        REPO / "playbooks" / "status.yml", tmp_path / "status-run", inventory, extravars=variables, write=lines.append
    )
    report = result.custom_stats["scaleout_status"]
    rows = sorted((row["lb"], row["server"], row["status"]) for row in report["lb"])
    assert rows == [("alb", "web1", "healthy"), ("alb", "web2", "healthy")], "\n".join(lines[-40:])
    assert not [error for error in report["errors"] if "target group" in error]
    assert set(report["unreachable"]) == {"web1", "web2", "db1"}

    # down --yes of qa: its teardown removes what is tagged with qa, and nothing of stage. A group of the
    # same name that the role did not make (no pydio:cluster tag) is never touched.
    world.client("ec2").create_security_group(
        GroupName="pydio-qa-extra", Description="not the role's", VpcId=world.vpc_id
    )
    inventory_root = tmp_path / "inventory"
    (inventory_root / "qa" / "group_vars" / "all").mkdir(parents=True)
    (inventory_root / "qa" / "ec2.yml").write_text("plugin: scaleout.pydio.ec2\n")
    own_vars = inventory_root / "qa" / "group_vars" / "all" / "main.yml"
    own_vars.write_text("pydio_admin_login: admin\n")
    config = parse_config(
        {"region": REGION, "endpoint_url": world.endpoint, "ami": "ami-1", "instance_type": "t3.small"}
    )
    provider = AwsProvider(config, inventory_root, progress=lines.append)

    removed = provider.teardown("qa")

    assert sorted(removed) == sorted(
        [
            "load balancer pydio-qa and its listeners",
            "target group pydio-qa-web",
            *(f"security group pydio-qa-{kind}" for kind in ("lb", "nodes", "cluster", "db")),
            "inventory file qa/ec2.yml",
        ]
    )
    assert [lb["LoadBalancerName"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]] == ["pydio-stage"]
    assert [tg["TargetGroupName"] for tg in elbv2.describe_target_groups()["TargetGroups"]] == ["pydio-stage-web"]
    assert set(_groups(world)) == {"default", "pydio-qa-extra"} | {
        f"pydio-stage-{kind}" for kind in ("lb", "nodes", "cluster", "db")
    }
    assert _cluster_resources(world, "stage") == stage_before
    assert not (inventory_root / "qa" / "ec2.yml").exists()
    assert own_vars.exists(), "the operator's own variables are never removed"
    # Run again (after a failure half-way, say): nothing left, nothing removed, no error.
    assert provider.teardown("qa") == []


def test_http_only_then_stickiness_off(world: World, run_role: Callable[..., Run]) -> None:
    """Without a certificate: one HTTP listener that forwards, and only port 80 open.

    Turning stickiness off must reach AWS: community.aws.elb_target_group
    alone would leave it on.
    """
    first = run_role()
    assert first.rc == 0, first.output[-4000:]
    listeners = _listeners(world)
    assert set(listeners) == {80}
    assert listeners[80]["DefaultActions"][0]["Type"] == "forward"
    assert listeners[80]["DefaultActions"][0]["TargetGroupArn"] == _tg(world)["TargetGroupArn"]
    assert _rules(_groups(world)[f"{LB}-lb"]) == {("tcp", 80, 80, "0.0.0.0/0")}
    assert first.facts is not None
    assert first.facts["elb_public_url"] == f"http://{_lb(world)['DNSName']}"
    assert _tg_attributes(world)["stickiness.enabled"] == "true"

    off = run_role(elb_stickiness_enabled=False)
    assert off.rc == 0, off.output[-4000:]
    assert off.recap()["changed"] > 0
    assert _tg_attributes(world)["stickiness.enabled"] == "false"

    again = run_role(elb_stickiness_enabled=False)
    assert again.rc == 0, again.output[-4000:]
    assert again.recap()["changed"] == 0, again.output[-4000:]


def test_targets_follow_the_compute_group(world: World, run_role: Callable[..., Run]) -> None:
    """A node that left the group stays registered unless elb_purge_targets is true."""
    ids = world.instances
    assert run_role(compute=["web1", "web2", "web3"]).rc == 0
    assert _targets(world) == {ids["web1"], ids["web2"], ids["web3"]}

    kept = run_role(compute=["web1", "web2"], elb_purge_targets=False)
    assert kept.rc == 0, kept.output[-4000:]
    assert _targets(world) == {ids["web1"], ids["web2"], ids["web3"]}

    purged = run_role(compute=["web1", "web2"], elb_purge_targets=True)
    assert purged.rc == 0, purged.output[-4000:]
    assert purged.recap()["changed"] > 0
    assert _targets(world) == {ids["web1"], ids["web2"]}

    added = run_role(compute=["web1", "web2", "web3"], elb_purge_targets=False)
    assert added.rc == 0, added.output[-4000:]
    assert _targets(world) == {ids["web1"], ids["web2"], ids["web3"]}


def test_backend_state_and_drain_entry_points(world: World, run_role: Callable[..., Run]) -> None:
    """backend_state reads the targets by web node; drain deregisters one and waits until it is out."""
    ids = world.instances
    assert run_role(compute=["web1", "web2", "web3"]).rc == 0

    state = run_role(compute=["web1", "web2", "web3"], playbook=ENTRY_POINTS)
    assert state.rc == 0, state.output[-4000:]
    assert state.recap()["changed"] == 0, state.output[-4000:]
    assert state.facts is not None
    assert state.facts["error"] == ""
    # moto reports every registered target healthy.
    assert sorted((s["server"], s["status"]) for s in state.facts["servers"]) == [
        ("web1", "healthy"),
        ("web2", "healthy"),
        ("web3", "healthy"),
    ]

    drained = run_role(compute=["web1", "web2", "web3"], playbook=ENTRY_POINTS, test_drain_hosts=["web3"])
    assert drained.rc == 0, drained.output[-4000:]
    assert drained.recap()["changed"] > 0, drained.output[-4000:]
    assert _targets(world) == {ids["web1"], ids["web2"]}
    assert drained.facts is not None
    assert "web3" not in {s["server"] for s in drained.facts["servers"] if s["status"] == "healthy"}

    missing = run_role(compute=["web1"], playbook=ENTRY_POINTS, elb_target_group_name="pydio-absent")
    assert missing.rc == 0, missing.output[-4000:]
    assert missing.facts is not None
    assert missing.facts["servers"] == []
    assert missing.facts["error"].startswith("target group pydio-absent: ")


MISSING_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("role_vars", "compute", "message"),
    [
        pytest.param({"elb_subnets": []}, None, "elb_backend 'aws' needs elb_vpc_id", id="no-subnets"),
        pytest.param(
            {"elb_certificate_arn": MISSING_CERT}, None, "is not an issued ACM certificate", id="missing-certificate"
        ),
        pytest.param(
            {"elb_certificate_arn": "not-an-arn"}, None, "is not an issued ACM certificate", id="malformed-certificate"
        ),
        pytest.param(
            {"elb_target_group_name": "pydio-web-target-group-far-too-long"},
            None,
            "is not a valid target group name",
            id="long-target-group-name",
        ),
        pytest.param({}, [], "has no hosts", id="empty-compute-group"),
        pytest.param({"elb_cluster_name": ""}, None, "elb_backend 'aws' needs elb_cluster_name", id="no-cluster-name"),
        # The profile reaches the modules (the environment has access keys too, which they refuse with it).
        pytest.param(
            {"elb_aws_profile": "pydio-absent"},
            None,
            "Passing both a profile and access tokens is not supported",
            id="profile-with-access-keys",
        ),
        pytest.param({"elb_cluster_name": "QA"}, None, "invalid cluster name 'QA'", id="invalid-cluster-name"),
        pytest.param({"elb_subnets": ["subnet-00000000000000000"]}, None, "needs elb_vpc_id", id="one-subnet"),
        pytest.param(
            {"elb_health_check_interval": 3, "elb_health_check_timeout": 2},
            None,
            "an ALB target group takes elb_health_check_interval 5-300",
            id="interval-too-short",
        ),
    ],
)
def test_bad_input_fails_before_any_change(
    world: World, run_role: Callable[..., Run], role_vars: dict[str, Any], compute: list[str] | None, message: str
) -> None:
    result = run_role(compute=compute, **role_vars)
    assert result.rc != 0
    assert message in result.output, result.output[-4000:]
    _assert_nothing_created(world)


def test_subnets_of_another_vpc_are_refused(world: World, run_role: Callable[..., Run]) -> None:
    ec2 = world.client("ec2")
    other = ec2.create_vpc(CidrBlock="10.43.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_subnet(VpcId=other, CidrBlock="10.43.1.0/24", AvailabilityZone="us-east-1b")["Subnet"]
    result = run_role(elb_subnets=[world.subnet_ids[0], foreign["SubnetId"]])
    assert result.rc != 0
    assert f"in another VPC: {foreign['SubnetId']}" in result.output, result.output[-4000:]
    _assert_nothing_created(world)


def test_pending_certificate_is_refused(world: World, run_role: Callable[..., Run]) -> None:
    pending = world.client("acm").request_certificate(DomainName="pydio.example.org")["CertificateArn"]
    result = run_role(elb_certificate_arn=pending)
    assert result.rc != 0
    assert "(status PENDING_VALIDATION)" in result.output, result.output[-4000:]
    _assert_nothing_created(world)


def test_site_changes_no_load_balancer_when_no_cluster_host_converged(
    world: World, run_role: Callable[..., Run]
) -> None:
    """Every cluster host unreachable (their names resolve nowhere): the ALB play refuses, moto stays empty."""
    result = run_role(playbook=REPO / "playbooks" / "site.yml")
    assert result.rc != 0
    assert "UNREACHABLE" in result.output, result.output[-4000:]
    assert "Not changing the load balancer: " in result.output, result.output[-4000:]
    assert "web1" in result.output.split("Not changing the load balancer: ")[1].split("did not converge")[0]
    _assert_nothing_created(world)
    assert world.client("ec2").describe_instances(InstanceIds=[world.instances["web1"]])["Reservations"]
    assert _eni_groups_all_default(world)


def _eni_groups_all_default(world: World) -> bool:
    groups = _groups(world)
    return all(_eni_groups(world, name) == {groups["default"]["GroupId"]} for name in world.instances)


def _cluster_resources(world: World, cluster: str) -> dict[str, Any]:
    """Everything of one cluster that a run of another must leave as it is: targets, listeners, rules."""
    groups = _groups(world)
    return {
        "targets": sorted(_targets(world, f"pydio-{cluster}-web")),
        "listeners": sorted(
            (port, listener["ListenerArn"]) for port, listener in _listeners(world, f"pydio-{cluster}").items()
        ),
        "rules": {kind: _rules(groups[f"pydio-{cluster}-{kind}"]) for kind in ("lb", "nodes", "cluster", "db")},
    }
