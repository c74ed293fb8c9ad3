"""The session store's role stops before any change on a bad input, and never shows the secret.

It runs on mysql-other, a host outside the cluster (this scenario sets no
session store secret).
"""

from __future__ import annotations

import json

import pytest

testinfra_hosts = ["ansible://mysql-other"]


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        ({}, "memcached: set memcached_password (16 characters or more"),
        ({"memcached_password": "short-secret"}, "memcached: set memcached_password (16 characters or more"),
        (
            {"memcached_password": "a-long-enough-session-secret", "memcached_bind_address": "0.0.0.0"},
            "memcached: set a private memcached_bind_address (not a wildcard or loopback), a memcached_port from 1 "
            "to 65535 and memcached_memory_mb of 16 or more. Got bind '0.0.0.0'",
        ),
        (
            {"memcached_password": "a-long-enough-session-secret", "memcached_bind_address": "127.0.0.1"},
            "Got bind '127.0.0.1'",
        ),
    ],
    ids=["no-secret", "short-secret", "wildcard-bind", "loopback-bind"],
)
def test_a_bad_request_is_refused_before_any_change(host, run_playbook, extra, shown):
    result = run_playbook("refuse_memcached.yml", "-e", json.dumps(extra))

    assert result.returncode != 0, result.stdout
    output = " ".join(result.stdout.split())
    assert shown in output
    assert "Nothing was changed." in output
    for secret in ("short-secret", "a-long-enough-session-secret"):
        assert secret not in output
    recap = [line for line in result.stdout.splitlines() if line.startswith("mysql-other")]
    assert recap and "failed=1" in recap[-1] and "changed=0" in recap[-1]
    assert not host.package("memcached").is_installed
