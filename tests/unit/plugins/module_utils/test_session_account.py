"""The session store accounts: one per web node, derived from the cluster's secret, none derivable from another."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.session_account import account, password_digest


def test_each_node_has_its_own_user_and_password():
    one, two = account("a-secret-of-the-cluster", "web1"), account("a-secret-of-the-cluster", "web2")
    assert (one["user"], two["user"]) == ("web-web1", "web-web2")
    assert one["password"] != two["password"]
    assert len(one["password"]) == 64


def test_the_password_is_the_hmac_of_the_node_name_and_changes_with_the_secret():
    expected = hmac.new(b"s3cret-s3cret-s3", b"session-store/web1", hashlib.sha256).hexdigest()
    assert account("s3cret-s3cret-s3", "web1")["password"] == expected
    assert account("another-secret!!", "web1")["password"] != expected


def test_the_same_input_gives_the_same_account():
    assert account("a-secret-of-the-cluster", "web1") == account("a-secret-of-the-cluster", "web1")


@pytest.mark.parametrize(
    ("secret", "host", "message"),
    [
        ("", "web1", "secret is empty"),
        ("a-secret-of-the-cluster", "web 1", "cannot name"),
        ("a-secret-of-the-cluster", "web1@realm", "cannot name"),
        ("a-secret-of-the-cluster", "-web1", "cannot name"),
    ],
)
def test_bad_input_is_refused(secret, host, message):
    with pytest.raises(ValueError, match=message):
        account(secret, host)


def test_the_digest_is_sha256_hex():
    assert password_digest("abc") == hashlib.sha256(b"abc").hexdigest()
