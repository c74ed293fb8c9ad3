"""Helpers for the gluster scenario: playbooks, docker and XML queries."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SCENARIO = Path(__file__).resolve().parent.parent
PROJECT = SCENARIO.parent.parent


def run_playbook(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ansible-playbook against molecule's inventory; output merged."""
    env = dict(os.environ)
    env["ANSIBLE_COLLECTIONS_PATH"] = str(PROJECT / ".collections")
    env["ANSIBLE_FORCE_COLOR"] = "0"
    return subprocess.run(
        ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=1800,
        check=False,
    )


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True, timeout=300).stdout


def gluster_xml(host, *args: str) -> ET.Element:
    out = host.check_output("gluster --mode=script --xml " + " ".join(args))
    return ET.fromstring(out)


@pytest.fixture(scope="module")
def hosts(request):
    import testinfra

    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    return {
        name: testinfra.get_host(f"ansible://{name}?ansible_inventory={inventory}")
        for name in ("gl1", "gl2", "gl3", "gl4", "glout")
    }
