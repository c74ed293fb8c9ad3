"""runner.py's main() on a lab whose docker is a FakeDocker: bad input is refused before any change."""

import socket

import pytest
from runner_helpers import FakeDocker, container

from scaleout import cli, command
from scaleout.providers.lab import LabProvider


class Lab:
    """main() with the lab provider on a FakeDocker, its inventory and artifacts in a temporary folder."""

    def __init__(self, tmp_path, monkeypatch):
        self.docker = FakeDocker()
        self.inventory_root = tmp_path / "inventory"
        self.artifacts = tmp_path / "artifacts"

        def make_provider(name, repo_root, aws_config, lab_port, *, needed=True):
            assert name == "lab"
            return LabProvider("img:test", self.inventory_root, port=lab_port, docker=self.docker)

        monkeypatch.setattr(command, "make_provider", make_provider)

    def run(self, *args: str) -> int:
        return cli.main(["--artifacts-dir", str(self.artifacts), *args])

    def seed(self, cluster: str, *, port: int = 18080, running: bool = True) -> None:
        """The four containers and the network of a cluster that `up` made."""
        layout = [("node1", "storage,compute"), ("node2", "storage,compute"), ("node3", "db"), ("node4", "lb")]
        for name, groups in layout:
            lb_port = port if groups == "lb" else None
            self.docker.containers.append(
                container(cluster, f"{cluster}-{name}", groups, running=running, port=lb_port)
            )
        self.docker.networks.add(f"scaleout-{cluster}")
        (self.inventory_root / cluster).mkdir(parents=True)


@pytest.fixture
def lab(tmp_path, monkeypatch):
    return Lab(tmp_path, monkeypatch)


@pytest.fixture
def busy_port():
    """A loopback port that another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_up_of_a_new_cluster_on_a_busy_port_changes_nothing(lab, busy_port, tmp_path, capsys):
    archive = tmp_path / "pydio-core-8.2.5.tar.gz"
    archive.write_bytes(b"x")
    code = lab.run("--cluster", "c", "--lab-port", str(busy_port), "up", "--pydio-archive", str(archive))
    error = capsys.readouterr().err
    assert code == 1, error
    assert f"port {busy_port} of 127.0.0.1 cannot be used on this machine" in error
    assert "pass a free port with --lab-port PORT" in error
    assert "nothing was changed" in error
    assert lab.docker.changes() == []
    assert not lab.inventory_root.exists()
    assert not lab.artifacts.exists()


@pytest.mark.parametrize(
    "args", [["--lab-port", "18081", "--dry-run", "deploy"], ["scale", "--compute", "--lab-port", "18081", "--dry-run"]]
)
def test_an_explicit_port_other_than_the_clusters_is_refused(lab, capsys, args):
    lab.seed("c", port=18080)
    code = lab.run("--cluster", "c", *args)
    error = capsys.readouterr().err
    assert code == 2, error
    assert "lab cluster 'c' publishes its load balancer on port 18080, not 18081" in error
    assert "pass --lab-port 18080, or leave --lab-port out" in error
    assert not lab.artifacts.exists()


@pytest.mark.parametrize("port", [[], ["--lab-port", "18080"]])
def test_the_clusters_own_port_or_none_is_accepted(lab, capsys, port):
    lab.seed("c", port=18080)
    assert lab.run("--cluster", "c", *port, "--dry-run", "deploy") == 0, capsys.readouterr().err


def test_down_of_a_cluster_that_does_not_exist_is_refused(lab, capsys):
    lab.seed("other")
    code = lab.run("--cluster", "nosuch", "down")
    error = capsys.readouterr().err
    assert code == 2, error
    assert "no lab cluster named 'nosuch'" in error
    assert "check --cluster" in error
    assert lab.docker.changes() == []
    assert not lab.artifacts.exists()


@pytest.mark.parametrize("left", ["network", "inventory"])
def test_down_removes_what_a_half_made_cluster_left(lab, capsys, left):
    if left == "network":
        lab.docker.networks.add("scaleout-c")
    else:
        (lab.inventory_root / "c" / "group_vars").mkdir(parents=True)
    assert lab.run("--cluster", "c", "down") == 0, capsys.readouterr().err
    assert lab.docker.networks == set()
    assert not (lab.inventory_root / "c").exists()


def test_down_removes_stopped_nodes(lab, capsys):
    lab.seed("c", running=False)
    lab.docker.containers[0]["State"]["Running"] = True
    code = lab.run("--cluster", "c", "down")
    assert code == 0, capsys.readouterr().err
    assert ["rm", "--force", "--volumes", "c-node1", "c-node2", "c-node3", "c-node4"] in lab.docker.calls
    assert lab.docker.containers == []
    assert lab.docker.networks == set()
    assert not (lab.inventory_root / "c").exists()


def test_down_ignores_the_port(lab, capsys):
    """A cluster left behind on another port can still be removed."""
    lab.seed("c", port=18080)
    assert lab.run("--cluster", "c", "--lab-port", "18081", "down") == 0, capsys.readouterr().err
    assert lab.docker.containers == []


def test_scale_in_of_a_node_that_is_down_plans_but_other_stopped_nodes_are_refused(lab, capsys):
    lab.seed("c", running=True)
    lab.docker.containers.append(container("c", "c-node5", "compute", running=False))
    assert lab.run("--cluster", "c", "--dry-run", "scale-in", "--compute", "c-node5") == 0
    assert "stop the web service on c-node5" in capsys.readouterr().out

    lab.docker.containers[1]["State"]["Running"] = False  # c-node2, storage+compute: not the leaving node
    code = lab.run("--cluster", "c", "--dry-run", "scale-in", "--compute", "c-node5")
    err = capsys.readouterr().err
    assert code == 1
    assert "node(s) c-node2 of cluster 'c' are not running; start them first" in err
    assert lab.docker.changes() == []
