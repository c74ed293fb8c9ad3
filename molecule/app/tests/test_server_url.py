"""The last step of the deploy: Pydio's Server URL follows the load balancer's public URL."""

from __future__ import annotations

import json

testinfra_hosts = ["ansible://app-node1"]

BOOTSTRAP = "/mnt/pydio-config/appdata/plugins/boot.conf/bootstrap.json"


def address_of(host) -> str:
    return host.check_output("hostname -I").split()[0]


def lab_host(host, name: str):
    return host.get_host(f"ansible://{name}", ansible_inventory=host.backend.ansible_inventory)


def core_options(host) -> dict:
    return json.loads(host.file(BOOTSTRAP).content_string)["core.ajaxplorer"]


def test_server_url_follows_elb_public_url_and_comes_back(host, http, run_playbook):
    address = address_of(host)
    assert core_options(host)["SERVER_URL"] == f"http://{address}/pydio"

    moved = run_playbook("server_url.yml", "-e", "elb_public_url=https://files.lab.test")
    assert moved.returncode == 0, moved.stdout
    # Both web nodes serve the new URL at once, through the shared volume.
    for node in ("app-node1", "app-node2"):
        state = http(host, f"http://{address_of(lab_host(host, node))}/pydio/index.php?get_action=status")
        assert state.status == 200, state.body
        assert state.json()["server_url"] == "https://files.lab.test/pydio"
    assert core_options(host) == {
        "SERVER_URL": "https://files.lab.test/pydio",
        "PUBLIC_DOWNLOAD_FOLDER": "/mnt/pydio-data/public",
        "PUBLIC_DOWNLOAD_URL": "https://files.lab.test/pydio/public",
    }

    back = run_playbook("server_url.yml")
    assert back.returncode == 0, back.stdout
    assert core_options(host)["SERVER_URL"] == f"http://{address}/pydio"
    again = run_playbook("server_url.yml")
    recap = [line for line in again.stdout.splitlines() if line.startswith("app-node1")]
    assert recap and "changed=0" in recap[-1], again.stdout
