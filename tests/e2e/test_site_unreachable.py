"""site.yml with a host that cannot be reached: a clear error, and no play after the facts runs.

The unreachable host is an ssh host on a loopback port where nothing listens.
The reachable one is a throw-away container of the base image (docker
connection), so that a regression changes that container, never the machine
that runs the tests. Nothing of the cluster's roles may run on it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the socket goes


@pytest.fixture
def reachable_container() -> Iterator[str]:
    image = os.environ.get("SCALEOUT_BASE_IMAGE") or pytest.fail("SCALEOUT_BASE_IMAGE is not set; run `make e2e`")
    name = f"unreachable-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "run", "--detach", "--name", name, image, "sleep", "infinity"], check=True)
    try:
        yield name
    finally:
        subprocess.run(["docker", "rm", "--force", name], check=False, capture_output=True)


def test_an_unreachable_host_stops_site_yml_before_any_change(tmp_path: Path, reachable_container: str) -> None:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        f"""
all:
  children:
    storage:
      hosts:
        gone-node:
          ansible_connection: ssh
          ansible_host: 127.0.0.1
          ansible_port: {closed_port()}
          ansible_ssh_common_args: -o ConnectTimeout=5
    compute:
      hosts:
        here-node:
          ansible_connection: community.docker.docker
          ansible_host: {reachable_container}
""",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".collections"),
        "ANSIBLE_NOCOLOR": "1",
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory), str(REPO / "site.yml")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "UNREACHABLE! => " in output and "gone-node" in output, output
    # The reachable host had its facts gathered, and no task of any later play.
    assert [line for line in output.splitlines() if "[here-node]" in line] == ["ok: [here-node]"], output
    recap = output.split("PLAY RECAP")[-1]
    assert re.search(r"here-node\s+: ok=1\s+changed=0\s+unreachable=0\s+failed=0", recap), recap
