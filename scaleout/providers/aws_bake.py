"""Pure helpers of the AWS provider's bake: the builder's RunInstances request, its inventory, the AMI's name.

Nothing here calls AWS. The builder is launched as a compute node would be (the same image, type, subnet, key
and security groups, or the same launch template) but with tags of its own, so that it is never one of the
cluster's nodes; the AMI made from it is tagged with the image it was made from.
"""

from __future__ import annotations

from typing import Any

from scaleout.model import Node
from scaleout.providers.aws_config import BAKE_TAG, BAKED_FROM_TAG, NAME_TAG, AwsConfig
from scaleout.providers.aws_launch import run_instances_params, tag_list
from scaleout.providers.base import builder_name

# Beside the cluster's ec2.yml: the AMI that `bake` recorded for its compute nodes.
BAKED_AMI_FILE = "baked-ami"


def builder_params(config: AwsConfig, cluster: str) -> dict[str, Any]:
    """RunInstances of the builder: a compute node's request, tagged ``pydio:bake`` instead of ``pydio:cluster``."""
    params = run_instances_params(config, cluster, Node(builder_name(cluster), ("compute",)))
    tags = {**config.tags, BAKE_TAG: cluster, NAME_TAG: builder_name(cluster)}
    params["TagSpecifications"] = [{"ResourceType": "instance", "Tags": tag_list(tags)}]
    return params


def image_params(config: AwsConfig, cluster: str, instance_id: str, source: str, stamp: str) -> dict[str, Any]:
    """CreateImage of the builder (rebooted first, for a consistent file system), tagged with its source image."""
    tags = {**config.tags, BAKED_FROM_TAG: source, NAME_TAG: f"scaleout-pydio-baked-{stamp}"}
    return {
        "InstanceId": instance_id,
        "Name": f"scaleout-pydio-baked-{source}-{stamp}",
        "Description": f"scaleout.pydio web node packages on {source}, baked for cluster {cluster}",
        "TagSpecifications": [{"ResourceType": "image", "Tags": tag_list(tags)}],
    }


def render_builder_inventory(name: str, address: str) -> str:
    """The builder alone; the SSH login comes with the provider's playbook variables, as for every node."""
    return (
        "---\n# Written by runner.py bake; removed with the builder.\n"
        f"all:\n  hosts:\n    {name}:\n      ansible_host: {address}\n"
    )


def newest_image(images: list[dict[str, Any]]) -> str | None:
    """The id of the most recently created image of ``images`` (None when there is none)."""
    if not images:
        return None
    return str(max(images, key=lambda image: str(image.get("CreationDate", "")))["ImageId"])
