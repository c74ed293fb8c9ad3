#!/usr/bin/python
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: elb_target_group_attributes
short_description: Set the attributes of an ELBv2 target group exactly
version_added: 1.0.0
description:
  - Sets attributes of an existing Application or Network Load Balancer target group, such as
    C(stickiness.enabled), C(stickiness.type) or C(stickiness.app_cookie.cookie_name).
  - Only the attributes given in O(attributes) are compared and changed; the others are left alone.
  - Unlike M(community.aws.elb_target_group), a C(false) value is applied too, so stickiness can be
    turned off again (that module only ever sets C(stickiness.enabled) to C(true)).
options:
  name:
    description:
      - Name of the target group.
      - Mutually exclusive with O(arn).
    type: str
  arn:
    description:
      - ARN of the target group.
      - Mutually exclusive with O(name).
    type: str
  attributes:
    description:
      - Attribute keys as the AWS API names them, with their wanted values.
      - Booleans are sent as C(true)/C(false) and integers as digits.
    type: dict
    required: true
author:
  - scaleout.pydio developers (@scaleout-pydio)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Keep a session on one target with Pydio's own session cookie
  scaleout.pydio.elb_target_group_attributes:
    name: pydio-web
    attributes:
      stickiness.enabled: true
      stickiness.type: app_cookie
      stickiness.app_cookie.cookie_name: AjaXplorer
      stickiness.app_cookie.duration_seconds: 86400

- name: Turn stickiness off
  scaleout.pydio.elb_target_group_attributes:
    name: pydio-web
    attributes:
      stickiness.enabled: false
"""

RETURN = r"""
target_group_arn:
  description: ARN of the target group.
  returned: always
  type: str
  sample: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/pydio-web/0123456789abcdef
attributes:
  description: All attributes of the target group after the change (before it in check mode).
  returned: always
  type: dict
  sample: {"stickiness.enabled": "true", "stickiness.type": "app_cookie"}
changes:
  description: The attributes that were (or, in check mode, would be) sent to AWS.
  returned: always
  type: list
  elements: dict
  sample: [{"Key": "stickiness.enabled", "Value": "false"}]
"""

from typing import Any

try:  # noqa: SIM105 - the import guard amazon.aws modules use
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.scaleout.pydio.plugins.module_utils.elb_attributes import (
    TargetGroupAttributeError,
    attributes_from_api,
    diff_attributes,
    normalize_attributes,
    plan_attribute_changes,
)


def _target_group_arn(client: Any, module: AnsibleAWSModule) -> str:
    if module.params["arn"]:
        return module.params["arn"]
    name = module.params["name"]
    try:
        found = client.describe_target_groups(Names=[name], aws_retry=True)
    except is_boto3_error_code("TargetGroupNotFound"):
        module.fail_json(msg=f"target group '{name}' does not exist")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"could not describe target group '{name}'")
    return found["TargetGroups"][0]["TargetGroupArn"]


def _current_attributes(client: Any, module: AnsibleAWSModule, arn: str) -> dict[str, str]:
    try:
        answer = client.describe_target_group_attributes(TargetGroupArn=arn, aws_retry=True)
    except is_boto3_error_code("TargetGroupNotFound"):
        module.fail_json(msg=f"target group '{arn}' does not exist")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="could not read the target group attributes")
    return attributes_from_api(answer["Attributes"])


def main() -> None:
    argument_spec = dict(
        name=dict(type="str"),
        arn=dict(type="str"),
        attributes=dict(type="dict", required=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("name", "arn")],
        required_one_of=[("name", "arn")],
        supports_check_mode=True,
    )

    try:
        desired = normalize_attributes(module.params["attributes"])
    except TargetGroupAttributeError as e:
        module.fail_json(msg=str(e))

    client = module.client("elbv2", retry_decorator=AWSRetry.jittered_backoff())
    arn = _target_group_arn(client, module)
    current = _current_attributes(client, module, arn)
    changes = plan_attribute_changes(current, desired)

    result: dict[str, Any] = {
        "changed": bool(changes),
        "target_group_arn": arn,
        "changes": changes,
        "attributes": current,
    }
    if module._diff:
        result["diff"] = diff_attributes(current, desired)

    if changes and not module.check_mode:
        try:
            client.modify_target_group_attributes(TargetGroupArn=arn, Attributes=changes, aws_retry=True)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="could not set the target group attributes")
        result["attributes"] = _current_attributes(client, module, arn)

    module.exit_json(**result)


if __name__ == "__main__":
    main()
