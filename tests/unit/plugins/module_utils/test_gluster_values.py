"""Option values compare by meaning: YAML booleans, on/off spellings, sizes."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_values import (
    as_bool,
    as_size,
    option_text,
    values_equal,
)


@pytest.mark.parametrize(
    ("current", "requested"),
    [
        ("off", False),  # YAML `off` arrives as False
        ("on", True),
        ("off", "off"),
        ("off", "false"),
        ("off", "no"),
        ("off", "disable"),
        ("off", "0"),
        ("off", 0),
        ("disable", False),
        ("Disable", "off"),
        ("0", False),
        ("0", "off"),
        ("on", "true"),
        ("on", "yes"),
        ("on", "enable"),
        ("on", "1"),
        ("1", True),
        ("enable", "on"),
        ("64MB", "67108864"),
        ("64MB", 67108864),
        ("67108864", "64MB"),
        ("64MB", "64M"),
        ("1GB", "1024MB"),
        ("256KB", "262144"),
        ("20", 20),
        ("20", 20.0),
        ("auto", "auto"),
        ("10.0.0.1,10.0.0.2", "10.0.0.1, 10.0.0.2"),
        ("10.0.0.1,10.0.0.2", ["10.0.0.1", "10.0.0.2"]),
    ],
)
def test_equal_values(current: str, requested: Any) -> None:
    assert values_equal(current, requested)


@pytest.mark.parametrize(
    ("current", "requested"),
    [
        ("on", False),
        ("off", True),
        ("off", "1"),
        ("1", "0"),
        ("2", True),  # 2 is a number, not a boolean
        ("64MB", "32MB"),
        ("64MB", "64"),
        ("none", "auto"),
        ("none", False),
        ("10%", "10"),
        ("10.0.0.1,10.0.0.2", "10.0.0.2,10.0.0.1"),
    ],
)
def test_different_values(current: str, requested: Any) -> None:
    assert not values_equal(current, requested)


@pytest.mark.parametrize(
    ("value", "text"),
    [(False, "off"), (True, "on"), (20, "20"), (2.0, "2"), (" auto ", "auto"), (["a", "b"], "a,b"), ("64MB", "64MB")],
)
def test_option_text_is_what_gluster_volume_set_gets(value: Any, text: str) -> None:
    assert option_text(value) == text


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("DISABLE", False), ("1", None), ("auto", None)])
def test_as_bool(value: str, expected: bool | None) -> None:
    assert as_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("64MB", 67108864), ("1.5KB", 1536), ("512", 512), ("4 GB", 4 * 1024**3), ("10%", None), (True, None)],
)
def test_as_size(value: Any, expected: int | None) -> None:
    assert as_size(value) == expected
