"""runner.py with --provider aws: the cluster is listed through the provider, in a process of its own.

A fresh process has no test fixture to set Ansible's collection loader up: the
provider must find the scaleout.pydio.ec2 plugin by itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from aws_provider_helpers import REPO, World

from scaleout.model import Cluster
from scaleout.plan import default_lab_nodes
from scaleout.providers.aws import AwsProvider


def run_runner(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """runner.py in a process of its own, without the collection path the tests set up."""
    env = {key: value for key, value in os.environ.items() if key != "ANSIBLE_COLLECTIONS_PATH"}
    return subprocess.run(
        [sys.executable, str(REPO / "runner.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_dry_run_plans_from_the_nodes_on_aws(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any], tmp_path: Path
) -> None:
    make_provider(ami_settings).launch(Cluster(world.cluster), default_lab_nodes(world.cluster))
    settings = tmp_path / "aws.yml"
    settings.write_text(yaml.safe_dump(ami_settings))

    options = ["--provider", "aws", "--aws-config", str(settings), "--cluster", world.cluster, "--dry-run"]
    result = run_runner([*options, "scale", "--compute", "2"], tmp_path)

    assert result.returncode == 0, result.stderr
    node = [f"{world.cluster}-node{n}" for n in range(7)]
    launched = [line.split() for line in result.stdout.splitlines() if line.startswith("  ") and "compute" in line]
    assert [node[5], "compute"] in launched and [node[6], "compute"] in launched
    # The existing lb node (in the lb group, read through the inventory plugin) is in the playbook's limit.
    assert f"limit:    {node[5]},{node[6]},{node[4]}" in result.stdout


def test_up_on_aws_launches_no_lb_node(
    world: World, make_provider: Callable[..., AwsProvider], ami_settings: dict[str, Any], tmp_path: Path
) -> None:
    # The ALB is the load balancer: the default layout on AWS has no lb instance.
    settings = tmp_path / "aws.yml"
    settings.write_text(yaml.safe_dump(ami_settings))
    fresh = f"{world.cluster}u"
    options = ["--provider", "aws", "--aws-config", str(settings), "--cluster", fresh, "--dry-run", "--json"]
    result = run_runner([*options, "up"], tmp_path)

    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert [(node["name"], node["groups"]) for node in plan["launch"]] == [
        (f"{fresh}-node1", ["storage", "compute"]),
        (f"{fresh}-node2", ["storage", "compute"]),
        (f"{fresh}-node3", ["db"]),
    ]
