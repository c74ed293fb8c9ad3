# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The aws_resource_name filter: the name of one of a cluster's own AWS resources."""

from __future__ import annotations

DOCUMENTATION = r"""
name: aws_resource_name
short_description: Name one of a cluster's own AWS resources
version_added: 1.0.0
description:
  - Gives C(pydio-<cluster>) or C(pydio-<cluster>-<suffix>), the name of a cluster's load balancer, target group
    or security group.
  - A name longer than O(limit) keeps the start of the cluster's name and ends with a short hash of the whole
    name, so that two clusters never share a name.
  - The runner's AWS provider names the target group it registers nodes with by the same function.
options:
  _input:
    description: The cluster's name, 1 to 31 lower-case letters, digits or dashes, starting with a letter.
    type: str
    required: true
  suffix:
    description: What the resource is, such as C(web) for the target group. Empty for the load balancer.
    type: str
    default: ""
  limit:
    description: The longest name AWS takes for the resource (32 for load balancers and target groups).
    type: int
    default: 32
"""

EXAMPLES = r"""
- name: The target group of cluster qa
  ansible.builtin.debug:
    msg: "{{ 'qa' | scaleout.pydio.aws_resource_name('web') }}"  # pydio-qa-web
"""

RETURN = r"""
_value:
  description: The resource's name.
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.scaleout.pydio.plugins.module_utils.aws_names import AwsNameError, resource_name


def aws_resource_name(cluster: str, suffix: str = "", limit: int = 32) -> str:
    try:
        return resource_name(cluster, suffix, limit)
    except AwsNameError as exc:
        raise AnsibleFilterError(f"aws_resource_name: {exc}") from None


class FilterModule:
    """The collection's filters."""

    def filters(self) -> dict:
        return {"aws_resource_name": aws_resource_name}
