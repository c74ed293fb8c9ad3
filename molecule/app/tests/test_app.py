"""The application tier converged by playbooks/site.yml: MySQL, Apache, PHP and Pydio on gluster.

The Pydio here is the stand-in archive of tests/fixtures/pydio_contract (see
its README): it honours Pydio 8's deployment contract, so these tests check
the deployment, not Pydio.
"""

from __future__ import annotations

import json
import secrets
import time

import pytest

testinfra_hosts = ["ansible://compute"]

ADMIN_PASSWORD = "lab-admin-'secret\\"
PYDIO = "/var/www/pydio-core-8.2.5"


def address_of(host) -> str:
    return host.check_output("hostname -I").split()[0]


def lab_host(host, name: str):
    return host.get_host(f"ansible://{name}", ansible_inventory=host.backend.ansible_inventory)


@pytest.fixture(scope="module")
def node1(host):
    return lab_host(host, "app-node1")


@pytest.fixture(scope="module")
def node2(host):
    return lab_host(host, "app-node2")


@pytest.fixture(scope="module")
def db(host):
    return lab_host(host, "app-db1")


def status(http, client, node) -> dict:
    response = http(client, f"http://{address_of(node)}/pydio/index.php?get_action=status")
    assert response.status == 200, response.body
    return response.json()


def test_apache_is_enabled_and_running(host):
    apache = host.service("apache2")
    assert apache.is_enabled
    assert apache.is_running
    assert "rewrite_module" in host.check_output("apache2ctl -M")


def test_check_txt_answers_200_and_is_not_logged_while_other_requests_are(host, http):
    log = "/var/log/apache2/access.log"
    before = host.file(log).content_string.count("\n")
    check = http(host, "http://localhost/pydio/check.txt")
    assert check.status == 200
    assert check.body == b"OK\n"
    marker = secrets.token_hex(8)
    other = http(host, f"http://localhost/pydio/index.php?get_action=status&probe={marker}")
    assert other.status == 200
    time.sleep(0.5)
    lines = host.file(log).content_string.splitlines()[before:]
    assert [line for line in lines if marker in line], lines
    assert not [line for line in host.file(log).content_string.splitlines() if "check.txt" in line]


def test_php_ini_values_are_those_of_the_script_and_apache_uses_them(host, http):
    ini = host.file("/etc/php/8.2/apache2/php.ini").content_string
    assert "\noutput_buffering = Off\n" in ini
    assert "\npost_max_size = 200M\n" in ini
    assert "\nupload_max_filesize = 200M\n" in ini
    php = status(http, host, host)["php"]
    assert php["post_max_size"] == "200M"
    assert php["upload_max_filesize"] == "200M"
    assert php["output_buffering"] in ("", "0")  # ini_get() of Off


def test_mysql_listens_on_the_db_node_private_address_only(db):
    listeners = [line.split()[3] for line in db.check_output("ss -Hltn 'sport = :3306'").splitlines() if line.strip()]
    assert listeners == [f"{address_of(db)}:3306"]


def test_pydio_runs_from_the_shared_volumes_with_mysql(host, http, node1, db):
    state = status(http, host, host)
    assert state["installer"] is False
    assert state["node"] == host.backend.host
    assert state["data_path"] == "/mnt/pydio-config/appdata"
    assert state["shared_cache_dir"] == "/mnt/pydio-config/cache"
    assert state["cache_dir"] == "/var/cache/pydio"
    assert state["common_files"] == "/mnt/pydio-data/common"
    assert {"ajxp_index", "ajxp_changes", "ajxp_users"} <= set(state["database"]["tables"])
    assert state["database"]["server"].endswith("MariaDB-0+deb12u1")
    # No load balancer in this scenario: the first web node's address.
    assert state["server_url"] == f"http://{address_of(node1)}/pydio"
    assert state["public_download_url"] == f"http://{address_of(node1)}/pydio/public"
    assert state["public_download_folder"] == "/mnt/pydio-data/public"


def test_session_cookie_is_ajaxplorer(host, http):
    response = http(host, "http://localhost/pydio/index.php?get_action=status")
    cookies = response.header("Set-Cookie")
    assert cookies and cookies[0].startswith("AjaXplorer=")


def test_config_and_data_are_gluster_mounts(host):
    for path in ("/mnt/pydio-config", "/mnt/pydio-data"):
        assert host.mount_point(path).filesystem == "fuse.glusterfs"
    for path in ("appdata", "cache", "log"):
        assert host.file(f"/mnt/pydio-config/{path}").user == "www-data"
    for path in ("public", "common", "users"):
        assert host.file(f"/mnt/pydio-data/{path}").user == "www-data"
    assert host.file("/var/cache/pydio").user == "www-data"
    # The default plugin data was copied to the config volume.
    assert host.file("/mnt/pydio-config/appdata/plugins/conf.sql/.htaccess").exists


def test_rendered_php_configuration(host):
    context = host.file(f"{PYDIO}/conf/bootstrap_context.php")
    assert context.user == "root" and context.group == "www-data" and context.mode == 0o640
    text = context.content_string
    assert text.startswith("<?php\n//\n// Ansible managed")
    assert 'define("AJXP_DATA_PATH", "/mnt/pydio-config/appdata");' in text
    assert 'define("AJXP_CACHE_DIR", "/var/cache/pydio");' in text
    assert 'define("AJXP_SHARED_CACHE_DIR", "/mnt/pydio-config/cache");' in text
    repositories = host.file(f"{PYDIO}/conf/bootstrap_repositories.php").content_string
    assert repositories.startswith("<?php\n//\n// Ansible managed")
    assert '"PATH"          =>  "/mnt/pydio-data/common",' in repositories
    assert '"/mnt/pydio-data/users/AJXP_USER"' in repositories
    for path in ("conf/bootstrap_context.php", "conf/bootstrap_repositories.php"):
        host.run_test(f"php -l {PYDIO}/{path}")
    # The admin password, quote and backslash included, reaches Pydio intact.
    echoed = host.check_output(f"php -r 'include \"{PYDIO}/base.conf.php\"; echo ADMIN_PASSWORD;'")
    assert echoed == ADMIN_PASSWORD
    htaccess = host.file(f"{PYDIO}/.htaccess").content_string
    assert "RewriteBase /pydio\n" in htaccess


def test_bootstrap_json_is_preseeded_for_mysql(host, db):
    path = "/mnt/pydio-config/appdata/plugins/boot.conf/bootstrap.json"
    conf = host.file(path)
    assert conf.user == "www-data" and conf.mode == 0o640
    boot = json.loads(conf.content_string)
    dibi = boot["core.conf"]["DIBI_PRECONFIGURATION"]
    assert dibi["group_switch_value"] == "mysql"
    assert dibi["mysql_host"] == address_of(db)
    assert (dibi["mysql_username"], dibi["mysql_database"]) == ("pydio", "pydio")
    assert boot["core.conf"]["UNIQUE_INSTANCE_CONFIG"]["instance_name"] == "conf.sql"
    assert boot["core.auth"]["MASTER_INSTANCE_CONFIG"]["instance_name"] == "auth.sql"


def test_a_file_uploaded_through_node1_downloads_through_node2(node1, node2, db, http):
    name = f"upload-{secrets.token_hex(6)}.bin"
    content = secrets.token_bytes(4096) + b"\r\n--not-a-boundary--\r\n"
    stored = http(db, f"http://{address_of(node1)}/pydio/index.php?get_action=upload", upload=(name, content))
    assert stored.status == 200, stored.body
    assert stored.json()["node"] == "app-node1"
    assert stored.json()["stored"] == f"/mnt/pydio-data/common/{name}"

    fetched = http(db, f"http://{address_of(node2)}/pydio/index.php?get_action=download&file={name}")
    assert fetched.status == 200
    assert fetched.header("X-Pydio-Node") == ["app-node2"]
    assert fetched.body == content
    # Replicated to node2's brick, and indexed in the database.
    assert node2.file(f"/bricks/pydio/pydio-data/brick/common/{name}").size == len(content)
    rows = db.check_output("mariadb --batch --skip-column-names -e %s", "SELECT node_path FROM pydio.ajxp_index")
    assert f"/{name}" in rows.split()
    changes = db.check_output("mariadb --batch --skip-column-names -e %s", "SELECT target FROM pydio.ajxp_changes")
    assert f"/{name}" in changes.split()  # written by the schema's trigger


def test_exactly_one_node_installed_although_both_converged_at_once(node1, node2):
    log = node1.file("/mnt/pydio-config/install.log").content_string.splitlines()
    events = [line.split(" ", 2) for line in log]
    installing = [e for e in events if e[2] == "installing"]
    installed = [e for e in events if e[2] == "installed"]
    joined = [e for e in events if e[2].startswith("joined the install of ")]
    assert len(installing) == 1 and len(installed) == 1, log
    winner = installed[0][1]
    loser = ({"app-node1", "app-node2"} - {winner}).pop()
    assert [e[1] for e in joined] == [loser], log
    # Both nodes asked for the lock before the winner had finished: a real race.
    waiting = {e[1]: e[0] for e in events if e[2] == "waiting"}
    assert set(waiting) == {"app-node1", "app-node2"}, log
    assert max(waiting.values()) < installed[0][0], log
    marker = node2.file("/mnt/pydio-config/skip_install").content_string.split()
    assert marker[0] == winner


def test_first_run_flags_and_a_single_admin_account(node1, node2, db, http):
    winner = node1.file("/mnt/pydio-config/skip_install").content_string.split()[0]
    for node in (node1, node2):
        for flag in ("first_run_passed", "diag_result.php"):
            assert node.file(f"/var/cache/pydio/{flag}").exists
    other = node2 if winner == "app-node1" else node1
    # The joining node never counts admins; it was told so before its first request.
    assert other.file("/var/cache/pydio/admin_counted").exists
    # A request to each node; the installing node creates the admin account, once.
    for node in (node1, node2):
        status(http, db, node)
    rows = db.check_output(
        "mariadb --batch --skip-column-names -e %s", "SELECT login, password FROM pydio.ajxp_users"
    ).splitlines()
    assert len(rows) == 1 and rows[0].split("\t")[0] == "admin", rows
    hashed = rows[0].split("\t")[1]
    node1.run_test("php -r 'exit(password_verify($argv[1], $argv[2]) ? 0 : 1);' -- %s %s", ADMIN_PASSWORD, hashed)
