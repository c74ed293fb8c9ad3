"""Replay glusterd's recorded XML answers to the code under test.

The files in tests/fixtures/gluster were captured from a real glusterd 10.3
by tests/fixtures/gluster/capture.sh. :class:`Replay` stands in for
``AnsibleModule.run_command``: it answers each gluster command line with the
file recorded for it, records every call, and fails the test on a command
the test did not expect.

The capture ran on four nodes (fixture-g1..g4, 10.231.47.11..14) and on
fixture-g1; :data:`FAKE_DNS` and :func:`fake_is_local` give the code the
same view of names and local addresses.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gluster"

FAKE_DNS: dict[str, frozenset[str]] = {
    "localhost": frozenset({"127.0.0.1", "::1"}),
    "fixture-g1": frozenset({"10.231.47.11"}),
    "fixture-g2": frozenset({"10.231.47.12"}),
    "fixture-g3": frozenset({"10.231.47.13"}),
    "fixture-g4": frozenset({"10.231.47.14"}),
    "fixture-g1.fixture-net": frozenset({"10.231.47.11"}),
    "fixture-g5": frozenset({"10.231.47.15"}),
}
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1", "10.231.47.11"})


def fake_resolve(name: str) -> frozenset[str]:
    return FAKE_DNS.get(name.lower(), frozenset())


def fake_is_local(address: str) -> bool:
    return address in LOCAL_ADDRESSES


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_root(name: str) -> ET.Element:
    """The ``cliOutput`` root of a fixture, without judging its opRet."""
    return ET.fromstring(fixture_text(name).encode("utf-8"))


class Replay:
    """Answer gluster command lines with recorded XML files.

    ``script`` maps the arguments after ``gluster --mode=script --xml``
    (joined by spaces) to a file name, or to a list of file names given one
    per call (the last one repeats).
    """

    def __init__(self, script: dict[str, str | Sequence[str]]) -> None:
        self.script = {key: [value] if isinstance(value, str) else list(value) for key, value in script.items()}
        self.calls: list[str] = []
        self.argvs: list[list[str]] = []

    def __call__(self, argv: list[str], **_kwargs: object) -> tuple[int, str, str]:
        self.argvs.append(list(argv))
        assert argv[1:3] == ["--mode=script", "--xml"], argv
        key = " ".join(argv[3:])
        self.calls.append(key)
        if key not in self.script:
            raise AssertionError(f"unexpected gluster command: {key}")
        files = self.script[key]
        name = files.pop(0) if len(files) > 1 else files[0]
        return 0, fixture_text(name), ""

    def mutating(self) -> list[str]:
        """Calls that change something (everything but reads)."""
        reads = ("volume info", "pool list", "peer status", "volume get", "volume status", "volume heal")
        return [
            call
            for call in self.calls
            if not call.startswith(reads) and not (call.startswith("volume ") and call.endswith(" status"))
        ]


class FakeClock:
    """A clock for the waits that moves on by the seconds it is asked to sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def run_module(
    main: Callable[[], None],
    args: dict[str, Any],
    replay: Replay,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    check_mode: bool = False,
    diff: bool = False,
) -> tuple[dict[str, Any], FakeClock]:
    """Run a module's main() with ``args``, gluster answered by ``replay``.

    Only the machine boundary is replaced: the gluster binary (Replay),
    name resolution (the capture's network) and the clock.
    """
    from ansible.module_utils import basic
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.scaleout.pydio.plugins.module_utils import gluster_ops

    clock = FakeClock()
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda self, *a, **k: "/usr/sbin/gluster")
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, argv, **kw: replay(argv, **kw))
    monkeypatch.setattr(gluster_ops, "resolve_addresses", fake_resolve)
    monkeypatch.setattr(gluster_ops, "is_local_address", fake_is_local)
    monkeypatch.setattr(gluster_ops, "Clock", lambda: clock)
    params = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(params), pytest.raises(SystemExit):
        main()
    return json.loads(capsys.readouterr().out), clock
