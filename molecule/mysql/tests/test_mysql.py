"""The mysql role: private bind address, per-node grants, hardening, backups, replication."""

from __future__ import annotations

import json
import time

import pytest

testinfra_hosts = ["ansible://mysql-db1"]

PASSWORD = "lab-pydio-secret"

# Connect with PyMySQL and print the outcome as JSON: {"ok": true, ...} or
# {"ok": false, "code": <MySQL error number>, "error": "..."}.
CLIENT = r"""
import json, sys, pymysql
host, user, password, query = sys.argv[1:5]
try:
    conn = pymysql.connect(host=host, user=user, password=password, database=None, connect_timeout=5)
    with conn.cursor() as cur:
        cur.execute(query)
        rows = [list(r) for r in cur.fetchall()]
    print(json.dumps({"ok": True, "rows": rows}, default=str))
except pymysql.err.MySQLError as exc:
    print(json.dumps({"ok": False, "code": exc.args[0], "error": str(exc.args[-1])}))
"""


def address_of(host) -> str:
    return host.check_output("hostname -I").split()[0]


def connect(host, server: str, user: str, password: str, query: str = "SELECT CURRENT_USER()") -> dict:
    cmd = host.run("python3 -c %s %s %s %s %s", CLIENT, server, user, password, query)
    assert cmd.rc == 0, cmd.stderr
    return json.loads(cmd.stdout)


def sql(host, query: str) -> list[list[str]]:
    """Run a query as root through the unix socket of a database host."""
    out = host.check_output("mariadb --batch --skip-column-names -e %s", query)
    return [line.split("\t") for line in out.splitlines()]


@pytest.fixture(scope="module")
def db1(host):
    return host


@pytest.fixture(scope="module")
def db2(host):
    return host.get_host("ansible://mysql-db2", ansible_inventory=host.backend.ansible_inventory)


@pytest.fixture(scope="module")
def app1(host):
    return host.get_host("ansible://mysql-app1", ansible_inventory=host.backend.ansible_inventory)


@pytest.fixture(scope="module")
def other(host):
    return host.get_host("ansible://mysql-other", ansible_inventory=host.backend.ansible_inventory)


def test_server_listens_on_the_private_address_only(db1):
    addr = address_of(db1)
    listeners = db1.check_output("ss -Hltn 'sport = :3306'").split("\n")
    local = sorted(line.split()[3] for line in listeners if line.strip())
    assert local == [f"{addr}:3306"]


def test_pydio_account_connects_from_the_web_node(db1, app1):
    result = connect(app1, address_of(db1), "pydio", PASSWORD, "SHOW GRANTS")
    assert result["ok"], result
    grants = " ".join(row[0] for row in result["rows"])
    assert "ALL PRIVILEGES ON `pydio`.*" in grants
    assert f"'pydio'@'{address_of(app1)}'" in grants.replace("`", "'")


def test_pydio_account_is_refused_from_a_host_that_is_not_a_web_node(db1, other):
    result = connect(other, address_of(db1), "pydio", PASSWORD)
    assert not result["ok"]
    assert result["code"] == 1130, result  # Host '...' is not allowed to connect


def test_pydio_account_is_refused_from_the_db_node_over_tcp(db1):
    result = connect(db1, address_of(db1), "pydio", PASSWORD)
    assert not result["ok"]
    assert result["code"] == 1130, result


def test_pydio_accounts_are_granted_by_address_never_wildcard(db1, app1):
    hosts = sorted(row[0] for row in sql(db1, "SELECT Host FROM mysql.user WHERE User='pydio'"))
    assert hosts == [address_of(app1)]


def test_no_remote_root_and_root_uses_the_socket_only(db1, app1, other):
    rows = sql(db1, "SELECT Host, plugin FROM mysql.user WHERE User='root'")
    assert rows == [["localhost", "unix_socket"]]
    # From the web node another account matches the host, so the server
    # answers "access denied" rather than "host not allowed".
    for client, codes in ((app1, (1045, 1698)), (other, (1130,)), (db1, (1130,))):
        result = connect(client, address_of(db1), "root", PASSWORD)
        assert not result["ok"] and result["code"] in codes, (client, result)


def test_no_anonymous_accounts_and_no_test_database(db1):
    assert sql(db1, "SELECT COUNT(*) FROM mysql.user WHERE User=''") == [["0"]]
    assert "test" not in db1.check_output("mariadb --batch --skip-column-names -e 'SHOW DATABASES'").split()


def test_backup_timer_is_scheduled(db1):
    timer = db1.service("scaleout-mysql-backup.timer")
    assert timer.is_enabled
    assert timer.is_running
    assert "02:30:00" in db1.check_output("systemctl show -p TimersCalendar --value scaleout-mysql-backup.timer")


def test_backup_run_writes_a_dump_and_keeps_the_newest_two(db1):
    db1.check_output("mariadb -e %s", "CREATE TABLE IF NOT EXISTS pydio.backup_probe (id INT PRIMARY KEY)")
    db1.check_output("find /var/backups/mysql -name 'pydio-*.sql.gz' -delete")
    for _ in range(3):
        db1.check_output("systemctl start scaleout-mysql-backup.service")
        time.sleep(1.1)  # one dump per second: the name carries the time
    dumps = db1.check_output("ls /var/backups/mysql").split()
    assert len(dumps) == 2, dumps
    assert all(name.startswith("pydio-") and name.endswith(".sql.gz") for name in dumps)
    newest = sorted(dumps)[-1]
    content = db1.check_output(f"zcat /var/backups/mysql/{newest}")
    assert "CREATE TABLE `backup_probe`" in content
    # It loads into whichever database it is given: it names none.
    assert not [line for line in content.splitlines() if line.startswith(("CREATE DATABASE", "USE "))]
    assert "-- Dump completed" in content
    assert db1.file(f"/var/backups/mysql/{newest}").mode == 0o600


def test_replica_runs_and_follows_the_primary(db2):
    status = db2.check_output("mariadb -e 'SHOW SLAVE STATUS\\G'")
    assert "Slave_IO_Running: Yes" in status
    assert "Slave_SQL_Running: Yes" in status
    assert "Using_Gtid: Slave_Pos" in status
    assert db2.check_output("mariadb --batch --skip-column-names -e 'SELECT @@read_only'") == "1"


def test_a_row_written_on_the_primary_appears_on_the_replica(db1, db2):
    marker = f"row-{time.time_ns()}"
    db1.check_output(
        "mariadb -e %s",
        "CREATE TABLE IF NOT EXISTS pydio.replication_probe (v VARCHAR(64) PRIMARY KEY);"
        f"INSERT INTO pydio.replication_probe VALUES ('{marker}')",
    )
    for _ in range(30):
        rows = db2.run("mariadb --batch --skip-column-names -e %s", "SELECT v FROM pydio.replication_probe")
        if marker in rows.stdout.split():
            break
        time.sleep(1)
    else:
        pytest.fail(f"{marker} did not reach the replica: {rows.stdout} {rows.stderr}")


def test_replica_carries_the_pydio_accounts(db2, app1):
    hosts = sorted(row[0] for row in sql(db2, "SELECT Host FROM mysql.user WHERE User='pydio'"))
    assert hosts == [address_of(app1)]


def test_server_state_reports_the_primary_its_backup_and_a_running_replica(db1, db2, run_playbook):
    result = run_playbook("server_state.yml")
    assert result.returncode == 0, result.stdout[-3000:]
    primary = json.loads(db1.file("/tmp/server_state.json").content_string)
    replica = json.loads(db2.file("/tmp/server_state.json").content_string)
    assert (primary["host"], primary["role"], primary["answers"]) == ("mysql-db1", "primary", True)
    assert primary["error"] == ""
    assert primary["version"]
    assert primary["replication"] is None
    assert primary["last_backup"].startswith("/var/backups/mysql/pydio-")  # the backup test ran before
    assert 0 <= int(primary["last_backup_age_seconds"]) < 3600
    assert (replica["role"], replica["answers"]) == ("replica", True)
    assert replica["replication"]["io_running"] is True
    assert replica["replication"]["sql_running"] is True
    assert int(replica["replication"]["seconds_behind"]) >= 0
