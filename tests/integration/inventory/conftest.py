"""Fixtures for the scaleout.pydio.ec2 inventory tests.

The shared moto server (``moto_endpoint``) serves most tests. Tests that must
stop a server, or turn on moto's IAM enforcement, get a moto server of their
own in a separate process (``private_moto``), so the shared one is never
changed for the other tests.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from collection_env import CREDENTIAL_ENV, load_collections_from_checkout

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session", autouse=True)
def _collection_loader() -> None:
    """Let Ansible, in this process, load scaleout.pydio.* from the checkout."""
    load_collections_from_checkout()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MotoProcess:
    """A moto server in its own process, on a free loopback port."""

    def __init__(self, log: Path) -> None:
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{self.endpoint}/moto-api/", timeout=2)
                break
            except requests.ConnectionError:
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto server did not start, see {log}") from None
                time.sleep(0.1)

    def enforce_iam(self) -> None:
        """From now on, every request is checked against the IAM policies."""
        response = requests.post(f"{self.endpoint}/moto-api/reset-auth", data=b"0", timeout=10)
        response.raise_for_status()

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        self._log.close()


@pytest.fixture
def private_moto(tmp_path: Path) -> Iterator[MotoProcess]:
    server = MotoProcess(tmp_path / "moto.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write an inventory file for the plugin; ``name`` must end in ec2.yml."""

    def write(name: str = "cluster.ec2.yml", **options: Any) -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump({"plugin": "scaleout.pydio.ec2", **options}, sort_keys=False))
        return path

    return write


@pytest.fixture
def no_aws_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An environment where boto3 can find no credentials at all."""
    for key in CREDENTIAL_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-such-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-such-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
