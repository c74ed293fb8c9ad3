# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the ``scaleout.pydio.ec2`` inventory plugin.

Nothing here talks to AWS or to Ansible: the plugin fetches instances with
boto3, turns each one into a compact record with :func:`compact_instance`, and
everything else (filters, host names, host variables, groups, error texts) is
computed by the functions below from plain data, so that each can be unit
tested on its own.

A compact record is a small dict, the only shape that is ever cached::

    {"id": "i-0abc", "region": "eu-west-1", "az": "eu-west-1a",
     "state": "running", "type": "t3.small", "private_ip": "10.0.1.5",
     "public_ip": None, "private_dns": "ip-10-0-1-5.eu-west-1.compute.internal",
     "tags": {"Name": "web1", "pydio:roles": "storage,compute"},
     "data_device": "/dev/sdf"}
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

CLUSTER_TAG = "pydio:cluster"
ROLES_TAG = "pydio:roles"
DEFAULT_BRICK_DEVICE_TAG = "pydio:brick_device"
NAME_TAG = "Name"

KNOWN_ROLES = ("storage", "compute", "db", "lb", "session_store")
SELECTED_STATES = ("running", "pending")
HOSTNAME_SOURCES = ("name_tag", "instance_id", "private_dns")
ANSIBLE_HOST_SOURCES = ("private_ip", "public_ip")

# Bump when the shape of a cached record changes: older cache entries are
# then ignored instead of being misread.
CACHE_FORMAT = 1

DESCRIBE_PERMISSION = "ec2:DescribeInstances"

_REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
_ROLE_SPLIT_RE = re.compile(r"[,\s]+")
_STATE_FILTER = "instance-state-name"
_CLUSTER_FILTER = f"tag:{CLUSTER_TAG}"


class InventoryConfigError(ValueError):
    """An inventory configuration that cannot be used, with a readable text."""


# --------------------------------------------------------------------------
# Configuration checks and the server-side filter
# --------------------------------------------------------------------------


def check_cluster(cluster: Any) -> str:
    """Return the cluster name, or raise if it is missing or not a string."""
    if cluster is None or (isinstance(cluster, str) and not cluster.strip()):
        raise InventoryConfigError(
            "The 'cluster' option is required: set it to the value of the "
            f"'{CLUSTER_TAG}' tag of the instances to list, for example "
            "'cluster: production'."
        )
    if not isinstance(cluster, str):
        raise InventoryConfigError(f"The 'cluster' option must be a string, got {type(cluster).__name__}: {cluster!r}.")
    return cluster.strip()


def check_regions(regions: Any, default_region: str | None) -> list[str]:
    """Return the regions to query, without duplicates, in the given order.

    An empty list means the region of the AWS configuration
    (``AWS_REGION``, ``AWS_DEFAULT_REGION`` or the profile), given as
    ``default_region``; without one either, this is an error.
    """
    if regions is None:
        regions = []
    if isinstance(regions, str):
        regions = [regions]
    if not isinstance(regions, Sequence):
        raise InventoryConfigError(
            f"The 'regions' option must be a list of region names, got {type(regions).__name__}."
        )
    if not regions:
        if not default_region:
            raise InventoryConfigError(
                "No region to query: set the 'regions' option (for example "
                "'regions: [eu-west-1]') or AWS_REGION / AWS_DEFAULT_REGION."
            )
        regions = [default_region]
    result: list[str] = []
    for region in regions:
        if not isinstance(region, str) or not _REGION_RE.match(region.strip()):
            raise InventoryConfigError(
                f"{region!r} in 'regions' is not an AWS region name (expected something like 'eu-west-1')."
            )
        region = region.strip()
        if region not in result:
            result.append(region)
    return result


def check_choice(option: str, value: Any, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise a readable error."""
    if value not in choices:
        raise InventoryConfigError(f"The '{option}' option must be one of {', '.join(choices)}; got {value!r}.")
    return str(value)


def _filter_values(name: str, value: Any) -> list[str]:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        values = [str(value)]
    elif isinstance(value, Sequence) and value and not isinstance(value, str):
        values = []
        for item in value:
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                raise InventoryConfigError(f"Filter {name!r}: every value must be a string, got {item!r}.")
            values.append(str(item))
    else:
        raise InventoryConfigError(
            f"Filter {name!r}: the value must be a string or a non-empty list of strings, got {value!r}."
        )
    return values


def build_filters(cluster: str, extra: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Build the DescribeInstances filter list: the cluster tag, the state, then ``extra``.

    ``extra`` is the ``filters`` option: EC2 filter names mapped to a value or a
    list of values. It may narrow the state to a subset of running/pending,
    but it can neither widen it nor select the cluster (that is ``cluster``).
    """
    states: list[str] = list(SELECTED_STATES)
    others: list[dict[str, Any]] = []
    if extra is None:
        extra = {}
    if not isinstance(extra, Mapping):
        raise InventoryConfigError(
            f"The 'filters' option must be a mapping of EC2 filter names to values, got {type(extra).__name__}."
        )
    for name, value in extra.items():
        if not isinstance(name, str) or not name:
            raise InventoryConfigError(f"Filter names must be non-empty strings, got {name!r}.")
        values = _filter_values(name, value)
        if name == _CLUSTER_FILTER:
            raise InventoryConfigError(
                f"Do not set the {_CLUSTER_FILTER!r} filter: the 'cluster' option selects the cluster."
            )
        if name == _STATE_FILTER:
            wrong = [v for v in values if v not in SELECTED_STATES]
            if wrong:
                raise InventoryConfigError(
                    f"Filter {_STATE_FILTER!r} may only narrow the selection to "
                    f"{' or '.join(SELECTED_STATES)}; {', '.join(wrong)} cannot be listed."
                )
            states = [s for s in SELECTED_STATES if s in values]
            continue
        others.append({"Name": name, "Values": values})
    return [
        {"Name": _CLUSTER_FILTER, "Values": [cluster]},
        {"Name": _STATE_FILTER, "Values": states},
        *others,
    ]


def query_fingerprint(
    regions: Sequence[str],
    filters: Sequence[Mapping[str, Any]],
    endpoint_url: str | None,
    profile: str | None = None,
) -> str:
    """A short digest of what a query asks; a cached result is reused only if it matches."""
    blob = json.dumps(
        {
            "v": CACHE_FORMAT,
            "regions": list(regions),
            "filters": list(filters),
            "endpoint": endpoint_url,
            "profile": profile,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------
# From a boto3 instance to a compact record
# --------------------------------------------------------------------------


def tags_to_dict(tags: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """``[{'Key': k, 'Value': v}, ...]`` -> ``{k: v}``."""
    if not tags:
        return {}
    return {tag["Key"]: tag.get("Value", "") for tag in tags}


def first_data_device(mappings: Iterable[Mapping[str, Any]] | None, root_device_name: str | None) -> str | None:
    """The first EBS device of the block-device mapping that is not the root device."""
    for mapping in mappings or ():
        name = mapping.get("DeviceName")
        if name and "Ebs" in mapping and name != root_device_name:
            return str(name)
    return None


def compact_instance(instance: Mapping[str, Any], region: str) -> dict[str, Any]:
    """Keep, of one DescribeInstances instance, only what the inventory uses."""
    state = instance.get("State") or {}
    placement = instance.get("Placement") or {}
    return {
        "id": instance["InstanceId"],
        "region": region,
        "az": placement.get("AvailabilityZone"),
        "state": state.get("Name"),
        "type": instance.get("InstanceType"),
        "private_ip": instance.get("PrivateIpAddress") or None,
        "public_ip": instance.get("PublicIpAddress") or None,
        "private_dns": instance.get("PrivateDnsName") or None,
        "tags": tags_to_dict(instance.get("Tags")),
        "data_device": first_data_device(instance.get("BlockDeviceMappings"), instance.get("RootDeviceName")),
    }


def compact_reservations(reservations: Iterable[Mapping[str, Any]], region: str) -> list[dict[str, Any]]:
    """All instances of a DescribeInstances page, as compact records."""
    return [
        compact_instance(instance, region)
        for reservation in reservations
        for instance in reservation.get("Instances", ())
    ]


# --------------------------------------------------------------------------
# Host names, host variables and groups
# --------------------------------------------------------------------------


def preferred_name(record: Mapping[str, Any], source: str) -> str:
    """The name ``source`` asks for, or the instance id when that is empty."""
    if source == "name_tag":
        name = (record["tags"].get(NAME_TAG) or "").strip()
    elif source == "private_dns":
        name = (record.get("private_dns") or "").strip()
    else:
        name = ""
    return name or record["id"]


def choose_hostnames(records: Sequence[Mapping[str, Any]], source: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Give every record a unique inventory host name.

    Returns ``(names, duplicates)``: ``names`` maps each instance id to its
    host name; ``duplicates`` maps each name that several instances share to
    their ids (sorted). Those instances are all named by their instance id
    instead, so none hides another. A name that equals the id of another
    instance falls back the same way.
    """
    wanted = {record["id"]: preferred_name(record, source) for record in records}
    counts: dict[str, int] = {}
    for name in wanted.values():
        counts[name] = counts.get(name, 0) + 1
    ids = set(wanted)
    names: dict[str, str] = {}
    duplicates: dict[str, list[str]] = {}
    for instance_id, name in wanted.items():
        if counts[name] > 1:
            names[instance_id] = instance_id
            duplicates.setdefault(name, []).append(instance_id)
        elif name in ids and name != instance_id:
            # The name of this one is the id of another instance.
            names[instance_id] = instance_id
            duplicates.setdefault(name, [name]).append(instance_id)
        else:
            names[instance_id] = name
    for shared in duplicates.values():
        shared.sort()
    return names, duplicates


def parse_roles(value: str | None) -> list[str]:
    """``'storage, compute'`` -> ``['storage', 'compute']`` (lower case, no duplicates)."""
    if not value:
        return []
    roles: list[str] = []
    for role in _ROLE_SPLIT_RE.split(value.strip().lower()):
        if role and role not in roles:
            roles.append(role)
    return roles


def brick_device(record: Mapping[str, Any], brick_tag: str) -> str | None:
    """The brick device: the ``brick_tag`` tag first, else the first non-root EBS device."""
    tagged = (record["tags"].get(brick_tag) or "").strip() if brick_tag else ""
    return tagged or record.get("data_device") or None


def build_hostvars(record: Mapping[str, Any], ansible_host_source: str, brick_tag: str) -> dict[str, Any]:
    """The few variables a host gets; absent values are left out, not set to null."""
    hostvars: dict[str, Any] = {}
    address = record.get("private_ip")
    if ansible_host_source == "public_ip" and record.get("public_ip"):
        address = record["public_ip"]
    if address:
        hostvars["ansible_host"] = address
    if record.get("private_ip"):
        hostvars["private_ip"] = record["private_ip"]
    hostvars["instance_id"] = record["id"]
    if record.get("az"):
        hostvars["availability_zone"] = record["az"]
    device = brick_device(record, brick_tag)
    if device:
        hostvars["gluster_brick_device"] = device
    return hostvars


def template_context(record: Mapping[str, Any], hostvars: Mapping[str, Any]) -> dict[str, Any]:
    """What ``compose``, ``groups`` and ``keyed_groups`` can use, beyond the host variables."""
    context = dict(hostvars)
    context.update(
        {
            "tags": record["tags"],
            "roles": parse_roles(record["tags"].get(ROLES_TAG)),
            "region": record["region"],
            "instance_type": record.get("type"),
            "state": record.get("state"),
            "public_ip": record.get("public_ip"),
            "private_dns": record.get("private_dns"),
        }
    )
    return context


def summarise(items: Sequence[str], limit: int = 5) -> str:
    """``a, b, c and 7 more`` for warnings that must stay short."""
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += f" and {len(items) - limit} more"
    return shown


# --------------------------------------------------------------------------
# Error texts
# --------------------------------------------------------------------------

_ACCESS_DENIED = {
    "UnauthorizedOperation",
    "AccessDenied",
    "AccessDeniedException",
    "Forbidden",
}
_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "RequestExpired",
    "UnrecognizedClientException",
}


def describe_client_error(code: str, message: str, region: str) -> str:
    """A readable explanation of an EC2 error code returned by DescribeInstances in ``region``."""
    if code:
        said = f"AWS said: {code}: {message}" if message else f"AWS said: {code}"
    else:
        said = f"AWS said: {message}" if message else "AWS gave no error code."
    if code in _ACCESS_DENIED:
        return (
            f"Access denied listing instances in {region}: the credentials lack the IAM "
            f"permission {DESCRIBE_PERMISSION}. Grant it (Action {DESCRIBE_PERMISSION}, "
            f"Resource *) to the user or role. {said}"
        )
    if code == "OptInRequired":
        return (
            f"Region {region} is not enabled for this AWS account (opt-in region). Enable it "
            f"in the account settings or remove it from 'regions'. {said}"
        )
    if code == "AuthFailure":
        return (
            f"AWS could not validate the credentials in {region}. This is what a region that "
            f"is not enabled for the account answers (opt-in regions): enable it or remove it "
            f"from 'regions'; otherwise check the access key. {said}"
        )
    if code in _BAD_CREDENTIALS:
        return f"The AWS credentials were refused in {region} (wrong, disabled or expired key or session token). {said}"
    return f"Listing EC2 instances in {region} failed. {said}"


def error_response_text(response: Mapping[str, Any], region: str) -> str:
    """:func:`describe_client_error` for the ``response`` of a botocore ``ClientError``."""
    error = response.get("Error") or {}
    return describe_client_error(str(error.get("Code", "")), str(error.get("Message", "")), region)
