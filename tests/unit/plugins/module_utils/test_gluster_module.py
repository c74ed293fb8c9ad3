"""The set-up and error mapping every gluster module shares (gluster_module)."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_cli import GlusterCLI
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_module import (
    C_LOCALE,
    failure_fields,
    run_gluster_module,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_ops import MissingVolumes
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_plan import PlanError
from gluster_replay import fixture_text


class Ended(Exception):
    """exit_json or fail_json was called (AnsibleModule exits there)."""

    def __init__(self, failed: bool, fields: dict[str, Any]) -> None:
        super().__init__(fields)
        self.failed = failed
        self.fields = fields


class FakeModule:
    """The parts of AnsibleModule the helper uses; gluster answers with one recorded file."""

    def __init__(self, answer: str, diff: bool = False) -> None:
        self.answer = answer
        self._diff = diff
        self.argvs: list[list[str]] = []
        self.environs: list[dict[str, str]] = []
        self.warnings: list[str] = []

    def get_bin_path(self, name: str, required: bool = False) -> str:
        assert (name, required) == ("gluster", True)
        return "/usr/sbin/gluster"

    def run_command(self, argv: list[str], environ_update: dict[str, str]) -> tuple[int, str, str]:
        self.argvs.append(argv)
        self.environs.append(environ_update)
        return 0, self.answer, ""

    def warn(self, warning: str) -> None:
        self.warnings.append(warning)

    def fail_json(self, **fields: Any) -> None:
        raise Ended(True, fields)

    def exit_json(self, **fields: Any) -> None:
        raise Ended(False, fields)


def run(module: FakeModule, operation) -> Ended:
    with pytest.raises(Ended) as ended:
        run_gluster_module(module, operation)
    return ended.value


def volume_info(cli: GlusterCLI) -> dict[str, Any]:
    cli.run("volume", "info", "pydio-data")
    return {"changed": False}


@pytest.mark.parametrize(
    ("fixture", "op_errno", "errstr"),
    [
        ("volume_info_not_found.xml", 30806, "Volume does not exist"),
        ("peer_detach_holding_bricks.xml", 3, "Peer fixture-g4 hosts one or more bricks"),
        ("peer_probe_unresolvable.xml", 107, "Transport endpoint is not connected"),
        ("volume_set_bad_value.xml", 30800, "'bogus' is not valid"),
        ("volume_create_brick_count_mismatch.xml", 30800, "Failed to create volume files"),
    ],
)
def test_a_glusterd_refusal_fails_with_its_fields_and_the_calls(fixture: str, op_errno: int, errstr: str) -> None:
    module = FakeModule(fixture_text(fixture))
    ended = run(module, volume_info)
    assert ended.failed
    assert ended.fields["calls"] == ["gluster volume info pydio-data"]
    assert ended.fields["op_errno"] == op_errno
    assert errstr in ended.fields["op_errstr"]
    assert errstr in ended.fields["msg"]
    assert set(ended.fields) == {"msg", "calls", "op_ret", "op_errno", "op_errstr", "output"}


@pytest.mark.parametrize(
    "fixture",
    ["pool_list_4_nodes.xml", "volume_info_replica2_started.xml", "peer_probe_self_localhost.xml"],
)
def test_an_answer_with_op_ret_0_ends_with_the_result_and_the_calls(fixture: str) -> None:
    module = FakeModule(fixture_text(fixture))
    ended = run(module, volume_info)
    assert not ended.failed
    assert ended.fields == {"changed": False, "calls": ["gluster volume info pydio-data"]}
    assert module.argvs == [["/usr/sbin/gluster", "--mode=script", "--xml", "volume", "info", "pydio-data"]]
    assert module.environs == [C_LOCALE]


def test_output_that_is_not_xml_fails_with_the_message_only() -> None:
    ended = run(FakeModule("Connection failed. Please check if gluster daemon is operational.\n"), volume_info)
    assert ended.failed
    assert "gave no XML answer" in ended.fields["msg"]
    assert "gluster daemon is operational" in ended.fields["msg"]
    assert set(ended.fields) == {"msg", "calls"}


@pytest.mark.parametrize(
    ("error", "fields"),
    [
        (PlanError("3 bricks do not fill replica sets of 2"), {"msg": "3 bricks do not fill replica sets of 2"}),
        (
            MissingVolumes(["pydio-dta"], ["pydio-data"]),
            {"msg": "volume pydio-dta does not exist; the pool has pydio-data", "missing": ["pydio-dta"]},
        ),
    ],
)
def test_plan_errors_and_missing_volumes_fail_before_any_call(error: Exception, fields: dict[str, Any]) -> None:
    def refuse(cli: GlusterCLI) -> dict[str, Any]:
        raise error

    ended = run(FakeModule(""), refuse)
    assert ended.failed
    assert ended.fields == {**fields, "calls": []}
    assert failure_fields(error) == fields


def test_an_error_of_another_kind_is_not_hidden() -> None:
    def broken(cli: GlusterCLI) -> dict[str, Any]:
        raise KeyError("volName")

    with pytest.raises(KeyError):
        run_gluster_module(FakeModule(""), broken)


@pytest.mark.parametrize("diff", [False, True])
def test_warnings_become_module_warnings_and_the_diff_is_returned_only_in_diff_mode(diff: bool) -> None:
    module = FakeModule(fixture_text("pool_list_4_nodes.xml"), diff=diff)
    change = {"before": "a", "after": "b"}
    ended = run(module, lambda cli: {"changed": True, "warnings": ["rebalance skipped"], "diff": change})
    assert module.warnings == ["rebalance skipped"]
    assert ended.fields == {"changed": True, "calls": [], **({"diff": change} if diff else {})}
