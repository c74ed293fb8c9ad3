"""Keep secrets out of logs: by variable name and by literal value."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "********"
# "key" counts only with something before it (private_key, apikey, ssh_key_data):
# a plain "key" is the name half of a pair, as in dict2items, never a secret.
_SECRET_WORDS = r"password|passwd|secret|token|[a-z0-9]_?key(?![a-z])"
SECRET_NAME = re.compile(_SECRET_WORDS, re.IGNORECASE)

# name: value / name=value / "name": "value", where name looks secret.
_ASSIGNMENT = re.compile(
    r"""(?P<name>["']?[\w.-]*(?:""" + _SECRET_WORDS + r""")[\w.-]*["']?)"""
    r"""(?P<sep>\s*[:=]\s*)"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^\s,}\]]+)""",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """Whether a variable name looks like it holds a secret."""
    return bool(SECRET_NAME.search(name))


def _is_secret_item(key: Any, value: Any) -> bool:
    """A secret-named key holding a scalar (booleans and nulls are not secrets)."""
    if not isinstance(key, str) or not is_secret_name(key):
        return False
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _mask_assignment(match: re.Match[str]) -> str:
    value = match.group("value")
    quote = value[0] if value[:1] in ("'", '"') else ""
    return f"{match.group('name')}{match.group('sep')}{quote}{MASK}{quote}"


class Redactor:
    """Removes secret values from text and from (nested) event dicts.

    Secrets are known as literals (given, or learnt from secret-named keys of the
    dicts it sees) and as ``name=value`` / ``name: value`` assignments in text.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._literals: set[str] = set()
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, value: Any) -> None:
        """Remember a literal secret value (empty or tiny values are ignored)."""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = str(value)
            if len(text) >= 3:
                self._literals.add(text)

    def learn(self, data: Any) -> None:
        """Remember the values of secret-named keys anywhere in a nested structure."""
        if isinstance(data, dict):
            for key, value in data.items():
                if _is_secret_item(key, value):
                    self.add_secret(value)
                else:
                    self.learn(value)
        elif isinstance(data, list):
            for item in data:
                self.learn(item)

    def text(self, text: str) -> str:
        """Redact one string."""
        for literal in sorted(self._literals, key=len, reverse=True):
            text = text.replace(literal, MASK)
        return _ASSIGNMENT.sub(_mask_assignment, text)

    def data(self, data: Any) -> Any:
        """Return a redacted copy of a nested structure (dicts, lists, strings)."""
        self.learn(data)
        return self._copy(data)

    def _copy(self, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: MASK if _is_secret_item(key, value) else self._copy(value) for key, value in data.items()}
        if isinstance(data, list):
            return [self._copy(item) for item in data]
        if isinstance(data, str):
            return self.text(data)
        return data
