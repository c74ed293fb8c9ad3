# -*- coding: utf-8 -*-
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare volume option values the way glusterd means them.

YAML turns an unquoted ``off`` into the boolean False, and glusterd stores
whatever spelling it was given (``off``, ``disable``, ``0``...). Sizes come
as ``64MB`` or ``67108864``. Comparing the strings would re-set such options
on every run; these functions compare what the values mean.
"""

from __future__ import annotations

import re
from typing import Any, Optional

TRUE_WORDS = frozenset(("on", "true", "yes", "enable", "enabled"))
FALSE_WORDS = frozenset(("off", "false", "no", "disable", "disabled"))

# glusterd's size suffixes are binary (gf_string2bytesize): 1KB = 1024 bytes.
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "t": 1024**4,
    "tb": 1024**4,
    "p": 1024**5,
    "pb": 1024**5,
}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?b?)\s*$", re.IGNORECASE)


def option_text(value: Any) -> str:
    """The string to send to ``gluster volume set`` for a requested value."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ",".join(option_text(item) for item in value)
    return str(value).strip()


def as_bool(value: Any) -> Optional[bool]:
    """True/False for a boolean spelling glusterd accepts, else None.

    ``1`` and ``0`` are not read as booleans here: they are numbers for most
    options; see :func:`values_equal` for when they count as booleans.
    """
    if isinstance(value, bool):
        return value
    word = option_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def as_size(value: Any) -> Optional[int]:
    """Bytes for a size such as ``64MB``, ``64M``, ``1.5GB`` or ``67108864``."""
    if isinstance(value, bool):
        return None
    match = _SIZE_RE.match(option_text(value))
    if not match:
        return None
    number, unit = match.groups()
    scaled = float(number) * _SIZE_UNITS[unit.lower()]
    if not scaled.is_integer():
        return None
    return int(scaled)


def _numeric_bool(text: str) -> Optional[bool]:
    if text == "1":
        return True
    if text == "0":
        return False
    return None


def values_equal(current: Any, requested: Any) -> bool:
    """Whether glusterd's stored ``current`` value already means ``requested``."""
    cur = option_text(current)
    req = option_text(requested)
    if cur == req:
        return True
    cur_bool, req_bool = as_bool(current), as_bool(requested)
    if cur_bool is not None and req_bool is not None:
        return cur_bool == req_bool
    # 1/0 are booleans only when the other side is a boolean word.
    if cur_bool is not None and _numeric_bool(req) is not None:
        return cur_bool == _numeric_bool(req)
    if req_bool is not None and _numeric_bool(cur) is not None:
        return req_bool == _numeric_bool(cur)
    cur_size, req_size = as_size(cur), as_size(req)
    if cur_size is not None and req_size is not None:
        return cur_size == req_size
    # Comma lists such as auth.allow: spacing does not matter, order does.
    if "," in cur or "," in req:
        return [p.strip() for p in cur.split(",")] == [p.strip() for p in req.split(",")]
    return False
