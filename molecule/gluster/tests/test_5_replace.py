"""Replacing a storage node that died: its bricks move to a new machine, which heals to the same files.

After test_4, pydio-data is 2 x 2 (gl1+gl2, gl3+gl4). gl4 is killed hard
(docker kill), then playbooks/replace_storage.yml moves its brick onto glout,
which stands in the storage group in its place (scale/replace_inventory.yml).
"""

from __future__ import annotations

import json
import time

import pytest
from conftest import SCENARIO, docker, gluster_xml
from scenario_helpers import run_playbook

testinfra_hosts = ["ansible://gl1"]

REPLACE = str(SCENARIO.parent.parent / "playbooks" / "replace_storage.yml")
REPLACE_INVENTORY = ["-i", str(SCENARIO / "scale" / "replace_inventory.yml")]
REPLACE_VARS = ["-e", f"@{SCENARIO / 'scale' / 'replace_vars.yml'}"]
BRICK = "/bricks/pydio/pydio-data/brick"


def _bricks(host) -> list[str]:
    vol = gluster_xml(host, "volume", "info", "pydio-data").find("volInfo/volumes/volume")
    return [b.findtext("name") for b in vol.findall("bricks/brick")]


def _checksums(host, root: str) -> dict[str, str]:
    out = host.check_output(f"cd {root}/replace && find . -type f | sort | xargs -r sha256sum")
    return {line.split()[1]: line.split()[0] for line in out.splitlines()}


def _recap_changes(stdout: str) -> dict[str, int]:
    recap = stdout.split("PLAY RECAP", 1)[1]
    return {line.split()[0]: int(line.split("changed=")[1].split()[0]) for line in recap.splitlines() if "ok=" in line}


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ([{"old": "gl4", "new": "gl9"}], "cannot replace onto gl9: a new host must be in the 'storage' group"),
        ([{"old": "glout", "new": "glout"}], "cannot replace a host with itself: glout"),
    ],
    ids=["new-host-outside-storage", "same-host"],
)
def test_a_bad_replacement_is_refused_before_any_change(host, replace: list, message: str) -> None:
    before = _bricks(host)
    result = run_playbook(
        *REPLACE_INVENTORY, REPLACE, *REPLACE_VARS, "-e", json.dumps({"gluster_volume_replace": replace})
    )
    assert result.returncode != 0
    text = " ".join(result.stdout.split())
    assert message in text
    assert "Nothing was changed" in text
    assert "PLAY [Prepare gluster bricks on the new storage nodes]" not in result.stdout
    assert set(_recap_changes(result.stdout).values()) == {0}
    assert _bricks(host) == before


def test_a_killed_storage_node_is_replaced_and_healed(hosts) -> None:
    gl1, gl3, glout = hosts["gl1"], hosts["gl3"], hosts["glout"]
    gl4_address = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "gl4").strip()
    gl1.run_test(
        "mkdir -p /mnt/pydio-data/replace && "
        "for i in $(seq 1 200); do head -c 8192 /dev/urandom > /mnt/pydio-data/replace/f-$i; done"
    )
    written = _checksums(gl1, "/mnt/pydio-data")
    on_second_pair = _checksums(gl3, BRICK)
    assert len(written) == 200 and on_second_pair

    docker("kill", "gl4")
    started = time.monotonic()
    result = run_playbook(*REPLACE_INVENTORY, REPLACE, *REPLACE_VARS)
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-4000:]

    assert _bricks(gl1) == [f"gl{i}:{BRICK}" for i in (1, 2, 3)] + [f"glout:{BRICK}"]
    heal = gluster_xml(gl1, "volume", "heal", "pydio-data", "info")
    assert [n.text for n in heal.iter("numberOfEntries")] == ["0"] * 4
    assert _checksums(gl1, "/mnt/pydio-data") == written
    assert _checksums(glout, BRICK) == _checksums(gl3, BRICK) == on_second_pair
    pool = gluster_xml(gl1, "pool", "list")
    assert "gl4" not in {p.findtext("hostname") for p in pool.iter("peer")}
    options = gluster_xml(gl1, "volume", "get", "pydio-data", "auth.allow")
    allowed = options.findtext("volGetopts/Opt/Value").split(",")
    assert gl4_address not in allowed
    assert glout.mount_point("/mnt/pydio-data").exists
    print(
        "replace figures: "
        + json.dumps(
            {"files": len(written), "files_on_the_replaced_pair": len(on_second_pair), "seconds": round(seconds, 1)}
        )
    )


def test_replace_run_again_changes_nothing() -> None:
    result = run_playbook(*REPLACE_INVENTORY, REPLACE, *REPLACE_VARS)
    assert result.returncode == 0, result.stdout[-4000:]
    assert set(_recap_changes(result.stdout).values()) == {0}, result.stdout[-3000:]
