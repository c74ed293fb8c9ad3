"""The lab provider: each node is a systemd container on a private Docker network.

The containers run with the settings that let systemd, glusterd, FUSE and XFS
run on machines where ``--privileged`` is refused (docs/testing.md). The lb
node publishes HAProxy's port 80 on a loopback port of this machine, so the
service is reachable at ``http://127.0.0.1:<port>/pydio/``.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scaleout.defaults import DEFAULT_LAB_PORT
from scaleout.model import GROUPS, Cluster, Node, PlanError
from scaleout.plan import Plan
from scaleout.providers import lab_vars
from scaleout.providers.base import NodeInfo, Provider, ProviderError, builder_name
from scaleout.providers.lab_inventory import recorded_private_ips, render_lab_inventory

LABEL_CLUSTER = "scaleout.cluster"
LABEL_GROUPS = "scaleout.groups"
LABEL_PORT = "scaleout.port"
# bake: the builder container's label (its cluster), and the baked image's (the base image it was made from).
LABEL_BAKE = "scaleout.bake"
LABEL_BAKED_FROM = "scaleout.baked-from"
BAKED_REPOSITORY = "scaleout-pydio-baked"
# Beside the cluster's inventory: the image that `bake` recorded for its compute nodes.
BAKED_FILE = "baked-image"
DEFAULT_PORT = DEFAULT_LAB_PORT
BOOT_TIMEOUT = 120

# The settings verified on these machines (shared/docker-lab.md). One file,
# in docker_container's option names, for this provider and for molecule's
# create playbook (molecule/shared/create.yml).
SETTINGS_FILE = Path(__file__).with_name("lab_container.json")


def container_settings(settings: dict) -> tuple[str, ...]:
    """The ``docker run`` options of the lab's systemd containers, from lab_container.json."""

    def repeated(flag: str, values: Sequence[str]) -> list[str]:
        return [arg for value in values for arg in (flag, value)]

    return (
        *repeated("--cap-add", settings["capabilities"]),
        *repeated("--device", settings["devices"]),
        *repeated("--security-opt", settings["security_opts"]),
        f"--cgroupns={settings['cgroupns_mode']}",
        *repeated("--volume", settings["volumes"]),
        *repeated("--tmpfs", settings["tmpfs"]),
        "--stop-signal",
        settings["stop_signal"],
    )


CONTAINER = json.loads(SETTINGS_FILE.read_text(encoding="utf-8"))
CONTAINER_SETTINGS = container_settings(CONTAINER)

Runner = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]


def run_docker(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run a docker CLI command; raise ProviderError with its stderr when it fails."""
    try:
        result = subprocess.run(["docker", *argv], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ProviderError("the docker command is not installed; run `make lab` to set up this machine") from None
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise ProviderError(f"docker {argv[0]} failed: {message[-1] if message else f'rc {result.returncode}'}")
    return result


def network_name(cluster: str) -> str:
    return f"scaleout-{cluster}"


def node_number(name: str) -> int:
    """The N of ``<cluster>-nodeN``, for launch order (0 when the name has none)."""
    match = re.search(r"(\d+)$", name)
    return int(match.group(1)) if match else 0


def node_from_inspect(data: dict, cluster: str) -> NodeInfo:
    """A NodeInfo from one ``docker inspect`` document of a lab container."""
    name = str(data["Name"]).lstrip("/")
    labels = data.get("Config", {}).get("Labels") or {}
    groups = tuple(g for g in GROUPS if g in (labels.get(LABEL_GROUPS) or "").split(","))
    networks = data.get("NetworkSettings", {}).get("Networks") or {}
    address = (networks.get(network_name(cluster)) or {}).get("IPAddress") or ""
    return NodeInfo(
        name=name,
        groups=groups,
        private_ip=address,
        address=name,
        node_id=str(data.get("Id", ""))[:12],
        running=bool(data.get("State", {}).get("Running")),
    )


def baked_image_name(base_id: str) -> str:
    """``scaleout-pydio-baked:<12 hex digits of the base image id>``."""
    return f"{BAKED_REPOSITORY}:{base_id.removeprefix('sha256:')[:12]}"


def image_for(node: Node, base: str, baked: str | None) -> str:
    """A compute node starts from the baked image when the cluster has one; every other node from the base."""
    return baked if baked and "compute" in node.groups else base


def container_run_args(name: str, labels: Sequence[str], options: Sequence[str], image: str) -> list[str]:
    """``docker run`` of one of the lab's systemd containers: its name and host name, labels, options and image."""
    return [
        "run",
        "--detach",
        "--name",
        name,
        "--hostname",
        name,
        *(arg for label in labels for arg in ("--label", label)),
        *options,
        *CONTAINER_SETTINGS,
        image,
        CONTAINER["command"],
    ]


def builder_run_args(builder: str, cluster: str, base: str) -> list[str]:
    """``docker run`` of a bake's builder: the lab's settings, Docker's default network, no cluster label."""
    return container_run_args(builder, [f"{LABEL_BAKE}={cluster}"], [], base)


def render_builder_inventory(builder: str) -> str:
    """The inventory of a bake: the builder alone, reached as the lab's nodes are."""
    return (
        "---\n# Generated by runner.py bake; removed with the builder.\n"
        f"all:\n  vars:\n    ansible_connection: docker\n  hosts:\n    {builder}:\n      ansible_host: {builder}\n"
    )


class LabProvider(Provider):
    """Launch, list and destroy the lab's systemd containers; write the lab inventory and group variables."""

    name = "lab"
    # The lab's docker connection is what the suite runs Mitogen over (benchmarks/README.md).
    strategy = "mitogen"

    def __init__(
        self,
        image: str | Callable[[], str],
        inventory_root: Path,
        port: int | None = None,
        docker: Runner = run_docker,
    ) -> None:
        self._image = image
        self.inventory_root = inventory_root
        # The port asked for with --lab-port (None: none was), and the one a new cluster's lb publishes.
        self.requested_port = port
        self.port = DEFAULT_PORT if port is None else port
        self._docker = docker

    def image(self) -> str:
        if callable(self._image):
            self._image = self._image()
        return self._image

    # --- listing -----------------------------------------------------------
    def list_nodes(self, cluster: str, *, include_stopped: bool = False) -> list[NodeInfo]:
        """The containers of ``cluster`` in launch order; a stopped one is an error unless ``include_stopped``."""
        ids = self._container_ids(cluster)
        if not ids:
            return []
        documents = json.loads(self._docker(["inspect", *ids]).stdout)
        stopped = [d["Name"].lstrip("/") for d in documents if not d.get("State", {}).get("Running")]
        if stopped and not include_stopped:
            raise ProviderError(
                f"lab node(s) {', '.join(sorted(stopped))} of cluster {cluster!r} are not running; "
                f"start them with `docker start {' '.join(sorted(stopped))}`"
            )
        nodes = [node_from_inspect(d, cluster) for d in documents]
        return sorted(nodes, key=lambda node: node_number(node.name))

    def exists(self, cluster: str) -> bool:
        """Whether anything of ``cluster`` is here: a container (even stopped), its network or its inventory folder."""
        if self._container_ids(cluster) or self._network_exists(cluster):
            return True
        return self.inventory_dir(cluster).exists()

    def _container_ids(self, cluster: str) -> list[str]:
        return self._docker(["ps", "-aq", "--filter", f"label={LABEL_CLUSTER}={cluster}"]).stdout.split()

    def _network_exists(self, cluster: str) -> bool:
        network = network_name(cluster)
        return bool(self._docker(["network", "ls", "-q", "--filter", f"name=^{network}$"]).stdout.strip())

    def published_port(self, cluster: str) -> int | None:
        """The loopback port where the lab's load balancer answers, if it has one."""
        ids = self._docker(
            ["ps", "-q", "--filter", f"label={LABEL_CLUSTER}={cluster}", "--filter", f"label={LABEL_PORT}"]
        ).stdout
        if not ids.split():
            return None
        labels = json.loads(self._docker(["inspect", "--format", "{{json .Config.Labels}}", ids.split()[0]]).stdout)
        return int(labels[LABEL_PORT])

    def check_port_free(self) -> None:
        """Before a new cluster's lb is launched: its port must be free on 127.0.0.1.

        Otherwise ``docker run`` of the lb fails after the other nodes have started.
        """
        with socket.socket() as sock:
            # As docker's proxy does, so that a port left in TIME_WAIT counts as free.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", self.port))
            except OSError as exc:
                raise ProviderError(
                    f"port {self.port} of 127.0.0.1 cannot be used on this machine ({exc.strerror}), so the lab "
                    f"cannot publish the load balancer of a new cluster there: pass a free port with --lab-port PORT, "
                    f"or free port {self.port}"
                ) from None

    # --- before a change -----------------------------------------------------
    def check_plan(self, plan: Plan) -> None:
        """``down`` of a cluster that is not here, or a --lab-port other than the cluster's, is bad usage."""
        name = plan.cluster
        if plan.command == "down":
            if not self.exists(name):
                raise PlanError(
                    f"no lab cluster named {name!r}: no container has the label {LABEL_CLUSTER}={name}, and there is "
                    f"no docker network {network_name(name)} and no folder {self.inventory_dir(name)}; check --cluster"
                )
            return  # down removes a cluster whatever its port
        published = self.published_port(name) if self.requested_port is not None else None
        if published is not None and published != self.requested_port:
            raise PlanError(
                f"lab cluster {name!r} publishes its load balancer on port {published}, not {self.requested_port}: a "
                f"cluster keeps the port it was started with; pass --lab-port {published}, or leave --lab-port out"
            )

    def check_launch(self, nodes: Sequence[Node]) -> None:
        """A new lb publishes its port: refuse a busy one before the other nodes start."""
        if any("lb" in node.groups for node in nodes):
            self.check_port_free()

    def check_pydio_source(self, cluster: str, archive: str | None, php_check: bool) -> None:
        """The lab installs Pydio offline, from the archive given now or recorded by an earlier ``up``."""
        folder = self.inventory_dir(cluster)
        if archive:
            lab_vars.record_pydio_source(folder, archive, php_check)
            if archive == lab_vars.STAND_IN:
                print(
                    "note: this lab installs the stand-in of scaleout/providers/stand_in_pydio, NOT Pydio: it honours "
                    "Pydio 8's deployment contract (bootstrap.json, the AjaXplorer session, uploads on the data volume)"
                )
            return
        if lab_vars.pydio_source(folder):
            return
        raise ProviderError(
            "the lab installs Pydio from an archive on this machine and none was given: it does not download "
            f"{lab_vars.PYDIO_ARCHIVE_URL} for you. Download pydio-core-8.2.5.tar.gz, check its checksum and pass "
            "--pydio-archive FILE (make lab PYDIO_ARCHIVE=FILE), or pass --pydio-archive stand-in to run the lab "
            "on the offline stand-in of scaleout/providers/stand_in_pydio, which is not Pydio"
        )

    def prepare(self, cluster: str) -> None:
        """The lab's passwords and public port, made once and kept beside its inventory."""
        folder = self.inventory_dir(cluster)
        lab_vars.ensure_secrets(folder)
        # An existing lab keeps the port its load balancer was started with.
        lab_vars.write_lab_vars(folder, self.published_port(cluster) or self.port)

    def secrets(self, cluster: str) -> list[str]:
        return lab_vars.read_secrets(self.inventory_dir(cluster))

    def public_url(self, cluster: str) -> str:
        port = self.published_port(cluster)
        return f"http://127.0.0.1:{port}/pydio/" if port else ""

    # --- launching ---------------------------------------------------------
    def launch(self, cluster: Cluster, nodes: Sequence[Node]) -> list[NodeInfo]:
        if not nodes:
            return []
        image = self.image()
        # Checked before any container starts: a baked image that is gone or of another base is refused.
        baked = self.baked_image(cluster.name) if any("compute" in node.groups for node in nodes) else None
        if not self._network_exists(cluster.name):
            network = network_name(cluster.name)
            self._docker(["network", "create", "--label", f"{LABEL_CLUSTER}={cluster.name}", network])
        for node in nodes:
            self._docker(self.run_args(cluster.name, node, image_for(node, image, baked)))
        with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
            list(pool.map(self._wait_booted, [node.name for node in nodes]))
        launched = {node.name for node in nodes}
        return [info for info in self.list_nodes(cluster.name) if info.name in launched]

    def run_args(self, cluster: str, node: Node, image: str) -> list[str]:
        """The ``docker run`` arguments of one node."""
        labels = [f"{LABEL_CLUSTER}={cluster}", f"{LABEL_GROUPS}={','.join(node.groups)}"]
        options = ["--network", network_name(cluster)]
        if "lb" in node.groups:
            labels.append(f"{LABEL_PORT}={self.port}")
            options += ["--publish", f"127.0.0.1:{self.port}:80"]
        return container_run_args(node.name, labels, options, image)

    def _wait_booted(self, name: str) -> None:
        """Wait until systemd in ``name`` reports running (it has no bus for the first moments)."""
        deadline = time.monotonic() + BOOT_TIMEOUT
        state = ""
        while time.monotonic() < deadline:
            result = subprocess.run(
                ["docker", "exec", name, "systemctl", "is-system-running", "--wait"],
                capture_output=True,
                text=True,
                check=False,
                timeout=BOOT_TIMEOUT,
            )
            state = result.stdout.strip()
            if state in ("running", "degraded"):
                return
            time.sleep(1)
        raise ProviderError(f"lab node {name} did not finish booting (systemd state {state or 'unknown'!r})")

    # --- baking ----------------------------------------------------------------
    bakes = True

    def baked_file(self, cluster: str) -> Path:
        return self.inventory_dir(cluster) / BAKED_FILE

    def baked_image(self, cluster: str) -> str | None:
        """The image `bake` recorded for ``cluster``'s compute nodes; None when none was.

        A recorded image that is gone, or that was made from another base image than the lab's now, is refused
        (ProviderError), so that no node starts from it."""
        path = self.baked_file(cluster)
        if not path.is_file():
            return None
        image = path.read_text(encoding="utf-8").strip()
        made_from = self._baked_from(image)
        base_id = self._image_id(self.image())
        if made_from is None or made_from != base_id:
            why = "is gone" if made_from is None else f"was made from another base image than {self.image()}"
            raise ProviderError(
                f"the image {image} that `bake` recorded for cluster {cluster!r} {why}; run `runner.py --cluster "
                f"{cluster} bake` again (or remove {path} to launch unbaked nodes); nothing was changed"
            )
        return image

    def _image_id(self, image: str) -> str:
        return self._docker(["image", "inspect", "--format", "{{.Id}}", image]).stdout.strip()

    def _baked_from(self, image: str) -> str | None:
        """The base image id a baked image was made from; None when there is no such image."""
        try:
            labels = self._docker(["image", "inspect", "--format", "{{json .Config.Labels}}", image]).stdout
        except ProviderError:
            return None
        return (json.loads(labels) or {}).get(LABEL_BAKED_FROM)

    def bake(self, cluster: str, install: Callable[[Path], bool], *, rebuild: bool = False) -> str:
        """Run bake.yml on a builder container of the base image, commit it, record the image for ``cluster``.

        The image is ``scaleout-pydio-baked:<base image id>``: one per base image, shared by the clusters. It is
        reused when it exists, unless ``rebuild``. The builder is removed whatever happens."""
        base = self.image()
        base_id = self._image_id(base)
        image = baked_image_name(base_id)
        made_from = self._baked_from(image)
        if rebuild or made_from != base_id:
            builder = builder_name(cluster)
            print(f"    baking {image} from {base} on the builder container {builder}", flush=True)
            self._remove_builder(builder)
            folder = self.inventory_dir(cluster) / "bake"
            try:
                self._docker(builder_run_args(builder, cluster, base))
                self._wait_booted(builder)
                folder.mkdir(parents=True, exist_ok=True)
                inventory = folder / "hosts.yml"
                inventory.write_text(render_builder_inventory(builder), encoding="utf-8")
                if not install(inventory):
                    raise ProviderError(
                        f"playbooks/bake.yml failed on the builder {builder}: no image was made and the cluster's "
                        "record is unchanged"
                    )
                # Stopped first, so that the image holds no running service's state.
                self._docker(["stop", builder])
                previous = self._image_id(image) if made_from is not None else ""
                self._docker(["commit", "--change", f"LABEL {LABEL_BAKED_FROM}={base_id}", builder, image])
                if previous:
                    # The image that --rebuild replaced, unless a container still uses it.
                    with contextlib.suppress(ProviderError):
                        self._docker(["rmi", previous])
            finally:
                self._remove_builder(builder)
                shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"    {image} is already baked from {base}: reused (bake --rebuild makes it again)", flush=True)
        path = self.baked_file(cluster)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(image + "\n", encoding="utf-8")
        return image

    def _remove_builder(self, builder: str) -> None:
        """Remove the builder container of a bake, left behind or finished (only ours: found by label and name)."""
        found = self._docker(["ps", "-aq", "--filter", f"name=^{builder}$", "--filter", f"label={LABEL_BAKE}"]).stdout
        if found.split():
            self._docker(["rm", "--force", "--volumes", *found.split()])

    # --- inventory ---------------------------------------------------------
    def inventory_dir(self, cluster: str) -> Path:
        return self.inventory_root / cluster

    def inventory(self, cluster: str, *, include_stopped: bool = False) -> Path:
        nodes = self.list_nodes(cluster, include_stopped=include_stopped)
        path = self.inventory_dir(cluster) / "hosts.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        # A stopped container has no address: it keeps the one the inventory last recorded.
        recorded = recorded_private_ips(path.read_text(encoding="utf-8")) if path.is_file() else {}
        ips = {n.name: n.private_ip or recorded.get(n.name, "") for n in nodes}
        model = Cluster(cluster, tuple(Node(n.name, n.groups) for n in nodes))
        path.write_text(render_lab_inventory(model, ips), encoding="utf-8")
        return path

    # --- load balancer -------------------------------------------------------
    def register(self, cluster: str, hosts: Sequence[str]) -> None:
        """HAProxy learns its backends from the compute group when the playbook re-renders it."""

    def deregister(self, cluster: str, hosts: Sequence[str]) -> None:
        """HAProxy drains the hosts in playbooks/scale_in.yml, before their web server stops."""

    # --- destroying ----------------------------------------------------------
    def destroy(self, cluster: str, hosts: Sequence[str]) -> None:
        if hosts:
            self._docker(["rm", "--force", "--volumes", *hosts])
        if not self._container_ids(cluster):
            if self._network_exists(cluster):
                self._docker(["network", "rm", network_name(cluster)])
            # The cluster is gone: so are its inventory, passwords and archive copy.
            shutil.rmtree(self.inventory_dir(cluster), ignore_errors=True)
