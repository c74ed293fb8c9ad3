# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The session_store_account filter: a web node's own account in the shared session store."""

from __future__ import annotations

DOCUMENTATION = r"""
name: session_store_account
short_description: A web node's user, password and password digest in the shared session store
version_added: 1.0.0
description:
  - Gives the account with which a web node logs in to the shared PHP session store (memcached with SASL), namely the
    user C(web-<host>), a password derived from the cluster's secret and the host's inventory name with
    HMAC-SHA256, and the password's SHA-256 digest, which the store host records to see a changed password.
  - The memcached role keeps one SASL user per current web node from it, and the pydio role gives each node its
    own account, so that a node taken out of the cluster loses its access and no other account can be derived
    from its password.
options:
  _input:
    description: The session store secret (C(memcached_password) on the store, C(pydio_session_store_password) on
      the web nodes; the same value).
    type: str
    required: true
  host:
    description: The web node's inventory name.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Give this node's account to PHP's session handler
  ansible.builtin.template:
    src: sessions.ini.j2
    dest: /etc/php/8.2/apache2/conf.d/30-sessions.ini
    mode: "0640"
  vars:
    account: "{{ pydio_session_store_password | scaleout.pydio.session_store_account(inventory_hostname) }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: The account.
  type: dict
  contains:
    user:
      description: The SASL user name.
      type: str
    password:
      description: The password (64 hexadecimal characters).
      type: str
    digest:
      description: The SHA-256 hex digest of the password.
      type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.scaleout.pydio.plugins.module_utils.session_account import account, password_digest


def session_store_account(secret: str, host: str) -> dict[str, str]:
    try:
        values = account(str(secret), str(host))
    except ValueError as error:
        raise AnsibleFilterError(f"session_store_account: {error}") from error
    return {**values, "digest": password_digest(values["password"])}


class FilterModule:
    """The session_store_account filter."""

    def filters(self) -> dict:
        return {"session_store_account": session_store_account}
