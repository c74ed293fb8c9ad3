"""The shared session store: a user stays logged in when the web node holding the session stops.

The scenario runs with pydio_session_store: memcached. The store is on the
database node (cluster-db1); each web node logs in to it as a SASL user of
its own, and a node that left the cluster (cluster-node3, taken out by the
scale tests) is refused. Runs after the failure tests, on a whole cluster.
"""

from __future__ import annotations

from conftest import STATUS, WEBS, Session, address_of, node, wait_for_status

testinfra_hosts = ["ansible://cluster-lb1"]

STORE = "cluster-db1"
LEFT = "cluster-node3"
SASLDB = "/etc/sasl2/memcached-sasldb2"
ADMIN_PASSWORD = "lab-admin-'secret\\"
# Run on a web node with php-memcached: log in to the store with the account of
# the node's own PHP settings (argv[1]) and store a key; prints "stored" or the
# client's result message.
PROBE = r"""
$ini = parse_ini_file($argv[1], false, INI_SCANNER_RAW);
$m = new Memcached();
$m->setOption(Memcached::OPT_BINARY_PROTOCOL, true);
list($host, $port) = explode(":", trim($ini["session.save_path"], '"'));
$m->addServer($host, (int)$port);
$m->setSaslAuthData(trim($ini["memcached.sess_sasl_username"], '"'), trim($ini["memcached.sess_sasl_password"], '"'));
echo $m->set("probe", "1", 10) ? "stored" : $m->getResultMessage();
"""


def session_ini(web) -> str:
    return web.check_output("ls /etc/php/*/apache2/conf.d/30-scaleout-pydio-sessions.ini")


def test_the_store_has_a_user_for_each_web_node_and_none_for_the_node_that_left():
    listed = node(STORE).check_output(f"sasldblistusers2 -f {SASLDB}")
    users = sorted(line.split("@", 1)[0] for line in listed.splitlines() if "@" in line)
    assert users == sorted(f"web-{web}" for web in WEBS), listed


def test_the_store_listens_on_the_private_address_only():
    store = node(STORE)
    listening = store.check_output("ss -Hltn sport = :11211")
    assert f"{address_of(store)}:11211" in listening, listening
    assert "0.0.0.0:11211" not in listening and "127.0.0.1:11211" not in listening, listening
    assert store.check_output("ss -Hlun sport = :11211") == ""


def test_each_web_node_logs_in_with_its_own_account_and_the_node_that_left_is_refused():
    for web in WEBS:
        host = node(web)
        ini = session_ini(host)
        assert host.file(ini).mode == 0o600
        assert host.check_output("php -r %s %s", PROBE, ini) == "stored"
    left = node(LEFT)
    # The node that left keeps the file with its old password, as a machine that copied it would.
    reply = left.check_output("php -r %s %s", PROBE, session_ini(left))
    assert reply != "stored"
    assert "AUTH" in reply.upper(), reply


def test_a_logged_in_user_stays_logged_in_when_the_node_holding_the_session_stops(host):
    for web in WEBS:
        wait_for_status(host, web, "UP", 30)
    user = Session(host)
    login = user.request(
        "/pydio/index.php", form={"get_action": "login", "userid": "admin", "password": ADMIN_PASSWORD}
    )
    assert b'logging_result value="1"' in login.body, login.body[:300]
    before = user.request(STATUS)
    assert before.json()["user"] == "admin"
    holder = before.node
    assert holder in WEBS
    web = node(holder)
    web.check_output("systemctl stop apache2")
    try:
        wait_for_status(host, holder, "DOWN", 20)
        after = user.request(STATUS)
        assert after.status == 200
        assert after.node != holder
        assert after.json()["user"] == "admin", after.json()
    finally:
        web.check_output("systemctl start apache2")
        wait_for_status(host, holder, "UP", 30)


def test_with_the_store_down_no_reply_names_a_node_password(host):
    """PHP names the save path in its session warnings, and Pydio sends warnings to the client: no secret there."""
    passwords = []
    for web in WEBS:
        line = node(web).check_output("grep sess_sasl_password %s", session_ini(node(web)))
        passwords.append(line.split("=", 1)[1].strip().strip('"'))
    store = node(STORE)
    store.check_output("systemctl stop memcached")
    try:
        replies = [Session(host).request(STATUS) for _ in range(4)]
    finally:
        store.check_output("systemctl start memcached")
    seen = b"".join(reply.body for reply in replies)
    assert b"11211" in seen, seen[:500]  # the warning reached the client, naming the store
    assert not any(password.encode() in seen for password in passwords)
