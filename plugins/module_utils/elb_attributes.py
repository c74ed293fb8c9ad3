# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers for ELBv2 target group attributes.

The AWS API speaks of attributes as a list of ``{"Key": ..., "Value": ...}``
pairs whose values are always strings (``"true"``, ``"86400"``). These
functions turn what a user asks for into that form and work out the smallest
change, without talking to AWS, so that they can be tested on their own.
"""

from __future__ import annotations

import re
from typing import Any

# Keys are dotted lower-case words, e.g. "stickiness.app_cookie.cookie_name".
_KEY_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


class TargetGroupAttributeError(ValueError):
    """A requested attribute cannot be sent to AWS as it is."""


def normalize_value(value: Any) -> str:
    """Give the string AWS uses for ``value``: booleans lower-case, numbers as digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered
        return value.strip()
    raise TargetGroupAttributeError(
        f"attribute values must be strings, integers or booleans, not {type(value).__name__}"
    )


def normalize_attributes(attributes: dict[str, Any]) -> dict[str, str]:
    """Check the keys of ``attributes`` and normalise their values."""
    normalized: dict[str, str] = {}
    for key, value in attributes.items():
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise TargetGroupAttributeError(
                f"'{key}' is not a target group attribute key (expected e.g. 'stickiness.enabled')"
            )
        if value is None:
            raise TargetGroupAttributeError(f"attribute '{key}' has no value")
        normalized[key] = normalize_value(value)
    return normalized


def attributes_from_api(pairs: list[dict[str, str]]) -> dict[str, str]:
    """Turn the ``Attributes`` list of describe_target_group_attributes into a dict."""
    return {pair["Key"]: pair.get("Value", "") for pair in pairs}


def plan_attribute_changes(current: dict[str, str], desired: dict[str, str]) -> list[dict[str, str]]:
    """Give the ``Attributes`` list to send so that ``current`` holds ``desired``.

    Keys that are not asked for are left alone. The list is sorted by key so
    that a plan is the same from one run to the next.
    """
    changes = []
    for key in sorted(desired):
        if current.get(key) != desired[key]:
            changes.append({"Key": key, "Value": desired[key]})
    return changes


def diff_attributes(current: dict[str, str], desired: dict[str, str]) -> dict[str, dict[str, str]]:
    """Give the ``before`` and ``after`` of the keys that were asked for."""
    before = {key: current[key] for key in sorted(desired) if key in current}
    after = dict(before)
    after.update(desired)
    return {"before": before, "after": dict(sorted(after.items()))}
