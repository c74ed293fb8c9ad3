"""The scaleout.pydio.ec2 inventory plugin's documentation renders with ansible-doc."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
ANSIBLE_DOC = Path(sys.executable).parent / "ansible-doc"


def ansible_doc(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".collections"),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
    }
    return subprocess.run(
        [str(ANSIBLE_DOC), "-t", "inventory", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def doc() -> dict:
    result = ansible_doc("--json", "scaleout.pydio.ec2")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["scaleout.pydio.ec2"]


def test_ansible_doc_renders_as_text() -> None:
    result = ansible_doc("scaleout.pydio.ec2")
    assert result.returncode == 0, result.stderr
    assert "scaleout.pydio.ec2" in result.stdout
    assert "ec2:DescribeInstances" in " ".join(result.stdout.split())
    assert "[WARNING]" not in result.stderr


def test_options_of_the_plugin_and_of_both_fragments(doc: dict) -> None:
    options = doc["doc"]["options"]
    own = {
        "plugin",
        "cluster",
        "regions",
        "filters",
        "hostname_source",
        "ansible_host_source",
        "brick_device_tag",
        "endpoint_url",
        "aws_access_key_id",
        "aws_secret_access_key",
        "session_token",
        "aws_profile",
    }
    constructed = {"compose", "groups", "keyed_groups", "strict", "leading_separator"}
    inventory_cache = {"cache", "cache_plugin", "cache_timeout", "cache_connection", "cache_prefix"}
    assert own | constructed | inventory_cache <= set(options)
    assert options["cluster"]["required"] is True
    assert options["hostname_source"]["choices"] == ["name_tag", "instance_id", "private_dns"]
    assert options["ansible_host_source"]["default"] == "private_ip"


def test_examples_are_yaml(doc: dict) -> None:
    import yaml

    example = yaml.safe_load(doc["examples"])
    assert example["plugin"] == "scaleout.pydio.ec2"
    assert example["cluster"]
