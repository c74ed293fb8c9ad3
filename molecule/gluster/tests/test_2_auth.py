"""A client outside auth.allow cannot mount the volumes."""

from __future__ import annotations

import pytest

testinfra_hosts = ["ansible://glout"]


@pytest.mark.parametrize("name", ["pydio-data", "pydio-config"])
def test_outside_client_is_refused(host, name):
    mountpoint = f"/mnt/try-{name}"
    host.run_test(f"mkdir -p {mountpoint}")
    # mount.glusterfs may exit 0 here: the bricks refuse the client after the
    # mount helper returns, and the client then unmounts itself.
    host.run(f"timeout 60 mount -t glusterfs gl1:/{name} {mountpoint}")
    host.run("sleep 2")
    mounted = host.mount_point(mountpoint).exists
    if mounted:
        host.run(f"umount {mountpoint}")
    assert not mounted
    log = host.file(f"/var/log/glusterfs/mnt-try-{name}.log").content_string
    assert "remote-error=Authentication failed" in log
