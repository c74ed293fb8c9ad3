"""scaleout.pydio.elb_target_group_attributes against moto: check mode, diff, changes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import World

REPO = Path(__file__).resolve().parents[3]


def _module(world: World, aws_env: dict[str, str], args: dict[str, Any], *flags: str) -> dict[str, Any]:
    env = {key: value for key, value in aws_env.items() if key != "AWS_ENDPOINT_URL"}
    env.update(
        {
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".collections"),
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
            "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json",
            "ANSIBLE_NOCOLOR": "1",
        }
    )
    args = {"region": "us-east-1", "endpoint_url": world.endpoint, **args}
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible"),
            "localhost",
            "-i",
            "localhost,",
            "-c",
            "local",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "-m",
            "scaleout.pydio.elb_target_group_attributes",
            "-a",
            json.dumps(args),
            *flags,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = json.loads(proc.stdout)
    return out["plays"][0]["tasks"][0]["hosts"]["localhost"]


@pytest.fixture
def target_group(world: World) -> str:
    elbv2 = world.client("elbv2")
    return elbv2.create_target_group(Name="attr-test", Protocol="HTTP", Port=80, VpcId=world.vpc_id)["TargetGroups"][0][
        "TargetGroupArn"
    ]


def _attributes(world: World, arn: str) -> dict[str, str]:
    pairs = world.client("elbv2").describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    return {pair["Key"]: pair["Value"] for pair in pairs}


def test_check_mode_changes_nothing_then_apply_then_idempotent(
    world: World, aws_env: dict[str, str], target_group: str
) -> None:
    wanted = {"stickiness.enabled": True, "stickiness.type": "app_cookie", "stickiness.app_cookie.cookie_name": "Sx"}
    before = _attributes(world, target_group)
    assert before["stickiness.enabled"] == "false"

    checked = _module(world, aws_env, {"name": "attr-test", "attributes": wanted}, "--check", "--diff")
    assert checked["changed"] is True
    assert {"Key": "stickiness.enabled", "Value": "true"} in checked["changes"]
    assert checked["diff"]["before"]["stickiness.enabled"] == "false"
    assert checked["diff"]["after"]["stickiness.enabled"] == "true"
    assert _attributes(world, target_group) == before

    applied = _module(world, aws_env, {"arn": target_group, "attributes": wanted})
    assert applied["changed"] is True
    now = _attributes(world, target_group)
    assert now["stickiness.enabled"] == "true"
    assert now["stickiness.type"] == "app_cookie"
    assert now["stickiness.app_cookie.cookie_name"] == "Sx"
    assert applied["attributes"] == now

    again = _module(world, aws_env, {"arn": target_group, "attributes": wanted})
    assert again["changed"] is False
    assert again["changes"] == []

    off = _module(world, aws_env, {"name": "attr-test", "attributes": {"stickiness.enabled": False}})
    assert off["changed"] is True
    assert _attributes(world, target_group)["stickiness.enabled"] == "false"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {"name": "no-such-group", "attributes": {"stickiness.enabled": True}},
            "target group 'no-such-group' does not exist",
        ),
        ({"name": "attr-test", "attributes": {"Bad Key": True}}, "is not a target group attribute key"),
        ({"attributes": {"stickiness.enabled": True}}, "one of the following is required: name, arn"),
    ],
)
def test_bad_input_is_refused(
    world: World, aws_env: dict[str, str], target_group: str, args: dict[str, Any], message: str
) -> None:
    before = _attributes(world, target_group)
    result = _module(world, aws_env, args)
    assert result.get("failed") is True
    assert message in result["msg"]
    assert _attributes(world, target_group) == before
