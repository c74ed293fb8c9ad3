# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The names of a cluster's own AWS resources.

A cluster's load balancer, target group and security groups are named after
the cluster, so that two clusters in one account never share one. The elb
role (through the ``aws_resource_name`` filter) and the runner's AWS provider
both name them with this one function.

Load balancer and target group names take at most 32 letters, digits and
hyphens, and may not start or end with a hyphen. A name that would be longer
keeps the start of the cluster's name and ends with a short hash of the whole
name, so that it stays within the limit and still differs between clusters.
"""

from __future__ import annotations

import hashlib
import re

PREFIX = "pydio-"
# Load balancers and target groups: 1 to 32 characters.
NAME_LIMIT = 32
_HASH_LENGTH = 6
_CLUSTER_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_SUFFIX_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class AwsNameError(ValueError):
    """The cluster name or suffix cannot name an AWS resource."""


def resource_name(cluster: str, suffix: str = "", limit: int = NAME_LIMIT) -> str:
    """``pydio-<cluster>[-<suffix>]``, or a shortened form with a hash when that is too long.

    >>> resource_name("qa", "web")
    'pydio-qa-web'
    """
    if not isinstance(cluster, str) or not _CLUSTER_RE.match(cluster):
        raise AwsNameError(
            f"invalid cluster name {cluster!r}: use 1 to 31 lower-case letters, digits or dashes, "
            "starting with a letter"
        )
    if suffix and not _SUFFIX_RE.match(suffix):
        raise AwsNameError(f"invalid name suffix {suffix!r}: use lower-case letters and digits, joined by dashes")
    tail = f"-{suffix}" if suffix else ""
    name = f"{PREFIX}{cluster}{tail}"
    # A cluster name ending with a dash would end the name with one, or meet
    # the suffix's dash; such names get the hashed form too.
    if len(name) <= limit and not cluster.endswith("-"):
        return name
    digest = hashlib.sha256(cluster.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    room = limit - len(PREFIX) - len(tail) - len(digest) - 1
    if room < 1:
        raise AwsNameError(f"a name with the suffix {suffix!r} cannot fit in {limit} characters")
    head = cluster[:room].rstrip("-")
    return f"{PREFIX}{head}-{digest}{tail}"
