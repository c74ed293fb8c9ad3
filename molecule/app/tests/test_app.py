"""The application tier converged by playbooks/site.yml: MySQL, Apache, PHP and Pydio on gluster.

The Pydio here is the stand-in archive of scaleout/providers/stand_in_pydio (see
its README): it honours Pydio 8's deployment contract, so these tests check
the deployment, not Pydio.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
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
    # Read through Pydio: its conf driver, the tables and db_build its installer makes.
    assert state["conf_driver"] == "conf.sql"
    assert (state["db_build"], state["version_mismatch"]) == (68, False)
    assert (state["log"], state["log_warning"]) == ("sql", None)
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
    for path in ("appdata", "cache"):
        assert host.file(f"/mnt/pydio-config/{path}").user == "www-data"
    for path in ("public", "common", "users"):
        assert host.file(f"/mnt/pydio-data/{path}").user == "www-data"
    assert host.file("/var/cache/pydio").user == "www-data"
    # Pydio's own first-run flag, on the config volume where its installer writes it.
    assert host.file("/mnt/pydio-config/appdata/plugins/boot.conf/first_run_passed").exists


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
    # Pydio never reads ADMIN_PASSWORD: the admin's password is not written there.
    assert ADMIN_PASSWORD not in text
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
    # Without it Pydio's dibi picks PHP's old mysql extension, which no PHP 7 has.
    assert dibi["mysql_use_mysqli"] == "true"
    assert boot["core.conf"]["UNIQUE_INSTANCE_CONFIG"]["instance_name"] == "conf.sql"
    assert boot["core.auth"]["MASTER_INSTANCE_CONFIG"]["instance_name"] == "auth.sql"
    # Pydio reads only its conf, auth and cache drivers from bootstrap.json.
    assert set(boot) == {"core.conf", "core.auth", "core.cache"}


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
    installed = [e for e in events if e[2].startswith("installed")]
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


def login(http, client, node, password: str):
    url = f"http://{address_of(node)}/pydio/index.php"
    return http(client, url, form={"get_action": "login", "userid": "admin", "password": password, "login_seed": "-1"})


def logging_result(response) -> str:
    match = re.search(rb'<logging_result value="(-?[0-9]+)"', response.body)
    assert match, response.body
    return match.group(1).decode()


def test_one_admin_made_by_pydio_logs_in_on_every_node(node1, node2, db, http):
    rows = db.check_output(
        "mariadb --batch --skip-column-names -e %s", "SELECT login, password FROM pydio.ajxp_users"
    ).splitlines()
    assert len(rows) == 1 and rows[0].split("\t")[0] == "admin", rows
    # Pydio's PasswordEncoder format: sha256:<iterations>:<salt>:<base64 of a 24-byte PBKDF2 key>.
    algorithm, iterations, salt, key = rows[0].split("\t")[1].split(":")
    derived = hashlib.pbkdf2_hmac(algorithm, ADMIN_PASSWORD.encode(), salt.encode(), int(iterations), 24)
    assert (algorithm, iterations, derived) == ("sha256", "1000", base64.b64decode(key))
    for node in (node1, node2):
        assert logging_result(login(http, db, node, ADMIN_PASSWORD)) == "1"
        assert logging_result(login(http, db, node, ADMIN_PASSWORD + "x")) == "-1"


def test_a_share_link_made_on_one_node_opens_on_the_other(node1, node2, db, http):
    name = f"shared-{secrets.token_hex(6)}.txt"
    content = secrets.token_bytes(2048)
    assert (
        http(db, f"http://{address_of(node1)}/pydio/index.php?get_action=upload", upload=(name, content)).status == 200
    )
    session = login(http, db, node1, ADMIN_PASSWORD).cookie()
    link = http(
        db,
        f"http://{address_of(node1)}/pydio/index.php?get_action=share&sub_action=create_minisite&file=/{name}",
        cookie=session,
    )
    assert link.status == 200 and link.body.startswith(b"http"), link.body
    # Pydio serves /public/<hash> through index.php: no Apache Alias takes the path.
    path = "/pydio/public/" + link.body.decode().strip().rsplit("/", 1)[1]
    page = http(db, f"http://{address_of(node2)}{path}")
    assert page.status == 200 and page.header("X-Pydio-Node") == ["app-node2"], page.body
    fetched = http(db, f"http://{address_of(node2)}{path}/dl/{name}")
    assert (fetched.status, fetched.body) == (200, content)
    logged = db.check_output("mariadb --batch --skip-column-names -e %s", "SELECT COUNT(*) FROM pydio.ajxp_log")
    assert int(logged) > 0  # Pydio logs to its database, as its installer sets it


def test_a_setting_changed_on_one_node_reaches_the_other_within_the_sync_interval(node1, node2, db, http):
    """Pydio caches its settings per node; the cache-sync service clears the other nodes' caches."""

    def title(node) -> str:
        return status(http, db, node)["application_title"]

    def set_title(value: str) -> None:
        done = node1.run_test(
            "cd %s && echo %s | runuser -u www-data -- php /usr/local/lib/scaleout-pydio/pydio_settings.php %s",
            PYDIO,
            json.dumps({"core.ajaxplorer": {"APPLICATION_TITLE": value}}),
            PYDIO,
        )
        assert json.loads(done.stdout)["after"] == {"core.ajaxplorer": {"APPLICATION_TITLE": value}}, done.stdout

    before = title(node2)
    # With the service stopped, node 2 keeps its cached settings: the contract the role must handle.
    node2.run_test("systemctl stop scaleout-pydio-cache-sync")
    try:
        set_title("Changed on node 1")
        assert title(node1) == "Changed on node 1"
        time.sleep(12)
        assert title(node2) == before
        node2.run_test("systemctl start scaleout-pydio-cache-sync")
        deadline = time.monotonic() + 30
        while title(node2) != "Changed on node 1":
            assert time.monotonic() < deadline, "node 2 never saw the new setting"
            time.sleep(1)
    finally:
        node2.run("systemctl start scaleout-pydio-cache-sync")
        set_title(before)
