"""The dpkg_query_argv and packages_missing filters, as a playbook uses them.

They run in a real ansible-playbook on the controller (no host is touched):
the filters' input checks and their answers are what the roles rely on to
skip apt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.dpkg_status import query_argv

from scaleout.paths import REPO_ROOT

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.copy:
        content: "{{ expression | to_json }}"
        dest: "{{ result_file }}"
        mode: "0600"
"""


def _evaluate(tmp_path: Path, expression: str, **variables: object) -> subprocess.CompletedProcess[str]:
    playbook = tmp_path / "filter.yml"
    playbook.write_text(PLAYBOOK.replace("expression", expression))
    variables = {
        **variables,
        "result_file": str(tmp_path / "result.json"),
        "ansible_python_interpreter": sys.executable,
    }
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(REPO_ROOT / ".collections"), "ANSIBLE_NOCOLOR": "1"}
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            "localhost,",
            "-c",
            "local",
            str(playbook),
            "-e",
            json.dumps(variables),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        check=False,
        timeout=120,
    )


def _result(run: subprocess.CompletedProcess[str], tmp_path: Path) -> object:
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads((tmp_path / "result.json").read_text())


def test_the_filters_give_the_query_and_read_its_answer(tmp_path: Path) -> None:
    names = ["apache2", "haproxy", "php-gd"]
    argv = _evaluate(tmp_path, "names | scaleout.pydio.dpkg_query_argv", names=names)
    assert _result(argv, tmp_path) == query_argv(names)
    stdout = "apache2\tii \nphp-gd\trc \n"
    missing = _evaluate(tmp_path, "stdout | scaleout.pydio.packages_missing(names)", names=names, stdout=stdout)
    assert _result(missing, tmp_path) == ["haproxy", "php-gd"]


@pytest.mark.parametrize(
    ("expression", "variables", "message"),
    [
        pytest.param(
            "names | scaleout.pydio.dpkg_query_argv", {"names": []}, "dpkg_query_argv: needs a list", id="no-names"
        ),
        pytest.param(
            "names | scaleout.pydio.dpkg_query_argv", {"names": "apache2"}, "dpkg_query_argv: needs a list", id="string"
        ),
        pytest.param(
            "'' | scaleout.pydio.packages_missing(names)",
            {"names": "apache2"},
            "packages_missing: names must be a list",
            id="missing-names-string",
        ),
    ],
)
def test_bad_input_is_refused_with_the_filter_name(
    tmp_path: Path, expression: str, variables: dict[str, object], message: str
) -> None:
    run = _evaluate(tmp_path, expression, **variables)
    assert run.returncode != 0
    assert not (tmp_path / "result.json").exists()
    assert message in run.stdout + run.stderr
