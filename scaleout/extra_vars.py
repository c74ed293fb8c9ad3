"""The operator's own variables for every playbook: ``-e``/``--extra-vars`` and ``--vault-password-file``.

``-e`` takes what ansible-playbook's does: ``key=value`` pairs, a YAML or JSON mapping, or ``@FILE`` (YAML or
JSON). They are read here, before any change, so that a missing file or a bad value is refused first, and so
that the values of secret-named variables are masked in every run output. A file encrypted with Ansible Vault
cannot be read here: it is handed to ansible-playbook as it is, and needs ``--vault-password-file``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaleout.model import PlanError

_VAULT_HEADER = "$ANSIBLE_VAULT;"


@dataclass(frozen=True)
class ExtraVars:
    """What ``-e`` and ``--vault-password-file`` gave: variables read here, and arguments for ansible-playbook."""

    variables: dict[str, Any] = field(default_factory=dict)
    vault_files: tuple[Path, ...] = ()
    vault_password_file: Path | None = None

    def cmdline(self) -> str:
        """The ansible-playbook arguments for what is not passed as variables (vault files, the password file)."""
        args: list[str] = []
        for path in self.vault_files:
            args += ["--extra-vars", f"@{path}"]
        if self.vault_password_file is not None:
            args += ["--vault-password-file", str(self.vault_password_file)]
        return shlex.join(args)


def read_extra_vars(values: list[str] | None, vault_password_file: Path | None) -> ExtraVars:
    """Read every ``-e`` value in order (a later one wins); refuse, naming it, what cannot be used."""
    variables: dict[str, Any] = {}
    vault_files: list[Path] = []
    for value in values or []:
        if value.startswith("@"):
            path = Path(value[1:]).expanduser().resolve()
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise PlanError(f"-e {value}: cannot read {path}: {exc.strerror}") from None
            if text.lstrip().startswith(_VAULT_HEADER):
                vault_files.append(path)
                continue
            variables.update(_mapping(text, f"-e {value}"))
        elif "=" in value and not value.lstrip().startswith(("{", "-")):
            variables.update(_pairs(value))
        else:
            variables.update(_mapping(value, f"-e {value!r}"))
    if vault_password_file is not None:
        vault_password_file = vault_password_file.expanduser().resolve()
        if not vault_password_file.is_file():
            raise PlanError(f"--vault-password-file {vault_password_file}: no such file")
    elif vault_files:
        listed = ", ".join(str(path) for path in vault_files)
        raise PlanError(f"-e @{listed}: the file is encrypted with Ansible Vault; give --vault-password-file")
    for name in variables:
        if not isinstance(name, str) or not name.isidentifier():
            raise PlanError(f"-e: {name!r} is not a valid variable name")
    return ExtraVars(variables, tuple(vault_files), vault_password_file)


def _mapping(text: str, label: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise PlanError(f"{label}: not valid YAML or JSON") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PlanError(f"{label}: expected a mapping of variables, or key=value pairs")
    return data


def _pairs(text: str) -> dict[str, Any]:
    """``key=value key2='a b'``: values are strings, as ansible-playbook takes them."""
    pairs: dict[str, Any] = {}
    for item in shlex.split(text):
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise PlanError(f"-e {text!r}: {item!r} is not key=value")
        pairs[name] = value
    return pairs
