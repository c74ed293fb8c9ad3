"""Bad inputs to the haproxy backend fail with a clear message and change nothing."""

from __future__ import annotations

import json

import pytest
from conftest import LB, node


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        pytest.param({"elb_compute_group": "nobody"}, "the inventory group 'nobody'", id="empty-compute-group"),
        pytest.param(
            {"elb_tls_certificate": "/etc/haproxy/missing.pem"},
            "elb_tls_certificate '/etc/haproxy/missing.pem' is not a file on lb-haproxy",
            id="missing-certificate",
        ),
        pytest.param({"elb_haproxy_stats_port": 80}, "must all differ", id="stats-port-collides"),
        pytest.param({"elb_health_check_path": "pydio/check.txt"}, "must be an absolute URL path", id="relative-path"),
        pytest.param({"elb_backend": "nginx"}, "elb_backend", id="unknown-backend"),
        pytest.param(
            {"elb_haproxy_fast_check_interval": 3},
            "elb_haproxy_fast_check_interval (3) from 1 to the interval",
            id="fast-interval-longer-than-interval",
        ),
    ],
)
def test_bad_input_fails_before_any_change(run_playbook, variables, message):
    lb = node(LB)
    before = lb.check_output("sha256sum /etc/haproxy/haproxy.cfg")
    run = run_playbook("bad_input.yml", "-e", json.dumps(variables))
    assert run.returncode != 0, run.stdout[-3000:]
    assert message in run.stdout, run.stdout[-3000:]
    assert "changed=0" in run.stdout
    assert lb.check_output("sha256sum /etc/haproxy/haproxy.cfg") == before
    assert lb.service("haproxy").is_running
