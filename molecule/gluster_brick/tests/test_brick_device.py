"""The gluster_brick role on a real block device (a loop device in the lab)."""

from __future__ import annotations

testinfra_hosts = ["ansible://brick-xfs"]


def test_device_brick_is_xfs_with_512_byte_inodes(host):
    info = host.check_output("xfs_info /bricks/pydio")
    assert "isize=512" in info
    naming = [line for line in info.splitlines() if line.startswith("naming")]
    assert naming and "bsize=8192" in naming[0]


def test_device_brick_carries_the_role_label(host):
    assert host.check_output("blkid -p -s LABEL -o value /dev/xvdb").strip() == "pydio-brick"


def test_device_brick_is_mounted_with_inode64_and_noatime(host):
    mount = host.mount_point("/bricks/pydio")
    assert mount.exists
    assert mount.filesystem == "xfs"
    assert "inode64" in mount.options
    assert "noatime" in mount.options


def test_fstab_mounts_the_brick_by_uuid(host):
    uuid = host.check_output("blkid -p -s UUID -o value /dev/xvdb").strip()
    assert uuid
    entries = [
        line.split()
        for line in host.file("/etc/fstab").content_string.splitlines()
        if line.strip() and not line.startswith("#")
    ]
    bricks = [e for e in entries if e[1] == "/bricks/pydio"]
    assert bricks == [[f"UUID={uuid}", "/bricks/pydio", "xfs", "inode64,noatime", "0", "0"]]


def test_brick_directory_is_on_the_brick_filesystem(host):
    data = host.check_output("findmnt -n -o TARGET -T /bricks/pydio/pydio-data/brick").strip()
    assert data == "/bricks/pydio"
