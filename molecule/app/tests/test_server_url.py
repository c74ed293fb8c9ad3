"""The last step of the deploy: Pydio's Server URL follows the load balancer's public URL.

The settings are read back through Pydio (the stand-in's status reads them as
Pydio does: from ajxp_plugin_configs, through each node's plugin cache).
"""

from __future__ import annotations

testinfra_hosts = ["ansible://app-node1"]

SETTINGS_SQL = "SELECT configs FROM pydio.ajxp_plugin_configs WHERE id = 'core.ajaxplorer'"


def address_of(host) -> str:
    return host.check_output("hostname -I").split()[0]


def lab_host(host, name: str):
    return host.get_host(f"ansible://{name}", ansible_inventory=host.backend.ansible_inventory)


def core_options(host, http) -> list[dict]:
    """SERVER_URL and the public download settings as each web node's Pydio reads them."""
    seen = []
    for node in ("app-node1", "app-node2"):
        state = http(host, f"http://{address_of(lab_host(host, node))}/pydio/index.php?get_action=status")
        assert state.status == 200, state.body
        body = state.json()
        seen.append({key: body[key] for key in ("server_url", "public_download_url", "public_download_folder")})
    return seen


def test_server_url_follows_elb_public_url_and_comes_back(host, http, run_playbook):
    address = address_of(host)
    assert core_options(host, http)[0]["server_url"] == f"http://{address}/pydio"

    moved = run_playbook("server_url.yml", "-e", "elb_public_url=https://files.lab.test", "--diff")
    assert moved.returncode == 0, moved.stdout
    assert "https://files.lab.test/pydio" in moved.stdout  # --diff shows the settings that changed
    # Both web nodes read the new settings at once: the run cleared their plugin caches.
    moved_to = {
        "server_url": "https://files.lab.test/pydio",
        "public_download_url": "https://files.lab.test/pydio/public",
        "public_download_folder": "/mnt/pydio-data/public",
    }
    assert core_options(host, http) == [moved_to, moved_to]
    # Stored where Pydio's conf driver keeps them, not in bootstrap.json.
    lab_host(host, "app-db1").run_test("mariadb --batch -e %s | grep -q files.lab.test", SETTINGS_SQL)

    back = run_playbook("server_url.yml")
    assert back.returncode == 0, back.stdout
    assert {options["server_url"] for options in core_options(host, http)} == {f"http://{address}/pydio"}
    again = run_playbook("server_url.yml")
    recap = [line for line in again.stdout.splitlines() if line.startswith("app-node1")]
    assert recap and "changed=0" in recap[-1], again.stdout
