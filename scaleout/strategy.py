"""Which Ansible strategy runs the playbooks: Mitogen's when it is installed, Ansible's linear otherwise.

Mitogen for Ansible (the ``mitogen`` package, in requirements.txt) keeps one Python
interpreter per host for the whole run instead of starting one for every task. It takes
the connections it knows by their short names: the lab's ``docker`` and AWS's ``ssh``.
Each provider names its default (``Provider.strategy``): Mitogen for the lab, whose docker
connection the suite runs it over, linear for AWS. ``SCALEOUT_STRATEGY=linear`` or
``=mitogen`` overrides it for one run.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

# The switch: "mitogen" or "linear"; unset, the provider's default holds.
SWITCH = "SCALEOUT_STRATEGY"
CHOICES = ("mitogen", "linear")
MITOGEN_STRATEGY = "mitogen_linear"


def mitogen_strategy_dir() -> Path | None:
    """The folder of Mitogen's strategy plugins, or None when the package is not installed."""
    spec = importlib.util.find_spec("ansible_mitogen")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "plugins" / "strategy"
    return folder if (folder / f"{MITOGEN_STRATEGY}.py").is_file() else None


def switch_value(environ: dict[str, str] | None = None) -> str | None:
    """SCALEOUT_STRATEGY's value, None when unset; any value but mitogen or linear raises ValueError."""
    choice = (os.environ if environ is None else environ).get(SWITCH)
    if choice is not None and choice not in CHOICES:
        raise ValueError(f"{SWITCH}={choice!r}: use mitogen or linear")
    return choice


def strategy_env(default: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The ANSIBLE_STRATEGY variables for ansible-playbook.

    ``default`` ("mitogen" or "linear") holds unless SCALEOUT_STRATEGY says otherwise;
    "mitogen" falls back to linear when the package is not installed.
    """
    choice = switch_value(environ) or default
    folder = mitogen_strategy_dir() if choice == "mitogen" else None
    if folder is None:
        return {"ANSIBLE_STRATEGY": "linear"}
    return {"ANSIBLE_STRATEGY": MITOGEN_STRATEGY, "ANSIBLE_STRATEGY_PLUGINS": str(folder)}
