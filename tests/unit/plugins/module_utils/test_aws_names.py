"""The names of a cluster's own AWS resources."""

from __future__ import annotations

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.aws_names import (
    NAME_LIMIT,
    AwsNameError,
    resource_name,
)

LONGEST = "a" + "b" * 30  # 31 characters, the longest cluster name


@pytest.mark.parametrize(
    ("cluster", "suffix", "expected"),
    [
        ("qa", "", "pydio-qa"),
        ("qa", "web", "pydio-qa-web"),
        ("stage-2", "web", "pydio-stage-2-web"),
        # 6 + 22 + 4 = 32: still fits as it is.
        ("c" * 22, "web", "pydio-" + "c" * 22 + "-web"),
    ],
)
def test_short_names_are_prefix_cluster_suffix(cluster: str, suffix: str, expected: str) -> None:
    assert resource_name(cluster, suffix) == expected


@pytest.mark.parametrize("suffix", ["", "web", "nodes", "cluster"])
def test_long_names_fit_and_stay_distinct(suffix: str) -> None:
    first = resource_name(LONGEST, suffix)
    second = resource_name(LONGEST[:-1] + "c", suffix)
    assert len(first) <= NAME_LIMIT
    assert len(second) <= NAME_LIMIT
    assert first != second
    assert first.startswith("pydio-abbb")
    digest = first.removesuffix(f"-{suffix}" if suffix else "")[-6:]
    assert all(char in "0123456789abcdef" for char in digest)
    assert not first.endswith("-")


def test_a_cluster_name_ending_with_a_dash_never_ends_a_name_with_one() -> None:
    name = resource_name("qa-")
    assert not name.endswith("-")
    assert name != resource_name("qa")
    assert "--" not in resource_name("qa-", "web")


def test_the_same_cluster_always_gets_the_same_name() -> None:
    assert resource_name(LONGEST, "web") == resource_name(LONGEST, "web")


@pytest.mark.parametrize("cluster", ["", "QA", "1qa", "qa_b", "a" * 32, None])
def test_invalid_cluster_names_are_refused(cluster: object) -> None:
    with pytest.raises(AwsNameError, match="invalid cluster name"):
        resource_name(cluster)  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", ["Web", "-web", "web-", "w b"])
def test_invalid_suffixes_are_refused(suffix: str) -> None:
    with pytest.raises(AwsNameError, match="invalid name suffix"):
        resource_name("qa", suffix)


def test_a_suffix_too_long_for_any_name_is_refused() -> None:
    with pytest.raises(AwsNameError, match="cannot fit"):
        resource_name(LONGEST, "x" * 30)
