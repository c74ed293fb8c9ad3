# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each web node's own account in the shared session store (memcached's SASL users).

Membership is trust: every web node logs in to the session store as a user of its own, whose
password is derived from the cluster's session store secret and the node's
inventory name. The memcached role keeps one SASL user per current web node;
the pydio role gives each node its own account. A node taken out of the
cluster loses its user, so the password it still knows opens nothing, and no
other node's password can be derived from it (HMAC-SHA256).
"""

from __future__ import annotations

import hashlib
import hmac
import re

USER_PREFIX = "web-"
# SASL user names: what a host name may hold, and no '@' (the realm's mark).
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def account(secret: str, host: str) -> dict[str, str]:
    """The user name and password of ``host``'s account, derived from ``secret``."""
    if not secret:
        raise ValueError("the session store secret is empty")
    if not _NAME.match(host):
        raise ValueError(f"{host!r} cannot name a session store account: use letters, digits, '.', '_' and '-'")
    password = hmac.new(secret.encode(), f"session-store/{host}".encode(), hashlib.sha256).hexdigest()
    return {"user": f"{USER_PREFIX}{host}", "password": password}


def password_digest(password: str) -> str:
    """The SHA-256 hex digest of a password: what the store host records to see a changed password."""
    return hashlib.sha256(password.encode()).hexdigest()
