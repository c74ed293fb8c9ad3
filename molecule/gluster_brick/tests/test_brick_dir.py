"""The gluster_brick role without a device: directory bricks on the root disk."""

from __future__ import annotations

testinfra_hosts = ["ansible://brick-dir"]


def test_directory_bricks_stay_on_the_root_filesystem(host):
    assert not host.mount_point("/bricks/pydio").exists
    assert "/bricks/pydio" not in host.file("/etc/fstab").content_string
    assert host.file("/bricks/pydio/pydio-data/brick").is_directory
