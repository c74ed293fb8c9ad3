# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The packages_missing filter: skip an apt task that has nothing to install."""

from __future__ import annotations

DOCUMENTATION = r"""
name: packages_missing
short_description: The packages of a list that dpkg does not report installed
version_added: 1.0.0
description:
  - Reads the output of the command that P(scaleout.pydio.dpkg_query_argv#filter) gives, and returns the names
    of the list that are not installed, in their order.
  - A package counts as installed when dpkg's status has C(i) as its second letter and no error flag (C(ii), or
    C(hi) when held). Removed (C(rc)), unknown (C(un)), half-installed or broken packages, virtual packages and
    names with an architecture suffix are missing, so C(ansible.builtin.apt) still decides about them.
  - The roles run C(ansible.builtin.apt) only when this list is not empty. C(apt) opens the whole package cache
    even when it has nothing to do, which costs about a second per host and per task on a re-run or on a baked
    machine.
options:
  _input:
    description: The standard output of the dpkg-query command.
    type: str
    required: true
  names:
    description: The packages the task needs.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Look for the packages
  ansible.builtin.command:
    argv: "{{ my_packages | scaleout.pydio.dpkg_query_argv }}"
  register: my_dpkg
  changed_when: false
  failed_when: false
  check_mode: false

- name: Install the packages that are missing
  ansible.builtin.apt:
    name: "{{ my_packages }}"
    state: present
  when: my_dpkg.stdout | scaleout.pydio.packages_missing(my_packages) | length > 0
"""

RETURN = r"""
_value:
  description: The names of O(names) that are not installed.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.scaleout.pydio.plugins.module_utils.dpkg_status import missing


def packages_missing(query_stdout: str, names: list[str]) -> list[str]:
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise AnsibleFilterError(f"packages_missing: names must be a list of package names, got {names!r}")
    return missing(str(query_stdout), names)


class FilterModule:
    """The packages_missing filter."""

    def filters(self) -> dict:
        return {"packages_missing": packages_missing}
