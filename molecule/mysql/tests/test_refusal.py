"""Without a database password the mysql role stops before any change."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

testinfra_hosts = ["ansible://mysql-other"]


def test_role_refuses_to_run_without_a_password(host, run_playbook, tmp_path):
    # An inventory holding only this host, so that mysql_pydio_password is
    # really undefined (the scenario's group_vars set it).
    full = yaml.safe_load(Path(os.environ["MOLECULE_INVENTORY_FILE"]).read_text(encoding="utf-8"))
    connection = full["all"]["hosts"]["mysql-other"]
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"outsider": {"hosts": {"mysql-other": connection}}}))

    result = run_playbook("refuse.yml", inventory=str(inventory))

    assert result.returncode != 0, result.stdout
    output = " ".join(result.stdout.split())
    assert "mysql: mysql_pydio_password is not set. There is no default password" in output
    assert "Nothing was changed." in output
    recap = [line for line in result.stdout.splitlines() if line.startswith("mysql-other")]
    assert recap and "failed=1" in recap[-1] and "changed=0" in recap[-1]
    assert not host.package("mariadb-server").is_installed
    assert not host.exists("mariadbd")


def test_role_refuses_an_empty_password(host, run_playbook):
    result = run_playbook("refuse.yml", "-e", '{"mysql_pydio_password": ""}')

    assert result.returncode != 0, result.stdout
    assert "mysql_pydio_password is not set" in " ".join(result.stdout.split())
    assert not host.package("mariadb-server").is_installed
