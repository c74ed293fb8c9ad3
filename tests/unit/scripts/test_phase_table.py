"""scripts/phase.sh keeps each phase's output; phase-table.sh says why a phase failed.

`make test` runs two chains side by side, so a failure scrolls far above the
end of the run. The table at the end is followed by the lines of each failed
phase's log that say why; a phase that passed adds nothing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from scaleout.paths import REPO_ROOT

PHASE = REPO_ROOT / "scripts" / "phase.sh"
TABLE = REPO_ROOT / "scripts" / "phase-table.sh"

FAILING = (
    "echo 'TASK [gluster_volume : Create the volume]'; "
    'echo \'fatal: [gl1]: FAILED! => {"msg": "volume create failed"}\'; '
    "for i in $(seq 1 200); do echo filler $i; done; "
    "printf '\\033[31mE   assert 2 == 3\\033[0m\\n'; exit 4"
)


def _phase(times: Path, name: str, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PHASE), str(times), name, "--", "sh", "-c", command],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_failed_phase_is_followed_by_why_it_failed(tmp_path: Path) -> None:
    times = tmp_path / "phases.tsv"
    failed = _phase(times, "molecule gluster", FAILING)
    passed = _phase(times, "unit", "echo 'fatal: [not a failure of this phase]'")
    assert failed.returncode == 4
    assert passed.returncode == 0
    assert "[molecule gluster] fatal: [gl1]" in failed.stdout
    assert (tmp_path / "phase-molecule-gluster.log").read_text().startswith("TASK [gluster_volume")

    table = subprocess.run([str(TABLE), str(times), "0"], capture_output=True, text=True, check=True).stdout
    assert "FAILED (exit 4)" in table
    digest = table.split("why 'molecule gluster' failed", 1)[1]
    assert 'fatal: [gl1]: FAILED! => {"msg": "volume create failed"}' in digest
    assert "E   assert 2 == 3" in digest
    assert "\x1b[" not in digest
    assert "filler 10\n" not in digest
    assert "why 'unit'" not in table


def test_the_digest_is_bounded(tmp_path: Path) -> None:
    times = tmp_path / "phases.tsv"
    _phase(times, "e2e", 'for i in $(seq 1 500); do echo "Traceback $i"; done; exit 1')
    table = subprocess.run(
        [str(TABLE), str(times), "0"],
        capture_output=True,
        text=True,
        check=True,
        env={"DIGEST_LINES": "7", "PATH": "/usr/bin:/bin"},
    ).stdout
    digest = table.split("why 'e2e' failed", 1)[1].splitlines()[1:]
    assert len(digest) == 7
