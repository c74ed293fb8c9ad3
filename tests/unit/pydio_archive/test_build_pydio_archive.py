"""The stand-in Pydio archive is laid out like the real release and is reproducible."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scaleout.providers import stand_in_archive  # noqa: E402

# The script the molecule scenarios run; it builds with the runner's module.
SCRIPT = REPO / "tests" / "build_pydio_archive.py"


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, str]:
    return stand_in_archive.build(tmp_path_factory.mktemp("archive"))


def test_archive_is_named_like_the_release(archive):
    path, _ = archive
    assert path.name == "pydio-core-8.2.5.tar.gz"


def test_every_member_is_under_the_release_top_directory(archive):
    path, _ = archive
    with tarfile.open(path) as tar:
        names = tar.getnames()
    assert names[0] == "pydio-core-8.2.5"
    assert all(name == "pydio-core-8.2.5" or name.startswith("pydio-core-8.2.5/") for name in names)


@pytest.mark.parametrize(
    "member",
    [
        "index.php",
        "base.conf.php",
        "conf/VERSION",
        "conf/bootstrap_context.php",
        "conf/bootstrap_repositories.php",
        "plugins/boot.conf/htaccess.tpl",
        "plugins/conf.sql/create.mysql",
        "plugins/meta.syncable/create.mysql",
        "plugins/boot.conf/BootConfLoader.php",
        "core/src/pydio/Core/Services/ConfService.php",
    ],
)
def test_archive_holds_the_files_the_role_relies_on(archive, member):
    path, _ = archive
    with tarfile.open(path) as tar:
        info = tar.getmember(f"pydio-core-8.2.5/{member}")
    assert info.isfile()
    assert (info.uid, info.gid, info.mode) == (0, 0, 0o644)


def test_archive_has_no_plugin_data_like_the_release(archive):
    """Pydio's release ships no data/plugins: its installer makes it (scaleout/providers/stand_in_pydio/README.md)."""
    path, _ = archive
    with tarfile.open(path) as tar:
        names = tar.getnames()
    assert not [name for name in names if name.startswith("pydio-core-8.2.5/data/plugins")]


@pytest.mark.parametrize(
    "line",
    [
        'define("AJXP_DATA_PATH", AJXP_INSTALL_PATH."/data");',
        'define("AJXP_CACHE_DIR", AJXP_DATA_PATH."/cache");',
        'define("AJXP_SHARED_CACHE_DIR", AJXP_INSTALL_PATH."/data/cache");',
    ],
)
def test_context_has_the_lines_of_pydio_8_that_the_role_rewrites(archive, line):
    path, _ = archive
    with tarfile.open(path) as tar:
        stream = tar.extractfile("pydio-core-8.2.5/conf/bootstrap_context.php")
        assert stream is not None
        assert line in stream.read().decode()


def test_build_is_reproducible(archive, tmp_path):
    path, digest = archive
    again, digest_again = stand_in_archive.build(tmp_path)
    assert digest_again == digest
    assert again.read_bytes() == path.read_bytes()


def test_the_script_prints_the_same_archive_and_checksum(archive, tmp_path):
    _, digest = archive
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{tmp_path / 'pydio-core-8.2.5.tar.gz'}\t{digest}\n"
