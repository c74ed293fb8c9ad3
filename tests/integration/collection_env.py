"""What the integration tests share about Ansible's collection path and AWS credentials."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".collections"

# Variables that would let boto3 find credentials outside the test's control.
CREDENTIAL_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


def load_collections_from_checkout() -> None:
    """Let Ansible, in this process, load scaleout.pydio.* from the checkout (once)."""
    os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS))
    from ansible.plugins.loader import init_plugin_loader
    from ansible.utils.collection_loader import AnsibleCollectionConfig

    if AnsibleCollectionConfig.collection_finder is None:
        # Unit tests in the same run may have imported ansible_collections.*
        # as plain packages; Ansible's collection finder must load them anew.
        for name in [m for m in sys.modules if m == "ansible_collections" or m.startswith("ansible_collections.")]:
            del sys.modules[name]
        init_plugin_loader([str(COLLECTIONS)])
