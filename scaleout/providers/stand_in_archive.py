"""Build the stand-in for pydio-core-8.2.5.tar.gz from scaleout/providers/stand_in_pydio.

The lab installs it with ``up --pydio-archive stand-in``; the molecule scenarios
build it through tests/build_pydio_archive.py. It is not Pydio: it honours
Pydio 8's deployment contract (scaleout/providers/stand_in_pydio/README.md).

The tarball is named and laid out like the real release (one top directory,
pydio-core-<version>/), and is reproducible: sorted members, fixed times and
owners, so its checksum only changes when the fixture does.

    python -m scaleout.providers.stand_in_archive OUTPUT_DIR

prints the archive's path and its sha256 checksum, tab-separated.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import tarfile
from pathlib import Path

from scaleout.paths import STAND_IN_PYDIO

VERSION = "8.2.5"
TOP = f"pydio-core-{VERSION}"
MTIME = 1600646400  # 2020-09-21, the day of the real 8.2.5 release


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mtime = MTIME
    info.mode = 0o755 if info.isdir() else 0o644
    return info


def build(output_dir: Path) -> tuple[Path, str]:
    """Write the archive into output_dir; return its path and sha256."""
    source = STAND_IN_PYDIO / TOP
    if not source.is_dir():
        raise FileNotFoundError(f"fixture directory missing: {source}")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        members = [source, *sorted(source.rglob("*"))]
        for path in members:
            arcname = str(Path(TOP) / path.relative_to(source)) if path != source else TOP
            tar.add(path, arcname=arcname, recursive=False, filter=_normalise)
    output_dir.mkdir(parents=True, exist_ok=True)
    archive = output_dir / f"{TOP}.tar.gz"
    with archive.open("wb") as stream, gzip.GzipFile(fileobj=stream, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    return archive, hashlib.sha256(archive.read_bytes()).hexdigest()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    archive, digest = build(Path(argv[1]))
    print(f"{archive}\t{digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
