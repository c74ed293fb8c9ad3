"""The gluster CLI runner: argument list, opRet handling, errors."""

from __future__ import annotations

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_cli import (
    GlusterCLI,
    GlusterCLIError,
    GlusterCommandError,
)
from gluster_replay import fixture_text


class Recorder:
    def __init__(self, rc: int, stdout: str, stderr: str = "") -> None:
        self.answer = (rc, stdout, stderr)
        self.argvs: list[list[str]] = []

    def __call__(self, argv: list[str]) -> tuple[int, str, str]:
        self.argvs.append(argv)
        return self.answer


def test_runner_sends_script_mode_xml_and_an_argument_list() -> None:
    recorder = Recorder(0, fixture_text("pool_list_4_nodes.xml"))
    cli = GlusterCLI(recorder, binary="/usr/sbin/gluster")
    root = cli.run("pool", "list")
    assert recorder.argvs == [["/usr/sbin/gluster", "--mode=script", "--xml", "pool", "list"]]
    assert root.tag == "cliOutput"
    assert cli.issued == ["gluster pool list"]


@pytest.mark.parametrize(
    ("fixture", "op_ret", "op_errno", "errstr"),
    [
        ("peer_detach_not_member.xml", -1, 2, "fixture-g2 is not part of cluster"),
        ("peer_detach_holding_bricks.xml", 1, 3, "Peer fixture-g4 hosts one or more bricks"),
        ("peer_probe_unresolvable.xml", -1, 107, "Transport endpoint is not connected"),
        ("volume_info_not_found.xml", -1, 30806, "Volume does not exist"),
        ("volume_set_unknown_option.xml", -1, 30800, "no.such-option does not exist"),
        ("volume_set_bad_value.xml", -1, 30800, "'bogus' is not valid"),
        ("volume_create_host_not_peer.xml", -1, 30800, "is not in 'Peer in Cluster' state"),
        ("volume_add_brick_count_mismatch.xml", -1, 0, "Operation failed"),
        ("volume_start_already_started.xml", -1, 30800, "already started"),
        ("volume_delete_started.xml", -1, 30800, "needs to be stopped before deletion"),
        ("volume_status_not_started.xml", -1, 30800, "is not started"),
        ("volume_heal_info_not_replicate.xml", -1, 22, "not of type replicate/disperse"),
        ("volume_rebalance_status_never_started.xml", -1, 30800, "Rebalance not started"),
        ("volume_remove_brick_status_never_started.xml", -1, 30800, "remove-brick not started"),
        ("volume_rebalance_status_single_brick.xml", -1, 30800, "contains only 1 brick"),
        ("volume_create_brick_count_mismatch.xml", -1, 30800, "Failed to create volume files"),
    ],
)
def test_refusals_raise_with_op_ret_errno_and_errstr(fixture: str, op_ret: int, op_errno: int, errstr: str) -> None:
    # glusterd 10 exits 0 on these; only opRet tells the failure.
    cli = GlusterCLI(Recorder(0, fixture_text(fixture)))
    with pytest.raises(GlusterCommandError) as caught:
        cli.run("volume", "x")
    error = caught.value
    assert (error.op_ret, error.op_errno) == (op_ret, op_errno)
    assert errstr in error.op_errstr
    assert f"opRet={op_ret}" in str(error)
    assert f"opErrno={op_errno}" in str(error)
    assert errstr in str(error)
    assert "gluster volume x" in str(error)


@pytest.mark.parametrize(
    ("fixture", "output"),
    [
        ("peer_probe_self_localhost.xml", "Probe on localhost not needed"),
        ("peer_probe_self_hostname.xml", "Probe on localhost not needed"),
        ("peer_probe_self_ip.xml", "Probe on localhost not needed"),
        ("peer_probe_already_peer.xml", "Host fixture-g2 port 24007 already in peer list"),
    ],
)
def test_no_op_answers_of_peer_probe_are_not_errors(fixture: str, output: str) -> None:
    # opRet 0 with a non-zero opErrno is glusterd's "nothing to do".
    root = GlusterCLI(Recorder(0, fixture_text(fixture))).run("peer", "probe", "x")
    assert root.findtext("opErrno") != "0"
    assert root.findtext("output") == output


@pytest.mark.parametrize(
    ("fixture", "section"),
    [
        ("peer_probe_success.xml", "output"),
        ("peer_probe_add_name_to_known_peer.xml", "output"),
        ("peer_detach_success.xml", "output"),
        ("volume_create_replica2.xml", "volCreate"),
        ("volume_create_dist_replicate_2x2.xml", "volCreate"),
        ("volume_start.xml", "volStart"),
        ("volume_set_success.xml", "output"),
        ("volume_reset_option.xml", "output"),
        ("volume_add_brick_replica2.xml", "output"),
        ("volume_add_brick_arbiter.xml", "output"),
        ("volume_add_brick_distribute.xml", "output"),
        ("volume_rebalance_start.xml", "volRebalance"),
        ("volume_remove_brick_start.xml", "volRemoveBrick"),
        ("volume_remove_brick_commit.xml", "volRemoveBrick"),
        ("volume_stop.xml", "volStop"),
        ("volume_delete.xml", "volDelete"),
        ("volume_status_replica2.xml", "volStatus"),
    ],
)
def test_successful_changes_pass_the_runner(fixture: str, section: str) -> None:
    root = GlusterCLI(Recorder(0, fixture_text(fixture))).run("volume", "x")
    assert root.find(section) is not None


@pytest.mark.parametrize(
    ("rc", "stdout", "stderr"),
    [
        (1, "Connection failed. Please check if gluster daemon is operational.\n", ""),
        (127, "", "gluster: command not found"),
        (0, "<?xml version='1.0'?><cliOutput><opRet>0", ""),
        (0, "<?xml version='1.0'?><options/>", ""),
    ],
)
def test_answers_without_usable_xml_raise_cli_error(rc: int, stdout: str, stderr: str) -> None:
    with pytest.raises(GlusterCLIError) as caught:
        GlusterCLI(Recorder(rc, stdout, stderr)).run("pool", "list")
    assert caught.value.rc == rc
    assert "gave no XML answer" in str(caught.value)
