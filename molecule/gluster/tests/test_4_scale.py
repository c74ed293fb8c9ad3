"""Growing pydio-data by a replica pair through the role's variables."""

from __future__ import annotations

from conftest import SCENARIO, gluster_xml
from scenario_helpers import run_playbook

testinfra_hosts = ["ansible://gl1"]

SITE = str(SCENARIO.parent.parent / "playbooks" / "site.yml")


def _layout(host) -> tuple[str, str, list[str]]:
    vol = gluster_xml(host, "volume", "info", "pydio-data").find("volInfo/volumes/volume")
    return (
        vol.findtext("typeStr"),
        vol.findtext("brickCount"),
        [b.findtext("name") for b in vol.findall("bricks/brick")],
    )


def _files(host) -> str:
    return host.check_output("cd /mnt/pydio-data && find . -type f -not -name probe.txt | sort | xargs sha256sum")


def test_bricks_that_do_not_fill_replica_pairs_are_refused(host):
    before = _layout(host)
    result = run_playbook(SITE, "-e", f"@{SCENARIO / 'scale' / 'bad_vars.yml'}")
    assert result.returncode != 0
    text = " ".join(result.stdout.split())
    assert "volume 'pydio-data' cannot be laid out: 3 bricks (gl1, gl2, gl3) do not fill replica sets of 2" in text
    assert "Nothing was changed" in text
    assert _layout(host) == before
    # Refused by the first play, over every host, before any role's play ran.
    assert "PLAY [Prepare gluster bricks on the storage nodes]" not in result.stdout
    assert "changed=" in result.stdout
    assert all(" changed=0 " in line for line in result.stdout.split("PLAY RECAP", 1)[1].splitlines() if "ok=" in line)


def test_scale_to_two_by_two_with_rebalance(hosts):
    gl1 = hosts["gl1"]
    files_before = _files(gl1)
    result = run_playbook(
        "-i", str(SCENARIO / "scale" / "inventory.yml"), SITE, "-e", f"@{SCENARIO / 'scale' / 'vars.yml'}"
    )
    assert result.returncode == 0, result.stdout[-4000:]

    kind, count, bricks = _layout(gl1)
    assert kind == "Distributed-Replicate"
    assert count == "4"
    assert bricks == [f"gl{i}:/bricks/pydio/pydio-data/brick" for i in (1, 2, 3, 4)]
    status = gluster_xml(gl1, "volume", "rebalance", "pydio-data", "status")
    states = {n.findtext("statusStr") for n in status.iter("node") if n.findtext("statusStr")}
    assert states <= {"completed"}, states
    assert _files(gl1) == files_before
    # Files now live on both replica pairs.
    on_new_pair = hosts["gl3"].check_output("find /bricks/pydio/pydio-data/brick/failover -type f | wc -l")
    assert int(on_new_pair) > 0
    assert hosts["gl4"].mount_point("/mnt/pydio-data").exists


def test_second_scale_run_changes_nothing():
    result = run_playbook(
        "-i", str(SCENARIO / "scale" / "inventory.yml"), SITE, "-e", f"@{SCENARIO / 'scale' / 'vars.yml'}"
    )
    assert result.returncode == 0
    recap = [line for line in result.stdout.splitlines() if " : ok=" in line]
    assert recap and all("changed=0" in line for line in recap), "\n".join(recap)
