"""The SSH wait: address picking, and TCP connects, on loopback only.

This machine may not send traffic to private or public addresses, and moto's
instances have private ones, so the wait is never pointed at a moto instance
(the moto tests set ssh_wait_timeout: 0). Here it meets one port that listens
and one that does not, both on 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from scaleout.providers.aws import AwsProvider
from scaleout.providers.aws_config import parse_config
from scaleout.providers.aws_launch import pick_address, wait_for_port, wait_for_ssh
from scaleout.providers.base import NodeInfo, ProviderError

LOOPBACK = "127.0.0.1"
OTHER_LOOPBACK = "127.0.0.2"


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind((LOOPBACK, 0))
        server.listen(8)
        yield int(server.getsockname()[1])


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def provider(timeout: float, port: int, progress: list[str] | None = None) -> AwsProvider:
    config = parse_config(
        {
            "region": "eu-west-1",
            "ami": "ami-1",
            "instance_type": "t3.small",
            "ssh_port": port,
            "ssh_wait_timeout": timeout,
        }
    )
    return AwsProvider(config, progress=(progress.append if progress is not None else lambda _line: None))


def node(name: str, address: str = LOOPBACK) -> NodeInfo:
    assert address in ("", LOOPBACK, OTHER_LOOPBACK)  # never anything else, see the module docstring
    return NodeInfo(name=name, groups=("compute",), private_ip=address, address=address)


def test_pick_address() -> None:
    both = {"PrivateIpAddress": "10.0.1.5", "PublicIpAddress": "203.0.113.7"}
    assert pick_address(both) == "10.0.1.5"
    assert pick_address(both, "public_ip") == "203.0.113.7"
    assert pick_address({"PrivateIpAddress": "10.0.1.5"}, "public_ip") == "10.0.1.5"
    assert pick_address({}) is None


def test_a_listening_port_answers_at_once(listening_port: int) -> None:
    started = time.monotonic()
    assert wait_for_port(LOOPBACK, listening_port, timeout=5)
    assert time.monotonic() - started < 1


def test_a_closed_port_times_out(closed_port: int) -> None:
    started = time.monotonic()
    assert not wait_for_port(LOOPBACK, closed_port, timeout=0.6, interval=0.1)
    elapsed = time.monotonic() - started
    assert 0.45 <= elapsed < 2


def test_a_port_that_opens_late_is_waited_for(closed_port: int) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    def open_later() -> None:
        time.sleep(0.4)
        server.bind((LOOPBACK, closed_port))
        server.listen(1)

    opener = threading.Thread(target=open_later)
    opener.start()
    try:
        started = time.monotonic()
        assert wait_for_port(LOOPBACK, closed_port, timeout=5, interval=0.1)
        assert 0.3 <= time.monotonic() - started < 3
    finally:
        opener.join()
        server.close()


def test_wait_for_ssh_names_the_targets_that_never_answered(listening_port: int) -> None:
    # The listener is bound to 127.0.0.1 only; 127.0.0.2 (loopback too) refuses the same port.
    targets = {"up": LOOPBACK, "down": OTHER_LOOPBACK}
    started = time.monotonic()
    assert wait_for_ssh(targets, listening_port, timeout=0.5, interval=0.1) == {"down": OTHER_LOOPBACK}
    assert time.monotonic() - started < 2
    assert wait_for_ssh({"up": LOOPBACK}, listening_port, timeout=0.5) == {}


def test_provider_wait_succeeds_on_a_listening_port(listening_port: int) -> None:
    lines: list[str] = []
    provider(2, listening_port, lines).wait_until_reachable([node("a-node1"), node("a-node2")], interval=0.1)
    # Progress per node: when its wait starts and when it answered.
    assert [line.split(" (")[0].strip() for line in lines] == [
        "waiting for SSH on a-node1",
        "a-node1: SSH answered",
        "waiting for SSH on a-node2",
        "a-node2: SSH answered",
    ]
    assert f"(127.0.0.1:{listening_port}), 1/2, up to" in lines[0]


def test_provider_wait_reports_a_node_that_never_answers(listening_port: int) -> None:
    lines: list[str] = []
    with pytest.raises(ProviderError):
        provider(0.3, listening_port, lines).wait_until_reachable([node("a-node2", OTHER_LOOPBACK)], interval=0.1)
    assert lines[-1].strip() == "a-node2: no answer on SSH"


def test_provider_wait_fails_with_a_readable_error(listening_port: int) -> None:
    nodes = [node("a-node1"), node("a-node2", OTHER_LOOPBACK)]
    started = time.monotonic()
    with pytest.raises(ProviderError) as error:
        provider(0.5, listening_port).wait_until_reachable(nodes, interval=0.1)
    assert time.monotonic() - started < 3
    text = str(error.value)
    assert f"SSH did not answer within 0.5 s on a-node2 (127.0.0.2:{listening_port})." in text
    assert "a-node1" not in text
    assert "security group" in text and "ssh_wait_timeout" in text


def test_timeout_zero_does_not_wait(closed_port: int) -> None:
    started = time.monotonic()
    provider(0, closed_port).wait_until_reachable([node("a-node1")])
    assert time.monotonic() - started < 0.1


def test_a_node_without_address_is_an_error(listening_port: int) -> None:
    with pytest.raises(ProviderError, match="no private_ip address for a-node1"):
        provider(1, listening_port).wait_until_reachable([node("a-node1", address="")])
