"""Each role's argument spec tells the truth about its defaults/main.yml.

Every variable of defaults/main.yml is documented in at least one entry point,
and a documented default is the value of defaults/main.yml itself. A default
computed by a template may be described in words instead (no template in the
spec's text); a template in the spec must be the very one of the defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROLES = Path(__file__).resolve().parents[3] / "roles"
ROLE_NAMES = sorted(path.name for path in ROLES.iterdir() if (path / "meta" / "argument_specs.yml").is_file())


def specs_and_defaults(role: str) -> tuple[dict[str, Any], dict[str, Any]]:
    specs = yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    defaults = yaml.safe_load((ROLES / role / "defaults" / "main.yml").read_text()) or {}
    return specs, defaults


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_default_is_documented(role):
    specs, defaults = specs_and_defaults(role)
    documented = {name for entry in specs.values() for name in (entry.get("options") or {})}
    assert sorted(set(defaults) - documented) == []


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_documented_defaults_are_the_role_defaults(role):
    specs, defaults = specs_and_defaults(role)
    wrong = []
    for entry, body in specs.items():
        for name, option in (body.get("options") or {}).items():
            if name not in defaults or "default" not in option:
                continue
            said, value = option["default"], defaults[name]
            described = isinstance(value, str) and "{{" in value and "{{" not in str(said)
            if said != value and not described:
                wrong.append(f"{entry}.{name}: spec {said!r}, defaults {value!r}")
    assert wrong == []
