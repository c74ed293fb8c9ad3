"""Target group attribute planning, as elb_target_group_attributes uses it."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.elb_attributes import (
    TargetGroupAttributeError,
    attributes_from_api,
    diff_attributes,
    normalize_attributes,
    normalize_value,
    plan_attribute_changes,
)

CURRENT = {
    "stickiness.enabled": "true",
    "stickiness.type": "app_cookie",
    "stickiness.app_cookie.cookie_name": "AjaXplorer",
    "stickiness.app_cookie.duration_seconds": "86400",
    "deregistration_delay.timeout_seconds": "300",
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (86400, "86400"),
        (0, "0"),
        ("True", "true"),
        (" FALSE ", "false"),
        ("app_cookie", "app_cookie"),
        ("AjaXplorer", "AjaXplorer"),
    ],
)
def test_normalize_value(value: Any, expected: str) -> None:
    assert normalize_value(value) == expected


@pytest.mark.parametrize("value", [1.5, None, ["a"], {"a": 1}])
def test_normalize_value_refuses_other_types(value: Any) -> None:
    with pytest.raises(TargetGroupAttributeError, match="must be strings, integers or booleans"):
        normalize_value(value)


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"Stickiness.Enabled": True}, "is not a target group attribute key"),
        ({"stickiness..enabled": True}, "is not a target group attribute key"),
        ({"": True}, "is not a target group attribute key"),
        ({"stickiness.enabled": None}, "has no value"),
    ],
)
def test_normalize_attributes_refuses_bad_input(attributes: dict[str, Any], message: str) -> None:
    with pytest.raises(TargetGroupAttributeError, match=message):
        normalize_attributes(attributes)


def test_attributes_from_api() -> None:
    pairs = [{"Key": "stickiness.enabled", "Value": "true"}, {"Key": "slow_start.duration_seconds", "Value": "0"}]
    assert attributes_from_api(pairs) == {"stickiness.enabled": "true", "slow_start.duration_seconds": "0"}


@pytest.mark.parametrize(
    ("desired", "expected"),
    [
        pytest.param(
            {"stickiness.enabled": True, "stickiness.type": "app_cookie"},
            [],
            id="already-there",
        ),
        pytest.param(
            {"stickiness.enabled": False},
            [{"Key": "stickiness.enabled", "Value": "false"}],
            id="turn-stickiness-off",
        ),
        pytest.param(
            {"stickiness.app_cookie.cookie_name": "PHPSESSID", "stickiness.enabled": True},
            [{"Key": "stickiness.app_cookie.cookie_name", "Value": "PHPSESSID"}],
            id="only-what-differs",
        ),
        pytest.param(
            {"deregistration_delay.timeout_seconds": 30, "stickiness.app_cookie.duration_seconds": 3600},
            [
                {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
                {"Key": "stickiness.app_cookie.duration_seconds", "Value": "3600"},
            ],
            id="integers-sorted-by-key",
        ),
        pytest.param(
            {"load_balancing.algorithm.type": "least_outstanding_requests"},
            [{"Key": "load_balancing.algorithm.type", "Value": "least_outstanding_requests"}],
            id="key-not-yet-reported",
        ),
    ],
)
def test_plan_attribute_changes(desired: dict[str, Any], expected: list[dict[str, str]]) -> None:
    assert plan_attribute_changes(CURRENT, normalize_attributes(desired)) == expected


def test_diff_shows_only_requested_keys() -> None:
    diff = diff_attributes(CURRENT, {"stickiness.enabled": "false", "slow_start.duration_seconds": "30"})
    assert diff == {
        "before": {"stickiness.enabled": "true"},
        "after": {"slow_start.duration_seconds": "30", "stickiness.enabled": "false"},
    }
