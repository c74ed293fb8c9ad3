"""The gluster_brick role on a block device and on directory bricks."""

from __future__ import annotations

import pytest

testinfra_hosts = ["ansible://storage"]

BRICKS = ["/bricks/pydio/pydio-data/brick", "/var/confbrick/pydio-config/brick"]


def test_glusterd_is_enabled_and_running(host):
    service = host.service("glusterd")
    assert service.is_enabled
    assert service.is_running


@pytest.mark.parametrize("path", BRICKS)
def test_brick_directories_exist_and_are_owned_by_root(host, path):
    brick = host.file(path)
    assert brick.is_directory
    assert brick.user == "root"
    assert brick.group == "root"
    assert brick.mode == 0o755
