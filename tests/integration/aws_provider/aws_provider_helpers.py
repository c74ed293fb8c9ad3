"""Shared pieces of the AWS provider tests: the repo root on sys.path, the moto world."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

COLLECTIONS = REPO / ".collections"
REGION = "us-east-1"
# A secret key that must never show up in an error message or a file.
SECRET_KEY = "s3cr3t-Key-ThatMustNotLeak-0123456789"


_CLIENTS: dict[tuple[str, str], Any] = {}


def client(endpoint: str, service: str) -> Any:
    """A boto3 client of moto, made once per process (making one costs most of a second)."""
    if (endpoint, service) not in _CLIENTS:
        _CLIENTS[endpoint, service] = boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
    return _CLIENTS[endpoint, service]


@dataclass
class World:
    """What the tests create in moto before the provider runs."""

    endpoint: str
    image_id: str
    vpc_id: str
    subnet_id: str
    security_group_id: str
    key_name: str
    target_group_arn: str
    target_group_name: str
    cluster: str
    clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = client(self.endpoint, service)
        return self.clients[service]

    def instance(self, instance_id: str) -> dict[str, Any]:
        reservations = self.client("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
        return reservations[0]["Instances"][0]

    def instances(self, state: str = "running") -> list[dict[str, Any]]:
        filters = [
            {"Name": "tag:pydio:cluster", "Values": [self.cluster]},
            {"Name": "instance-state-name", "Values": [state]},
        ]
        pages = self.client("ec2").describe_instances(Filters=filters)["Reservations"]
        return [instance for page in pages for instance in page["Instances"]]

    def volumes(self) -> list[dict[str, Any]]:
        """The EBS volumes tagged with this world's cluster."""
        filters = [{"Name": "tag:pydio:cluster", "Values": [self.cluster]}]
        return list(self.client("ec2").describe_volumes(Filters=filters)["Volumes"])

    def targets(self, group: str | None = None) -> dict[str, str]:
        """Instance id -> health state of every target registered in this world's target group, or in ``group``."""
        elbv2 = self.client("elbv2")
        arn = elbv2.describe_target_groups(Names=[group])["TargetGroups"][0]["TargetGroupArn"] if group else None
        health = elbv2.describe_target_health(TargetGroupArn=arn or self.target_group_arn)
        return {d["Target"]["Id"]: d["TargetHealth"]["State"] for d in health["TargetHealthDescriptions"]}

    def create_launch_template(self, name: str, instance_type: str = "m5.large") -> str:
        data = {
            "ImageId": self.image_id,
            "InstanceType": instance_type,
            "KeyName": self.key_name,
            # moto ignores a subnet given in NetworkInterfaces, so none is set here.
            "SecurityGroupIds": [self.security_group_id],
        }
        response = self.client("ec2").create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)
        return str(response["LaunchTemplate"]["LaunchTemplateId"])
