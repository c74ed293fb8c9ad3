"""The lab provider's pure parts, its generated variables, and the status report."""

import itertools
import socket
import stat
from pathlib import Path

import pytest
import yaml
from runner_helpers import REPO, FakeDocker, container

from scaleout.model import Node
from scaleout.providers import lab_vars
from scaleout.providers.base import NodeInfo, ProviderError
from scaleout.providers.lab import LabProvider, node_from_inspect, node_number
from scaleout.status import problems, render_status

# The settings of shared/docker-lab.md that let systemd, glusterd, FUSE and XFS run.
REQUIRED_SETTINGS = [
    ("--cap-add", "SYS_ADMIN"),
    ("--device", "/dev/fuse"),
    ("--security-opt", "seccomp=unconfined"),
    ("--security-opt", "apparmor=unconfined"),
    ("--volume", "/sys/fs/cgroup:/sys/fs/cgroup:rw"),
    ("--tmpfs", "/run"),
    ("--tmpfs", "/run/lock"),
]


def pairs(argv):
    return set(itertools.pairwise(argv))


@pytest.mark.parametrize(
    ("node", "published"),
    [
        (Node("c-node1", ("storage", "compute")), False),
        (Node("c-node3", ("db",)), False),
        (Node("c-node4", ("lb",)), True),
    ],
)
def test_run_args_use_the_verified_settings_and_publish_only_the_lb(tmp_path, node, published):
    argv = LabProvider("img:1", tmp_path, port=18080).run_args("c", node, "img:1")
    assert argv[:2] == ["run", "--detach"]
    assert argv[-2:] == ["img:1", "/lib/systemd/systemd"]
    assert "--privileged" not in argv
    assert "--cgroupns=host" in argv
    assert set(REQUIRED_SETTINGS) <= pairs(argv)
    assert ("--network", "scaleout-c") in pairs(argv)
    assert ("--label", f"scaleout.groups={','.join(node.groups)}") in pairs(argv)
    assert (("--publish", "127.0.0.1:18080:80") in pairs(argv)) is published


def test_node_from_inspect_reads_groups_and_the_cluster_network_address():
    document = {
        "Id": "0123456789abcdef",
        "Name": "/c-node2",
        "Config": {"Labels": {"scaleout.cluster": "c", "scaleout.groups": "compute,storage,bogus"}},
        "NetworkSettings": {
            "Networks": {"bridge": {"IPAddress": "172.17.0.9"}, "scaleout-c": {"IPAddress": "10.9.0.3"}}
        },
    }
    node = node_from_inspect(document, "c")
    assert node == NodeInfo("c-node2", ("storage", "compute"), "10.9.0.3", "c-node2", "0123456789ab", running=False)
    running = node_from_inspect({**document, "State": {"Running": True}}, "c")
    assert running.running is True


@pytest.mark.parametrize(("name", "number"), [("c-node1", 1), ("c-node12", 12), ("odd", 0)])
def test_node_number_orders_nodes_by_launch(name, number):
    assert node_number(name) == number


def test_stopped_nodes_are_refused_but_listed_for_down(tmp_path):
    docker = FakeDocker([container("c", "c-node2", "db", running=False), container("c", "c-node1", "storage")])
    provider = LabProvider("img:1", tmp_path, docker=docker)
    with pytest.raises(ProviderError, match=r"c-node2 of cluster 'c' are not running; start them with `docker start"):
        provider.list_nodes("c")
    assert [node.name for node in provider.list_nodes("c", include_stopped=True)] == ["c-node1", "c-node2"]


def test_a_port_in_use_is_refused_naming_it(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ProviderError, match=rf"port {port} of 127.0.0.1 cannot be used.*--lab-port PORT"):
            LabProvider("img:1", tmp_path, port=port).check_port_free()
    LabProvider("img:1", tmp_path, port=port).check_port_free()


def test_secrets_are_made_once_random_and_private(tmp_path):
    first = lab_vars.ensure_secrets(tmp_path)
    again = lab_vars.ensure_secrets(tmp_path)
    other = lab_vars.ensure_secrets(tmp_path / "other")
    path = tmp_path / "group_vars" / "all" / "secrets.yml"
    assert first == again
    assert first["mysql_pydio_password"] == first["pydio_db_password"]
    assert first["mysql_pydio_password"] != other["mysql_pydio_password"]
    assert len(first["pydio_admin_password"]) >= 20
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first["memcached_password"] == first["pydio_session_store_password"]
    assert first["memcached_password"] not in (first["mysql_pydio_password"], other["memcached_password"])
    assert len(first["memcached_password"]) >= 16
    assert sorted(lab_vars.read_secrets(tmp_path)) == sorted(first.values())


def test_a_lab_made_before_the_session_store_gets_its_secret_and_keeps_its_passwords(tmp_path):
    path = tmp_path / "group_vars" / "all" / "secrets.yml"
    path.parent.mkdir(parents=True)
    path.write_text("mysql_pydio_password: db-one\npydio_db_password: db-one\npydio_admin_password: admin-one\n")
    values = lab_vars.ensure_secrets(tmp_path)
    assert (values["mysql_pydio_password"], values["pydio_admin_password"]) == ("db-one", "admin-one")
    assert values["memcached_password"] == values["pydio_session_store_password"]
    assert yaml.safe_load(path.read_text()) == values
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_stand_in_is_built_and_turns_the_php_check_off(tmp_path):
    values = lab_vars.record_pydio_source(tmp_path, "stand-in", php_check=True)
    archive = Path(values["pydio_archive_src"])
    assert archive.name == "pydio-core-8.2.5.tar.gz"
    assert archive.is_file()
    assert values["pydio_php_version_check"] is False
    written = yaml.safe_load((tmp_path / "group_vars" / "all" / "pydio.yml").read_text())
    assert written == values
    assert lab_vars.pydio_source(tmp_path) == values


def test_a_real_archive_keeps_the_php_check(tmp_path):
    archive = tmp_path / "pydio-core-8.2.5.tar.gz"
    archive.write_bytes(b"x")
    values = lab_vars.record_pydio_source(tmp_path / "inv", str(archive), php_check=True)
    assert values == {"pydio_archive_src": str(archive), "pydio_php_version_check": True}


def test_a_missing_archive_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        lab_vars.record_pydio_source(tmp_path, str(tmp_path / "missing.tar.gz"), php_check=True)
    assert not (tmp_path / "group_vars").exists()


def test_lab_vars_point_pydio_at_the_published_port(tmp_path):
    lab_vars.write_lab_vars(tmp_path, 18080)
    written = yaml.safe_load((tmp_path / "group_vars" / "all" / "lab.yml").read_text())
    assert written == {"elb_backend": "haproxy", "elb_public_hostname": "127.0.0.1:18080"}


@pytest.mark.parametrize(("published", "port"), [(None, 18081), (18090, 18090)])
def test_prepare_keeps_a_cluster_s_port_and_its_passwords(tmp_path, published, port):
    """A new cluster gets the provider's port; an existing one keeps the port its lb publishes."""
    nodes = [container("c", "c-node4", "lb", port=published)] if published else []
    provider = LabProvider("img:1", tmp_path, port=18081, docker=FakeDocker(nodes))
    provider.prepare("c")
    provider.prepare("c")
    folder = tmp_path / "c" / "group_vars" / "all"
    assert yaml.safe_load((folder / "lab.yml").read_text())["elb_public_hostname"] == f"127.0.0.1:{port}"
    made = yaml.safe_load((folder / "secrets.yml").read_text())
    assert sorted(provider.secrets("c")) == sorted(map(str, made.values()))
    assert provider.public_url("c") == (f"http://127.0.0.1:{published}/pydio/" if published else "")


def test_only_a_launch_with_an_lb_needs_a_free_port(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        provider = LabProvider("img:1", tmp_path, port=sock.getsockname()[1])
        provider.check_launch([Node("c-node5", ("compute",))])
        with pytest.raises(ProviderError, match="cannot be used"):
            provider.check_launch([Node("c-node1", ("storage",)), Node("c-node4", ("lb",))])


def test_generated_files_are_ignored_by_git():
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert "inventory/lab/" in ignored


def test_status_renders_layout_heal_and_backends():
    document = {
        "cluster": "c",
        "provider": "lab",
        "url": "http://127.0.0.1:8080/pydio/",
        "nodes": [{"name": "c-node1", "groups": ["storage", "compute"], "private_ip": "10.0.0.2", "id": "x"}],
        "peers": [{"hostname": "a", "connected": True}, {"hostname": "b", "connected": False}],
        "volumes": [
            {
                "name": "pydio-data",
                "status": "Started",
                "replica": 2,
                "distribute": 2,
                "brick_count": 4,
                "bricks_online": ["a:/b", "b:/b", "c:/b"],
                "heal_pending": 5,
            }
        ],
        "lb": [{"server": "c-node1", "status": "UP"}],
        "web": {"c-node1": 200},
        "unreachable": ["c-node9"],
    }
    text = render_status(document)
    assert "cluster c (lab): http://127.0.0.1:8080/pydio/" in text
    assert "2 x 2 = 4" in text
    assert "3/4 bricks online, 5 heal entries pending" in text
    assert "peers: 1/2 connected" in text
    assert "unreachable: c-node9" in text


HEALTHY = {
    "cluster": "c",
    "provider": "lab",
    "url": "",
    "nodes": [
        {"name": "c-node1", "groups": ["storage", "compute"], "private_ip": "10.0.0.2", "id": "x", "state": "running"},
        {"name": "c-node2", "groups": ["storage", "compute"], "private_ip": "10.0.0.3", "id": "y", "state": "running"},
    ],
    "peers": [{"hostname": "c-node1", "connected": True}, {"hostname": "c-node2", "connected": True}],
    "volumes": [
        {
            "name": "pydio-data",
            "status": "Started",
            "replica": 2,
            "distribute": 1,
            "brick_count": 2,
            "bricks_online": ["c-node1:/b", "c-node2:/b"],
            "heal_pending": 0,
        }
    ],
    "lb": [{"server": "c-node1", "status": "UP"}, {"server": "c-node2", "status": "UP"}],
    "web": {"c-node1": 200, "c-node2": 200},
    "unreachable": [],
    "errors": [],
    "database": [
        {
            "host": "c-db",
            "role": "primary",
            "answers": True,
            "version": "10.11.6",
            "replication": None,
            "last_backup": None,
            "last_backup_age_seconds": None,
        }
    ],
}


def _with(**changes: object) -> dict[str, object]:
    return {**HEALTHY, **changes}


def test_a_healthy_report_has_no_problem_and_says_healthy():
    assert problems(HEALTHY) == []
    text = render_status({**HEALTHY, "problems": []})
    assert text.splitlines()[-1] == "healthy"
    assert "  c-db                   primary  10.11.6, last backup none yet" in text


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            _with(
                nodes=[{**HEALTHY["nodes"][0]}, {**HEALTHY["nodes"][1], "state": "stopped"}],
                unreachable=["c-node2"],
                web={"c-node1": 200, "c-node2": None},
            ),
            ["node c-node2 is stopped"],
            id="stopped-node-once",
        ),
        pytest.param(_with(unreachable=["c-node2"]), ["c-node2 did not answer"], id="unreachable"),
        pytest.param(
            _with(peers=[{"hostname": "c-node2", "connected": False}]),
            ["peer c-node2 is not connected"],
            id="peer",
        ),
        pytest.param(
            _with(volumes=[{**HEALTHY["volumes"][0], "bricks_online": ["c-node1:/b"], "heal_pending": 4}]),
            ["volume pydio-data has 1/2 bricks online", "volume pydio-data has 4 heal entries pending"],
            id="bricks-and-heal",
        ),
        pytest.param(
            _with(volumes=[{**HEALTHY["volumes"][0], "status": "Stopped"}]),
            ["volume pydio-data is Stopped"],
            id="volume-stopped",
        ),
        pytest.param(
            _with(lb=[{"server": "c-node1", "status": "UP"}, {"server": "c-node2", "status": "DOWN"}]),
            ["c-node2 is DOWN at the load balancer"],
            id="lb-down",
        ),
        pytest.param(
            _with(
                lb=[
                    {"lb": "pydio-c-web", "server": "c-node1", "status": "healthy", "check": ""},
                    {"lb": "pydio-c-web", "server": "c-node2", "status": "unhealthy", "check": "Target.Timeout"},
                ]
            ),
            ["c-node2 is unhealthy at the load balancer"],
            id="alb-target-unhealthy",
        ),
        pytest.param(
            _with(web={"c-node1": 503, "c-node2": -1}),
            ["check.txt of c-node1 answered 503", "check.txt of c-node2 answered nothing"],
            id="health-check",
        ),
        pytest.param(_with(errors=["no storage host answered"]), ["not read: no storage host answered"], id="errors"),
        pytest.param(
            _with(database=[{"host": "c-db", "role": "primary", "answers": False, "error": "the host did not answer"}]),
            ["database on c-db does not answer: the host did not answer"],
            id="db-down",
        ),
        pytest.param(
            _with(
                database=[
                    {"host": "c-db2", "role": "replica", "answers": True, "replication": {"io_running": False}},
                    {
                        "host": "c-db3",
                        "role": "replica",
                        "answers": True,
                        "replication": {"io_running": True, "sql_running": True, "seconds_behind": 900},
                    },
                ]
            ),
            [
                "replica c-db2 does not replicate (IO and SQL threads not both running)",
                "replica c-db3 is 900 s behind its primary",
            ],
            id="replication",
        ),
        pytest.param(
            _with(database=[{"host": "c-db", "answers": True, "last_backup_age_seconds": 3 * 24 * 3600}]),
            ["the newest backup on c-db is 72 h old"],
            id="old-backup",
        ),
    ],
)
def test_each_problem_is_named(document, expected):
    assert problems(document) == expected
    text = render_status({**document, "problems": expected})
    assert "DEGRADED:" in text
    assert all(f"  {line}" in text for line in expected)
