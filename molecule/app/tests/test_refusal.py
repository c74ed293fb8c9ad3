"""Bad inputs to the pydio role: a clear message, and no change.

app-bare is a web host with nothing installed and nothing mounted; the
checks that need gluster mounts and PHP run against app-node1, converged.
"""

from __future__ import annotations

import io
import json
import tarfile

import pytest

testinfra_hosts = ["ansible://app-bare"]

ARCHIVE = "/var/cache/pydio-core-8.2.5.tar.gz"


def lab_host(host, name: str):
    return host.get_host(f"ansible://{name}", ansible_inventory=host.backend.ansible_inventory)


def refuse(run_playbook, target: str, **extra) -> tuple[str, str]:
    result = run_playbook("refuse.yml", "-e", json.dumps({"target": target, **extra}))
    assert result.returncode != 0, result.stdout
    recap = [line for line in result.stdout.splitlines() if line.startswith(target)]
    assert recap and "failed=1" in recap[-1], result.stdout
    assert "changed=0" in recap[-1], recap[-1]
    return " ".join(result.stdout.split()), recap[-1]


def assert_nothing_installed(host) -> None:
    assert not host.package("apache2").is_installed
    assert not host.package("libapache2-mod-php").is_installed
    assert not host.file(ARCHIVE).exists
    assert not host.file("/var/cache/pydio").exists


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"pydio_db_password": ""}, "pydio: pydio_db_password is not set. There is no default password"),
        ({"pydio_admin_password": ""}, "pydio: pydio_admin_password is not set. There is no default password"),
        (
            {"pydio_db_password": "", "pydio_admin_password": ""},
            "pydio: pydio_db_password and pydio_admin_password are not set",
        ),
    ],
    ids=["db-password", "admin-password", "both"],
)
def test_missing_passwords(host, run_playbook, extra, message):
    output, _ = refuse(run_playbook, "app-bare", **extra)
    assert message in output
    assert "Nothing was changed." in output
    assert_nothing_installed(host)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"pydio_session_store": "redis"}, "pydio_session_store must be one of: local, memcached, got: redis"),
        (
            {"pydio_session_store": "memcached"},
            "pydio: the memcached session store needs pydio_session_store_password (16 characters or more",
        ),
        (
            {"pydio_session_store": "memcached", "pydio_session_store_password": "Qz7-session"},
            "pydio: the memcached session store needs pydio_session_store_password (16 characters or more",
        ),
    ],
    ids=["unknown-store", "no-store-secret", "short-store-secret"],
)
def test_a_session_store_request_that_cannot_work(host, run_playbook, extra, message):
    output, _ = refuse(run_playbook, "app-bare", **extra)
    assert message in output
    assert "Qz7-session" not in output  # the refusal never shows the secret
    assert_nothing_installed(host)


@pytest.mark.parametrize("password", ["Qz7-k2", "  Qz7-k2-long-enough  "], ids=["short", "spaces"])
def test_an_admin_password_pydio_could_not_use(host, run_playbook, password):
    output, _ = refuse(run_playbook, "app-bare", pydio_admin_password=password)
    assert "pydio: pydio_admin_password is shorter than 8 characters, or starts or ends with white space" in output
    assert password.strip() not in output  # the refusal never shows the password
    assert_nothing_installed(host)


def test_an_archive_that_is_not_a_pydio_8_release(host, run_playbook, tmp_path):
    """An archive laid out like Pydio but without Pydio 8's installer code is refused on the controller."""
    path = tmp_path / "pydio-core-8.2.5.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for member in ("index.php", "base.conf.php", "conf/bootstrap_context.php", "conf/bootstrap_repositories.php"):
            info = tarfile.TarInfo(f"pydio-core-8.2.5/{member}")
            info.size = 6
            tar.addfile(info, io.BytesIO(b"<?php\n"))
    node = lab_host(host, "app-node1")
    before = node.check_output("sha256sum /var/cache/pydio-core-8.2.5.tar.gz")
    output, _ = refuse(run_playbook, "app-node1", pydio_archive_src=str(path), pydio_archive_checksum="")
    assert "pydio: pydio-core-8.2.5.tar.gz is not a pydio-core 8 release" in output
    assert "plugins/boot.conf/BootConfLoader.php" in output
    assert node.check_output("sha256sum /var/cache/pydio-core-8.2.5.tar.gz") == before


def test_archive_path_that_does_not_exist(host, run_playbook):
    output, _ = refuse(run_playbook, "app-bare", pydio_archive_src="/nonexistent/pydio-core-8.2.5.tar.gz")
    assert "pydio: pydio_archive_src /nonexistent/pydio-core-8.2.5.tar.gz does not exist on the controller" in output
    assert_nothing_installed(host)


def test_archive_on_the_controller_that_does_not_match_its_checksum(host, run_playbook):
    output, _ = refuse(run_playbook, "app-bare", pydio_archive_checksum="sha256:" + "0" * 64)
    assert "does not match pydio_archive_checksum (sha256:" + "0" * 64 in output
    assert_nothing_installed(host)


def test_download_url_without_a_checksum(host, run_playbook):
    output, _ = refuse(run_playbook, "app-bare", pydio_archive_src="")
    assert "pydio_archive_url (https://download.pydio.com/pub/core/archives/pydio-core-8.2.5.tar.gz)" in output
    assert "is set without pydio_archive_checksum" in output
    assert_nothing_installed(host)


def test_gluster_mounts_missing(host, run_playbook):
    output, _ = refuse(run_playbook, "app-bare")
    assert "pydio: Pydio's config and data must be on fuse.glusterfs mounts of the gluster volumes" in output
    assert "but on app-bare /mnt/pydio-config is not a mount point and /mnt/pydio-data is not a mount point." in output
    assert_nothing_installed(host)


def test_php_too_new_with_the_check_on(host, run_playbook):
    node = lab_host(host, "app-node1")
    before = node.check_output("sha256sum /etc/php/8.2/apache2/php.ini /var/www/pydio-core-8.2.5/conf/*.php")
    output, _ = refuse(run_playbook, "app-node1", pydio_php_version_check=True)
    assert "pydio: Pydio 8.2.5 supports PHP 5.5.9 to 7.4, but app-node1 runs PHP 8.2" in output
    assert "(libapache2-mod-php 2:8.2+93)" in output
    assert "set pydio_php_version_check: false" in output
    assert node.check_output("sha256sum /etc/php/8.2/apache2/php.ini /var/www/pydio-core-8.2.5/conf/*.php") == before


def test_downloaded_archive_that_does_not_match_its_checksum(host, run_playbook):
    node = lab_host(host, "app-node1")
    output, recap = refuse(
        run_playbook,
        "app-node1",
        pydio_archive_src="",
        pydio_archive_url=f"file://{ARCHIVE}",
        pydio_archive_checksum="sha256:" + "0" * 64,
        pydio_download_dir="/var/tmp",
    )
    assert f"pydio: the archive downloaded from file://{ARCHIVE} does not match pydio_archive_checksum" in output
    assert "rescued=1" in recap
    assert not node.file("/var/tmp/pydio-core-8.2.5.tar.gz").exists
