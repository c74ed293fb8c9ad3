"""Losing a node: writes go on through another, and heal makes the bricks equal."""

from __future__ import annotations

import json
import time

from conftest import docker, gluster_xml

testinfra_hosts = ["ansible://gl1"]

BRICK = "/bricks/pydio/pydio-data/brick"


def _write(host, prefix: str, count: int) -> None:
    host.run_test(
        "mkdir -p /mnt/pydio-data/failover && "
        f"for i in $(seq 1 {count}); do head -c 8192 /dev/urandom > /mnt/pydio-data/failover/{prefix}-$i; done"
    )


def _checksums(host, root: str) -> dict[str, str]:
    out = host.check_output(f"cd {root}/failover && find . -type f | sort | xargs sha256sum")
    return {line.split()[1]: line.split()[0] for line in out.splitlines()}


def _pending_heals(host) -> int | None:
    """Entries waiting to heal, or None while a brick cannot be asked ('-')."""
    root = gluster_xml(host, "volume", "heal", "pydio-data", "info")
    counts = [n.text or "0" for n in root.iter("numberOfEntries")]
    if not counts or any(not c.isdigit() for c in counts):
        return None
    return sum(int(c) for c in counts)


def test_writes_survive_losing_a_node_and_heal_converges(hosts):
    gl1, gl2 = hosts["gl1"], hosts["gl2"]
    _write(gl1, "before", 200)
    written = _checksums(gl1, "/mnt/pydio-data")
    assert len(written) == 200

    docker("stop", "gl2")
    outage = time.monotonic()
    try:
        _write(gl1, "during", 100)
        during = _checksums(gl1, "/mnt/pydio-data")
        assert {k: v for k, v in during.items() if "before" in k} == written
        assert len(during) == 300
    finally:
        docker("start", "gl2")
    gl2.run_test("systemctl is-system-running --wait || true")

    heal_start = time.monotonic()
    deadline = heal_start + 600
    gl1.run("gluster volume heal pydio-data")
    pending = _pending_heals(gl1)
    while pending != 0 and time.monotonic() < deadline:
        time.sleep(3)
        pending = _pending_heals(gl1)
    heal_seconds = time.monotonic() - heal_start
    assert pending == 0

    on_gl1 = _checksums(gl1, BRICK)
    on_gl2 = _checksums(gl2, BRICK)
    mismatches = sum(1 for k in on_gl1 if on_gl2.get(k) != on_gl1[k]) + len(set(on_gl2) - set(on_gl1))
    assert len(on_gl1) == 300
    assert mismatches == 0
    print(
        "failover figures: "
        + json.dumps(
            {
                "files_before_outage": 200,
                "files_written_during_outage": 100,
                "outage_seconds": round(heal_start - outage, 1),
                "heal_seconds": round(heal_seconds, 1),
                "checksum_mismatches": mismatches,
            }
        )
    )
