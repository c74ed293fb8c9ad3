# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of a list of Debian packages dpkg reports installed.

The roles ask dpkg (`dpkg-query -W`, a read that takes a fraction of a second)
before they run `apt`, which opens the whole package cache even when it has
nothing to do. This module holds the query's arguments and the reading of its
output, so that the two never drift apart.
"""

from __future__ import annotations

# One line per package that dpkg knows: its name, a tab, and the three letters
# of its status (wanted, current, error), such as "ii ", "hi ", "rc " or "un ".
QUERY_FORMAT = "${Package}\t${db:Status-Abbrev}\n"


def query_argv(names: list[str]) -> list[str]:
    """The dpkg-query command that reports the status of `names`."""
    return ["dpkg-query", "-W", "-f", QUERY_FORMAT, "--", *names]


def installed(query_stdout: str) -> set[str]:
    """The packages that the query reports installed and not broken.

    The second status letter is "i" (installed) and the third, the error flag,
    is blank: "ii " and "hi " (held) count; "rc " (removed, its configuration
    left), "un " (not installed), "iU " (unpacked, not configured) and
    "iiR" (reinstallation required) do not.
    """
    found = set()
    for line in query_stdout.splitlines():
        name, sep, status = line.partition("\t")
        if sep and len(status) >= 2 and status[1] == "i" and status[2:3] in ("", " "):
            found.add(name.strip())
    return found


def missing(query_stdout: str, names: list[str]) -> list[str]:
    """The names, in their order, that the query does not report installed.

    A name dpkg does not know (a virtual package, or one never installed) is
    missing, and so is a name with an architecture suffix: `apt` then decides.
    """
    present = installed(query_stdout)
    return [name for name in names if name not in present]
