"""HAProxy itself on the lb host: service, configuration, stats page."""

from __future__ import annotations

import http.client

import pytest
from conftest import WEBS, container_address, stats

testinfra_hosts = ["ansible://lb"]


def test_haproxy_is_enabled_and_running(host):
    service = host.service("haproxy")
    assert service.is_enabled
    assert service.is_running


def test_configuration_is_valid(host):
    assert host.run("haproxy -c -f /etc/haproxy/haproxy.cfg").rc == 0


def test_configuration_file_is_not_world_readable(host):
    cfg = host.file("/etc/haproxy/haproxy.cfg")
    assert cfg.user == "root"
    assert cfg.group == "haproxy"
    assert cfg.mode == 0o640


@pytest.mark.parametrize("web", WEBS)
def test_backends_are_the_web_nodes_private_ips(host, web):
    config = host.file("/etc/haproxy/haproxy.cfg").content_string
    assert f"server {web} {container_address(web)}:80 check cookie " in config


def test_health_check_is_check_txt_with_host_header(host):
    config = host.file("/etc/haproxy/haproxy.cfg").content_string
    assert "option httpchk GET /pydio/check.txt HTTP/1.1" in config
    assert "http-check send hdr Host pydio-check.test" in config
    assert "default-server inter 2s fastinter 1s rise 2 fall 2" in config
    assert "cookie SERVERID insert indirect nocache" in config


def test_stats_page_listens_on_loopback_only(host, lb_address):
    assert host.socket("tcp://127.0.0.1:8404").is_listening
    assert not host.socket("tcp://0.0.0.0:8404").is_listening
    conn = http.client.HTTPConnection(lb_address, 8404, timeout=5)
    with pytest.raises(OSError):
        conn.request("GET", "/stats")
        conn.getresponse()
    conn.close()


def test_stats_show_both_backends_up_by_http_check(host):
    servers = stats(host)
    assert set(WEBS) <= set(servers)
    for web in WEBS:
        assert servers[web]["status"] == "UP", servers[web]
        assert servers[web]["check_status"] == "L7OK", servers[web]
        assert servers[web]["check_code"] == "200", servers[web]
