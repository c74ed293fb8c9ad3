"""Which Ansible strategy runner.py gives ansible-playbook (scaleout/strategy.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaleout.providers.aws import AwsProvider
from scaleout.providers.lab import LabProvider
from scaleout.run import runner_envvars
from scaleout.strategy import SWITCH, mitogen_strategy_dir, strategy_env


def test_mitogen_is_installed_with_the_project_and_its_strategy_found():
    folder = mitogen_strategy_dir()
    assert folder is not None, "the mitogen package of requirements.txt is not installed"
    assert (folder / "mitogen_linear.py").is_file()


def test_mitogen_by_default_names_its_strategy_and_plugin_folder():
    env = strategy_env("mitogen", environ={})
    assert env["ANSIBLE_STRATEGY"] == "mitogen_linear"
    assert Path(env["ANSIBLE_STRATEGY_PLUGINS"]) == mitogen_strategy_dir()


def test_linear_by_default_leaves_the_plugin_folder_out():
    assert strategy_env("linear", environ={}) == {"ANSIBLE_STRATEGY": "linear"}


@pytest.mark.parametrize(
    ("default", "switch", "expected"),
    [("mitogen", "linear", "linear"), ("linear", "mitogen", "mitogen_linear"), ("linear", "linear", "linear")],
)
def test_the_switch_overrides_the_default(default, switch, expected):
    assert strategy_env(default, environ={SWITCH: switch})["ANSIBLE_STRATEGY"] == expected


def test_an_unknown_switch_value_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match=r"SCALEOUT_STRATEGY='free': use mitogen or linear"):
        strategy_env("mitogen", environ={SWITCH: "free"})


def test_the_lab_runs_mitogen_and_aws_linear_until_the_suite_covers_ssh():
    assert LabProvider.strategy == "mitogen"
    assert AwsProvider.strategy == "linear"


def test_runner_environment_carries_the_strategy(monkeypatch):
    monkeypatch.delenv(SWITCH, raising=False)
    assert runner_envvars(strategy="mitogen")["ANSIBLE_STRATEGY"] == "mitogen_linear"
    assert runner_envvars(strategy="linear")["ANSIBLE_STRATEGY"] == "linear"


def test_a_bad_strategy_variable_is_bad_usage_before_any_change(monkeypatch, capsys):
    from scaleout.cli import main

    monkeypatch.setenv(SWITCH, "fast")
    assert main(["--cluster", "nothing-here", "down"]) == 2
    assert "SCALEOUT_STRATEGY='fast': use mitogen or linear" in capsys.readouterr().err
