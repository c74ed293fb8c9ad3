"""Helpers for the gluster scenario: playbooks, docker and XML queries."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from scenario_helpers import node

SCENARIO = Path(__file__).resolve().parent.parent


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True, timeout=300).stdout


def gluster_xml(host, *args: str) -> ET.Element:
    out = host.check_output("gluster --mode=script --xml " + " ".join(args))
    return ET.fromstring(out)


@pytest.fixture(scope="module")
def hosts(request):
    return {name: node(name) for name in ("gl1", "gl2", "gl3", "gl4", "glout")}
