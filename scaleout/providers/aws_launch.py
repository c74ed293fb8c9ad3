"""Pure helpers of the AWS provider's launch: RunInstances parameters and tags, the address, the SSH wait.

Nothing here calls AWS: the functions build requests from an :class:`AwsConfig`
and a planned node, pick the address Ansible uses, and wait for TCP ports.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Mapping
from typing import Any

from scaleout.model import Node
from scaleout.providers.aws_config import (
    BRICK_DEVICE_TAG,
    CLUSTER_TAG,
    NAME_TAG,
    ROLES_TAG,
    AwsConfig,
    StorageVolume,
)

_NATURAL_RE = re.compile(r"(\d+)")


def node_tags(config: AwsConfig, cluster: str, node: Node) -> dict[str, str]:
    """The tags of one instance: cluster, roles and name (and the brick device of storage nodes)."""
    tags = {**config.tags, CLUSTER_TAG: cluster, ROLES_TAG: ",".join(node.groups), NAME_TAG: node.name}
    volume = data_volume(config, node)
    if volume is not None:
        tags[BRICK_DEVICE_TAG] = volume.os_device
    return tags


def run_instances_params(config: AwsConfig, cluster: str, node: Node) -> dict[str, Any]:
    """The RunInstances request for one node."""
    tags = node_tags(config, cluster, node)
    params: dict[str, Any] = {
        "MinCount": 1,
        "MaxCount": 1,
        "TagSpecifications": [{"ResourceType": "instance", "Tags": tag_list(tags)}],
    }
    if config.launch_template is not None:
        params["LaunchTemplate"] = config.launch_template.spec()
    else:
        params["ImageId"] = config.ami
        params["InstanceType"] = config.instance_type
        if config.subnet_id:
            params["SubnetId"] = config.subnet_id
        if config.key_name:
            params["KeyName"] = config.key_name
        if config.security_group_ids:
            params["SecurityGroupIds"] = list(config.security_group_ids)
    volume = data_volume(config, node)
    if volume is not None:
        params["BlockDeviceMappings"] = [volume.mapping()]
        volume_tags = {**config.tags, CLUSTER_TAG: cluster, NAME_TAG: f"{node.name}-brick"}
        params["TagSpecifications"].append({"ResourceType": "volume", "Tags": tag_list(volume_tags)})
    return params


def data_volume(config: AwsConfig, node: Node) -> StorageVolume | None:
    """The EBS data volume of ``node``: the configured one for storage nodes, none for the others."""
    return config.storage_volume if "storage" in node.groups else None


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """AWS's form of a tag mapping: ``[{"Key": ..., "Value": ...}]``."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def pick_address(instance: Mapping[str, Any], source: str = "private_ip") -> str | None:
    """The address Ansible (and the SSH wait) uses, as the inventory plugin picks it."""
    private = instance.get("PrivateIpAddress") or None
    if source == "public_ip":
        return instance.get("PublicIpAddress") or private
    return private


def wait_for_port(host: str, port: int, timeout: float, *, interval: float = 1.0, connect_timeout: float = 3.0) -> bool:
    """Try a TCP connection to ``host:port`` until one succeeds or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            with socket.create_connection((host, port), timeout=max(0.05, min(connect_timeout, remaining))):
                return True
        except OSError:
            pass
        if time.monotonic() + interval > deadline:
            return False
        time.sleep(interval)


def wait_for_ssh(
    targets: Mapping[str, str],
    port: int,
    timeout: float,
    *,
    interval: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Wait for every ``name -> address`` to accept TCP on ``port``, within one shared deadline.

    ``progress`` gets a line when the wait for a node starts and one when it ends.
    Returns the targets that never answered (empty when all did).
    """
    say = progress or (lambda _line: None)
    started = time.monotonic()
    deadline = started + timeout
    unreachable: dict[str, str] = {}
    for number, (name, address) in enumerate(targets.items(), start=1):
        remaining = max(0.0, deadline - time.monotonic())
        say(f"    waiting for SSH on {name} ({address}:{port}), {number}/{len(targets)}, up to {remaining:.0f} s more")
        if wait_for_port(address, port, remaining, interval=interval):
            say(f"    {name}: SSH answered ({time.monotonic() - started:.0f} s)")
        else:
            unreachable[name] = address
            say(f"    {name}: no answer on SSH")
    return unreachable


def natural_key(name: str) -> list[Any]:
    """``node2`` before ``node10``: the order nodes were launched in, by their numbered names."""
    return [int(part) if part.isdigit() else part for part in _NATURAL_RE.split(name)]
