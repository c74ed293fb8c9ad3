"""A device that already holds a filesystem is never formatted."""

from __future__ import annotations

testinfra_hosts = ["ansible://occupied"]


def test_role_refuses_a_device_with_an_ext4_filesystem(host, run_playbook):
    before = host.check_output("blkid -p -o export /dev/xvdb")
    assert "TYPE=ext4" in before

    result = run_playbook("refuse.yml")

    assert result.returncode != 0, result.stdout
    output = " ".join(result.stdout.split())
    assert "refusing to format /dev/xvdb on brick-ext4" in output
    assert "a filesystem of type ext4 (label 'userdata'" in output
    assert "gluster_brick_force_format: true" in output
    # Nothing changed: the filesystem, its data, and the packages are as before.
    assert host.check_output("blkid -p -o export /dev/xvdb") == before
    host.run_test("mkdir -p /mnt/check && mount -o ro /dev/xvdb /mnt/check")
    try:
        assert host.file("/mnt/check/SENTINEL").content_string == "brick-ext4 existing data\n"
    finally:
        host.run("umount /mnt/check")
    assert not host.package("glusterfs-server").is_installed
    recap = [line for line in result.stdout.splitlines() if line.startswith("brick-ext4")]
    assert recap and "failed=1" in recap[-1] and "changed=0" in recap[-1]
