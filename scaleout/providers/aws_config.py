"""The AWS provider's configuration: its settings, read from a small YAML file and checked.

Every refusal is an :class:`AwsConfigError` raised before any change; the
messages name the settings, never their values. The keys are described in
docs/aws.md; the example is inventory/aws-provider.example.yml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaleout.providers.base import ProviderError

# Tags the provider sets on every instance (they cannot be given in ``tags``).
CLUSTER_TAG = "pydio:cluster"
ROLES_TAG = "pydio:roles"
BRICK_DEVICE_TAG = "pydio:brick_device"
NAME_TAG = "Name"
# Set by deregister on a node that scale-in is taking out, so that it is never taken for a node that an
# interrupted scale --compute left unregistered.
LEAVING_TAG = "pydio:leaving"
# runner.py bake: on the builder instance, the cluster it bakes for (it is no node of it: no pydio:cluster tag);
# on the AMI it makes, the image it was made from.
BAKE_TAG = "pydio:bake"
BAKED_FROM_TAG = "pydio:baked-from"

ADDRESS_SOURCES = ("private_ip", "public_ip")
VOLUME_TYPES = ("gp3", "gp2", "io1", "io2", "st1", "sc1", "standard")

_REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
_DEVICE_RE = re.compile(r"^/dev/[a-z0-9]+$")

# Keys of the configuration file, each described in docs/aws.md.
_INSTANCE_KEYS = ("ami", "instance_type", "subnet_id", "key_name", "security_group_ids")
CONFIG_KEYS = (
    "region",
    "endpoint_url",
    "profile",
    "launch_template",
    *_INSTANCE_KEYS,
    "storage_volume",
    "ansible_host_source",
    "ssh_user",
    "ssh_private_key_file",
    "ssh_port",
    "ssh_wait_timeout",
    "poll_interval",
    "wait_timeout",
    "tags",
)
# Settings that named a load balancer resource shared by every cluster of the file.
_CLUSTER_OWNED_KEYS = ("target_group_arn", "target_group_name")
_CREDENTIAL_KEYS = re.compile(r"access_key|secret|session_token|security_token|password", re.IGNORECASE)


class AwsConfigError(ProviderError):
    """The AWS provider configuration cannot be used; nothing was changed."""


@dataclass(frozen=True)
class LaunchTemplate:
    """An EC2 launch template, by name or by id, and optionally a version."""

    name: str | None = None
    id: str | None = None
    version: str | None = None

    def spec(self) -> dict[str, str]:
        """The ``LaunchTemplate`` parameter of RunInstances."""
        spec = {"LaunchTemplateName": self.name} if self.name else {"LaunchTemplateId": str(self.id)}
        if self.version:
            spec["Version"] = self.version
        return spec

    def label(self) -> str:
        what = f"launch template {self.name!r}" if self.name else f"launch template id {self.id!r}"
        return f"{what} version {self.version}" if self.version else what


@dataclass(frozen=True)
class StorageVolume:
    """The EBS data volume that holds the gluster brick of each storage node."""

    device: str
    size_gb: int
    type: str = "gp3"
    # The device as the operating system shows it, when it differs (e.g. /dev/nvme1n1).
    brick_device: str | None = None
    encrypted: bool | None = None

    def mapping(self) -> dict[str, Any]:
        """One entry of RunInstances' ``BlockDeviceMappings``."""
        ebs: dict[str, Any] = {"VolumeSize": self.size_gb, "VolumeType": self.type, "DeleteOnTermination": True}
        if self.encrypted is not None:
            ebs["Encrypted"] = self.encrypted
        return {"DeviceName": self.device, "Ebs": ebs}

    @property
    def os_device(self) -> str:
        """What ``gluster_brick_device`` is set to (through the pydio:brick_device tag)."""
        return self.brick_device or self.device


@dataclass(frozen=True)
class AwsConfig:
    """The AWS provider's settings; the cluster name comes from the command line."""

    region: str
    endpoint_url: str | None = None
    profile: str | None = None
    launch_template: LaunchTemplate | None = None
    ami: str | None = None
    instance_type: str | None = None
    subnet_id: str | None = None
    key_name: str | None = None
    security_group_ids: tuple[str, ...] = ()
    storage_volume: StorageVolume | None = None
    ansible_host_source: str = "private_ip"
    ssh_user: str | None = None
    ssh_private_key_file: str | None = None
    ssh_port: int = 22
    ssh_wait_timeout: float = 300.0
    poll_interval: int = 5
    wait_timeout: int = 600
    tags: dict[str, str] = field(default_factory=dict)


def load_config(path: Path) -> AwsConfig:
    """Read and check the YAML configuration file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise AwsConfigError(f"cannot read the AWS provider configuration {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise AwsConfigError(f"{path} is not valid YAML{where}") from None
    return parse_config(data, source=str(path))


def parse_config(data: Any, source: str = "the AWS provider configuration") -> AwsConfig:
    """Check a configuration mapping and build an :class:`AwsConfig`; errors name keys, never values."""
    if not isinstance(data, Mapping):
        raise AwsConfigError(f"{source}: expected a mapping of settings (region, launch_template or ami, ...)")
    _check_keys(data, source)
    launch_template = _launch_template(data.get("launch_template"), source)
    _check_launch_source(data, launch_template, source)
    poll_interval = _int(data, "poll_interval", source, default=5, minimum=1)
    return AwsConfig(
        region=_region(data.get("region"), source),
        endpoint_url=_endpoint(data.get("endpoint_url"), source),
        profile=_str(data, "profile", source),
        launch_template=launch_template,
        ami=_str(data, "ami", source),
        instance_type=_str(data, "instance_type", source),
        subnet_id=_str(data, "subnet_id", source),
        key_name=_str(data, "key_name", source),
        security_group_ids=_str_list(data, "security_group_ids", source),
        storage_volume=_storage_volume(data.get("storage_volume"), source),
        ansible_host_source=_choice(data, "ansible_host_source", ADDRESS_SOURCES, source),
        ssh_user=_str(data, "ssh_user", source),
        ssh_private_key_file=_key_file(data, source),
        ssh_port=_int(data, "ssh_port", source, default=22, minimum=1, maximum=65535),
        ssh_wait_timeout=_number(data, "ssh_wait_timeout", source, default=300.0),
        poll_interval=poll_interval,
        wait_timeout=_int(data, "wait_timeout", source, default=600, minimum=poll_interval),
        tags=_extra_tags(data.get("tags"), source),
    )


def _check_keys(data: Mapping[Any, Any], source: str) -> None:
    for key in data:
        if not isinstance(key, str):
            raise AwsConfigError(f"{source}: setting names must be strings")
        if _CREDENTIAL_KEYS.search(key):
            raise AwsConfigError(
                f"{source}: {key!r} looks like a credential; credentials do not belong in this file. "
                "Use `profile`, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_PROFILE in the environment."
            )
        if key == "cluster":
            raise AwsConfigError(f"{source}: 'cluster' is not a setting here; the cluster name comes from --cluster")
        if key in _CLUSTER_OWNED_KEYS:
            raise AwsConfigError(
                f"{source}: {key!r} is not a setting any more: each cluster has its own target group, "
                "pydio-<cluster>-web, which the elb role makes and the provider finds by the cluster's name. "
                "Remove the line, so that one settings file can serve several clusters."
            )
        if key not in CONFIG_KEYS:
            raise AwsConfigError(f"{source}: unknown setting {key!r}; the settings are {', '.join(CONFIG_KEYS)}")


def _check_launch_source(data: Mapping[str, Any], launch_template: LaunchTemplate | None, source: str) -> None:
    given = [key for key in _INSTANCE_KEYS if data.get(key) not in (None, "", [])]
    if launch_template is not None and given:
        raise AwsConfigError(
            f"{source}: launch_template and {', '.join(given)} are mutually exclusive; put the image, type, "
            "subnet, key and security groups in the launch template, or drop launch_template"
        )
    if launch_template is None and data.get("ami") in (None, ""):
        raise AwsConfigError(f"{source}: set either launch_template (name or id) or ami and instance_type")
    if launch_template is None and data.get("instance_type") in (None, ""):
        raise AwsConfigError(f"{source}: ami needs instance_type (for example t3.medium)")


def _region(value: Any, source: str) -> str:
    if value is None or value == "":
        raise AwsConfigError(f"{source}: 'region' is required (for example region: eu-west-1)")
    if not isinstance(value, str) or not _REGION_RE.match(value.strip()):
        raise AwsConfigError(f"{source}: 'region' is not an AWS region name (expected something like eu-west-1)")
    return value.strip()


def _endpoint(value: Any, source: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value):
        raise AwsConfigError(f"{source}: 'endpoint_url' must be an http:// or https:// URL")
    return value.rstrip("/")


def _str(data: Mapping[str, Any], key: str, source: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise AwsConfigError(f"{source}: {key!r} must be a string")
    return value.strip()


def _key_file(data: Mapping[str, Any], source: str) -> str | None:
    """The SSH private key on this machine (``~`` expanded): it must exist, so that a typo fails before a launch."""
    value = _str(data, "ssh_private_key_file", source)
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        raise AwsConfigError(f"{source}: ssh_private_key_file {value!r} is not a file on this machine")
    return str(path)


def _str_list(data: Mapping[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise AwsConfigError(f"{source}: {key!r} must be a list of strings")
    return tuple(item.strip() for item in value)


def _int(
    data: Mapping[str, Any], key: str, source: str, *, default: int, minimum: int, maximum: int | None = None
) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise AwsConfigError(f"{source}: {key!r} must be a whole number")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise AwsConfigError(f"{source}: {key!r} must be {bounds}")
    return value


def _number(data: Mapping[str, Any], key: str, source: str, *, default: float) -> float:
    value = data.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise AwsConfigError(f"{source}: {key!r} must be a number of seconds, 0 or more")
    return float(value)


def _choice(data: Mapping[str, Any], key: str, choices: Sequence[str], source: str) -> str:
    value = data.get(key, choices[0])
    if value not in choices:
        raise AwsConfigError(f"{source}: {key!r} must be one of {', '.join(choices)}")
    return str(value)


def _launch_template(value: Any, source: str) -> LaunchTemplate | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, Mapping):
        raise AwsConfigError(f"{source}: 'launch_template' must be a mapping with name or id, and optionally version")
    unknown = sorted(set(value) - {"name", "id", "version"})
    if unknown:
        raise AwsConfigError(f"{source}: launch_template: unknown key(s) {', '.join(map(str, unknown))}")
    name, ident = _str(value, "name", source), _str(value, "id", source)
    if bool(name) == bool(ident):
        raise AwsConfigError(f"{source}: launch_template needs exactly one of name and id")
    version = value.get("version")
    if version is not None and not isinstance(version, str | int):
        raise AwsConfigError(f"{source}: launch_template.version must be a number, $Latest or $Default")
    return LaunchTemplate(name=name, id=ident, version=str(version) if version is not None else None)


def _storage_volume(value: Any, source: str) -> StorageVolume | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise AwsConfigError(f"{source}: 'storage_volume' must be a mapping (device, size_gb, type)")
    unknown = sorted(set(value) - {"device", "size_gb", "type", "brick_device", "encrypted"})
    if unknown:
        raise AwsConfigError(f"{source}: storage_volume: unknown key(s) {', '.join(map(str, unknown))}")
    where = f"{source}: storage_volume"
    device = _device(value.get("device"), f"{where}.device", required=True)
    size = _int(value, "size_gb", where, default=0, minimum=1)
    volume_type = value.get("type", "gp3")
    if volume_type not in VOLUME_TYPES:
        raise AwsConfigError(f"{where}.type must be one of {', '.join(VOLUME_TYPES)}")
    encrypted = value.get("encrypted")
    if encrypted is not None and not isinstance(encrypted, bool):
        raise AwsConfigError(f"{where}.encrypted must be true or false")
    brick_device = _device(value.get("brick_device"), f"{where}.brick_device", required=False)
    return StorageVolume(device, size, str(volume_type), brick_device, encrypted)


def _device(value: Any, where: str, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _DEVICE_RE.match(value):
        raise AwsConfigError(f"{where} must be a device path such as /dev/xvdb")
    return value


def _extra_tags(value: Any, source: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AwsConfigError(f"{source}: 'tags' must be a mapping of tag names to values")
    tags: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str | int | float) or isinstance(item, bool):
            raise AwsConfigError(f"{source}: 'tags' must map tag names to plain values")
        if key == NAME_TAG or key.startswith(("pydio:", "aws:")):
            raise AwsConfigError(f"{source}: tag {key!r} is set by the provider and cannot be given in 'tags'")
        tags[key] = str(item)
    return tags
