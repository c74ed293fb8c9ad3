# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dpkg_query_argv filter: the command whose output packages_missing reads."""

from __future__ import annotations

DOCUMENTATION = r"""
name: dpkg_query_argv
short_description: The dpkg-query command that reports the status of some packages
version_added: 1.0.0
description:
  - Gives the argument list of C(dpkg-query -W) with the output format that P(scaleout.pydio.packages_missing#filter)
    reads, followed by the names.
  - dpkg-query exits 1, and names on its standard error the packages it does not know, so the task that runs it sets
    C(failed_when) to false.
options:
  _input:
    description: The packages to look for; at least one.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
# ["dpkg-query", "-W", "-f", "${Package}\t${db:Status-Abbrev}\n", "--", "apache2", "php-gd"]
- name: Show the command
  ansible.builtin.debug:
    msg: "{{ ['apache2', 'php-gd'] | scaleout.pydio.dpkg_query_argv }}"
"""

RETURN = r"""
_value:
  description: The command's argument list.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.scaleout.pydio.plugins.module_utils.dpkg_status import query_argv


def dpkg_query_argv(names: list[str]) -> list[str]:
    if not isinstance(names, list) or not names or not all(isinstance(name, str) and name for name in names):
        raise AnsibleFilterError(f"dpkg_query_argv: needs a list of package names, got {names!r}")
    return query_argv(names)


class FilterModule:
    """The dpkg_query_argv filter."""

    def filters(self) -> dict:
        return {"dpkg_query_argv": dpkg_query_argv}
