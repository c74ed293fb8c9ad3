"""The AWS provider: EC2 instances tagged by cluster and role, an ALB target group in front.

Nodes are launched with boto3 from a launch template or from an AMI and its
settings, tagged ``pydio:cluster``, ``pydio:roles`` and ``Name``, and read back
through the ``scaleout.pydio.ec2`` inventory plugin, so the provider sees the
cluster exactly as Ansible does. Every refusal is a :class:`ProviderError`
raised before any change, and no error text carries a credential.

The configuration (a small YAML file, described in docs/aws.md) is read and
checked by :mod:`scaleout.providers.aws_config`; the launch requests and the SSH
wait are built by :mod:`scaleout.providers.aws_launch`.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import botocore.session
import yaml

from scaleout.model import GROUPS, Cluster, Node, PlanError
from scaleout.paths import REPO_ROOT
from scaleout.plan import check_cluster_name
from scaleout.providers.aws_bake import (
    BAKED_AMI_FILE,
    builder_params,
    image_params,
    newest_image,
    render_builder_inventory,
)
from scaleout.providers.aws_config import (
    BAKE_TAG,
    BAKED_FROM_TAG,
    BRICK_DEVICE_TAG,
    CLUSTER_TAG,
    LEAVING_TAG,
    NAME_TAG,
    AwsConfig,
    LaunchTemplate,
    load_config,
)
from scaleout.providers.aws_launch import data_volume, natural_key, pick_address, run_instances_params, wait_for_ssh
from scaleout.providers.base import NodeInfo, Provider, ProviderError, builder_name

DEFAULT_INVENTORY_ROOT = REPO_ROOT / "inventory" / "aws"
DEFAULT_COLLECTIONS_PATH = REPO_ROOT / ".collections"

INVENTORY_PLUGIN = "scaleout.pydio.ec2"
# The generated inventory file, in <inventory_root>/<cluster>/ (the plugin wants the ec2.yml ending).
INVENTORY_FILE = "ec2.yml"
# Instance states, for looking hosts up by name.
LIVE_STATES = ("pending", "running", "stopping", "stopped")

_MASK = "********"
# Variables Ansible itself sets on every host of a parsed inventory source.
_ANSIBLE_MAGIC_VARS = ("inventory_file", "inventory_dir")

NO_CREDENTIALS = (
    "No AWS credentials were found; nothing was changed. Set AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary credentials), or AWS_PROFILE, "
    "in the environment; or set `profile` in the AWS provider configuration to a profile of "
    "the shared files (~/.aws/credentials and ~/.aws/config, or the files named by "
    "AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE); or run on a host with an instance role."
)


def aws_said(exc: botocore.exceptions.ClientError) -> str:
    error = exc.response.get("Error") or {}
    code, message = error.get("Code", ""), error.get("Message", "")
    if code and message:
        return f"AWS said: {code}: {message}"
    return f"AWS said: {code or message or 'no error code'}"


_DATA_LOADER: Any = None


def _botocore_session() -> botocore.session.Session:
    """A new botocore session that shares, with the others of this process, the parsed service models.

    Parsing the EC2 model costs most of a second; credentials and settings stay per session.
    """
    global _DATA_LOADER  # one loader (and its cache of parsed models) per process
    session = botocore.session.get_session()
    if _DATA_LOADER is None:
        _DATA_LOADER = session.get_component("data_loader")
    else:
        session.register_component("data_loader", _DATA_LOADER)
    return session


def _stderr_progress(line: str) -> None:
    # Progress of long waits; stderr, so that stdout stays the --json document's.
    print(line, file=sys.stderr, flush=True)


def _stderr_warning(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------
# The provider
# ---------------------------------------------------------------------------


class AwsProvider(Provider):
    """EC2 nodes tagged ``pydio:cluster``/``pydio:roles``/``Name``, an ALB target group in front."""

    name = "aws"
    # The Application Load Balancer is the load balancer: no lb instance is launched.
    lb_node = False

    def __init__(
        self,
        config: AwsConfig,
        inventory_root: Path | None = None,
        *,
        collections_path: Path | None = None,
        warn: Callable[[str], None] = _stderr_warning,
        progress: Callable[[str], None] = _stderr_progress,
    ) -> None:
        self.config = config
        self.inventory_root = Path(inventory_root) if inventory_root is not None else DEFAULT_INVENTORY_ROOT
        self.collections_path = Path(collections_path) if collections_path is not None else DEFAULT_COLLECTIONS_PATH
        self._warn = warn
        self._progress = progress
        self._session: Any = None
        self._secrets: list[str] = []
        self._clients: dict[str, Any] = {}
        self._target_group_arns: dict[str, str] = {}

    @classmethod
    def from_file(cls, path: Path, inventory_root: Path | None = None, **kwargs: Any) -> AwsProvider:
        """A provider configured by the YAML file at ``path`` (see docs/aws.md)."""
        return cls(load_config(path), inventory_root, **kwargs)

    # ------------------------------------------------------------ checks

    def check(self, cluster: str | None = None) -> None:
        """Read-only preflight of a launch: credentials, and the launch template (and its version) exist.

        With ``cluster``, also that the cluster's target group exists. ``launch`` does not ask for
        that: on a first ``up``, the elb role creates the target group after the nodes are launched.
        """
        self._require_credentials()
        if self.config.launch_template is not None:
            self._check_launch_template(self.config.launch_template)
        if cluster is not None:
            self._target_group(self._cluster_name(cluster))

    def _require_credentials(self) -> None:
        """Find credentials the way boto3 does (nothing is sent); remember their secret parts, to mask them."""
        given = [name for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") if os.environ.get(name)]
        if self.config.profile and given:
            raise ProviderError(
                f"the settings name the AWS profile {self.config.profile!r} and the environment sets "
                f"{' and '.join(given)}: the playbooks' AWS modules refuse a profile with access keys. "
                "Unset one of the two; nothing was changed"
            )
        session = self._get_session()
        try:
            credentials = session.get_credentials()
            frozen = credentials.get_frozen_credentials() if credentials is not None else None
        except (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError):
            raise ProviderError(NO_CREDENTIALS) from None
        except botocore.exceptions.ProfileNotFound:
            raise self._profile_not_found() from None
        except botocore.exceptions.BotoCoreError as exc:
            raise self._error(f"could not load the AWS credentials: {exc}") from None
        if frozen is None or not frozen.access_key or not frozen.secret_key:
            raise ProviderError(NO_CREDENTIALS)
        self._secrets = [value for value in (frozen.secret_key, frozen.token) if value]

    def _get_session(self) -> Any:
        if self._session is None:
            try:
                self._session = boto3.session.Session(
                    botocore_session=_botocore_session(),
                    profile_name=self.config.profile,
                    region_name=self.config.region,
                )
            except botocore.exceptions.ProfileNotFound:
                raise self._profile_not_found() from None
        return self._session

    def _profile_not_found(self) -> ProviderError:
        return ProviderError(
            f"AWS profile {self.config.profile!r} was not found in the shared AWS config and credentials files "
            "(~/.aws/config and ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE); "
            "nothing was changed"
        )

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            config = botocore.config.Config(
                retries={"mode": "standard", "max_attempts": 5},
                connect_timeout=10,
                read_timeout=60,
                user_agent_extra="scaleout.pydio-aws-provider",
            )
            self._clients[service] = self._get_session().client(
                service, region_name=self.config.region, endpoint_url=self.config.endpoint_url, config=config
            )
        return self._clients[service]

    def _check_launch_template(self, template: LaunchTemplate) -> None:
        ec2 = self._client("ec2")
        key = {"LaunchTemplateNames": [template.name]} if template.name else {"LaunchTemplateIds": [template.id]}
        with self._aws(f"looking up {template.label()}", missing=template.label()):
            found = ec2.describe_launch_templates(**key).get("LaunchTemplates", [])
        if not found:
            raise self._error(f"{template.label()} does not exist in {self.config.region}; nothing was changed")
        if template.version:
            with self._aws(f"looking up {template.label()}", missing=template.label()):
                ec2.describe_launch_template_versions(
                    LaunchTemplateId=found[0]["LaunchTemplateId"], Versions=[template.version]
                )

    def playbook_vars(self, cluster: str) -> dict[str, Any]:
        """The load balancer (the ALB), the cluster's name, the AWS connection and the SSH login, from the settings.

        The target group's name is passed too, so that the role registers nodes exactly where the
        provider registers and deregisters them.
        """
        cluster = self._cluster_name(cluster)
        variables: dict[str, Any] = {
            "elb_backend": "aws",
            "elb_cluster_name": cluster,
            "elb_target_group_name": self.target_group_name(cluster),
            "elb_aws_region": self.config.region,
            "elb_aws_endpoint_url": self.config.endpoint_url or "",
            "elb_aws_profile": self.config.profile or "",
        }
        # How Ansible logs in to the nodes, when the settings say it.
        if self.config.ssh_user:
            variables["ansible_user"] = self.config.ssh_user
        if self.config.ssh_private_key_file:
            variables["ansible_ssh_private_key_file"] = self.config.ssh_private_key_file
        if self.config.ssh_port != 22:
            variables["ansible_port"] = self.config.ssh_port
        return variables

    def target_group_name(self, cluster: str) -> str:
        """The name of ``cluster``'s own target group, as the elb role names it (``pydio-<cluster>-web``)."""
        self._load_collection()
        from ansible_collections.scaleout.pydio.plugins.module_utils.aws_names import resource_name

        return resource_name(self._cluster_name(cluster), "web")

    def _target_group(self, cluster: str) -> str:
        """The ARN of ``cluster``'s target group, checked to exist and to take instances."""
        if cluster in self._target_group_arns:
            return self._target_group_arns[cluster]
        name = self.target_group_name(cluster)
        label = f"target group {name!r} of cluster {cluster!r}"
        with self._aws(f"looking up {label}", missing=label):
            groups = self._client("elbv2").describe_target_groups(Names=[name]).get("TargetGroups", [])
        if not groups:
            raise self._error(f"{label} does not exist in {self.config.region}; nothing was changed")
        group = groups[0]
        if group.get("TargetType", "instance") != "instance":
            raise self._error(
                f"{label} registers targets by {group.get('TargetType')}, not by instance; "
                "the provider registers EC2 instances"
            )
        self._target_group_arns[cluster] = str(group["TargetGroupArn"])
        return self._target_group_arns[cluster]

    # ------------------------------------------------------------ errors

    def _error(self, message: str) -> ProviderError:
        for secret in self._secrets:
            message = message.replace(secret, _MASK)
        return ProviderError(message)

    @contextmanager
    def _aws(self, action: str, *, missing: str | None = None) -> Iterator[None]:
        """Turn botocore's exceptions into ProviderErrors that say what failed and what AWS said."""
        try:
            yield
        except (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError):
            raise ProviderError(NO_CREDENTIALS) from None
        except botocore.exceptions.ClientError as exc:
            code = str((exc.response.get("Error") or {}).get("Code", ""))
            if missing and ("NotFound" in code or "Malformed" in code):
                raise self._error(
                    f"{missing} does not exist in {self.config.region}; nothing was changed. {aws_said(exc)}"
                ) from None
            raise self._error(f"{action} failed. {aws_said(exc)}") from None
        except botocore.exceptions.WaiterError as exc:
            limits = f"polled every {self.config.poll_interval} s for up to {self.config.wait_timeout} s"
            raise self._error(f"{action} failed ({limits}): {exc}") from None
        except botocore.exceptions.BotoCoreError as exc:
            raise self._error(f"{action} failed: {exc}") from None

    # ------------------------------------------------------------ inventory

    def inventory_config(self, cluster: str) -> dict[str, Any]:
        """The scaleout.pydio.ec2 inventory configuration for ``cluster`` (no credentials in it)."""
        config: dict[str, Any] = {
            "plugin": INVENTORY_PLUGIN,
            "cluster": cluster,
            "regions": [self.config.region],
            "hostname_source": "name_tag",
            "ansible_host_source": self.config.ansible_host_source,
            "brick_device_tag": BRICK_DEVICE_TAG,
        }
        if self.config.endpoint_url:
            config["endpoint_url"] = self.config.endpoint_url
        if self.config.profile:
            config["aws_profile"] = self.config.profile
        return config

    def inventory_dir(self, cluster: str) -> Path:
        """``<inventory_root>/<cluster>/``: the generated ec2.yml, beside the operator's own group_vars/."""
        return self.inventory_root / self._cluster_name(cluster)

    def inventory(self, cluster: str, *, include_stopped: bool = False) -> Path:
        """Write ``<inventory_root>/<cluster>/ec2.yml`` for Ansible; return its path.

        Ansible reads the cluster's own variables from ``group_vars/`` beside it, which the provider never
        writes. The inventory plugin lists running and pending instances only, whatever ``include_stopped``."""
        cluster = self._cluster_name(cluster)
        return self._write_inventory(self.inventory_dir(cluster), cluster)

    def _write_inventory(self, directory: Path, cluster: str) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / INVENTORY_FILE
        header = (
            "---\n"
            f"# Written by the scaleout.pydio AWS provider for cluster {cluster}; it is rewritten on every run.\n"
            "# ansible-playbook site.yml -i <this file>\n"
        )
        path.write_text(header + yaml.safe_dump(self.inventory_config(cluster), sort_keys=False), encoding="utf-8")
        return path

    def list_nodes(self, cluster: str, *, include_stopped: bool = False) -> list[NodeInfo]:
        """Every running or pending node of ``cluster``, read through the scaleout.pydio.ec2 inventory plugin.

        Stopped instances are not listed, whatever ``include_stopped``."""
        cluster = self._cluster_name(cluster)
        self._require_credentials()
        plugin = self._inventory_plugin()
        from ansible.errors import AnsibleError
        from ansible.inventory.data import InventoryData
        from ansible.parsing.dataloader import DataLoader

        data = InventoryData()
        with tempfile.TemporaryDirectory(prefix="pydio-aws-inventory-") as scratch:
            path = self._write_inventory(Path(scratch), cluster)
            try:
                plugin.parse(data, DataLoader(), str(path), cache=False)
            except AnsibleError as exc:
                message = str(getattr(exc, "message", "") or exc)
                raise self._error(
                    f"listing the nodes of cluster {cluster!r} through {INVENTORY_PLUGIN} failed: {message}"
                ) from None
        nodes = [_node_from_host(host) for host in data.hosts.values()]
        return sorted(nodes, key=lambda node: natural_key(node.name))

    def _load_collection(self) -> None:
        """Let this process import scaleout.pydio's plugins, through Ansible's loader, from the checkout."""
        from ansible.plugins.loader import init_plugin_loader
        from ansible.utils.collection_loader import AnsibleCollectionConfig

        if AnsibleCollectionConfig.collection_finder is None:
            init_plugin_loader([str(self.collections_path)])

    def _inventory_plugin(self) -> Any:
        """The scaleout.pydio.ec2 plugin, loaded by Ansible's plugin loader from the checkout."""
        from ansible.plugins.loader import inventory_loader

        self._load_collection()
        plugin = inventory_loader.get(INVENTORY_PLUGIN)
        if plugin is None:
            raise ProviderError(
                f"Ansible cannot load the {INVENTORY_PLUGIN} inventory plugin; the collection must be reachable "
                "through ANSIBLE_COLLECTIONS_PATH (the checkout's .collections folder)"
            )
        return plugin

    # ------------------------------------------------------------ launch

    def launch(self, cluster: Cluster, nodes: Sequence[Node]) -> list[NodeInfo]:
        """Run one instance per node, wait until they run and answer on the SSH port."""
        if not nodes:
            return []
        name = self._cluster_name(cluster.name)
        self.check()
        # Checked before any instance starts: a baked AMI that is gone or of another image is refused.
        baked = self.baked_image(name) if any("compute" in node.groups for node in nodes) else None
        self._refuse_existing(name, nodes)
        ids = self._run_instances(name, nodes, baked)
        try:
            described = self._wait_running(nodes, ids)
        except ProviderError as exc:
            raise self._error(f"{exc} {_launched_so_far(name, nodes, ids)}") from None
        by_id = {instance["InstanceId"]: instance for instance in described}
        infos = [self._node_info(node, by_id[iid]) for node, iid in zip(nodes, ids, strict=True)]
        self.wait_until_reachable(infos)
        return infos

    def _refuse_existing(self, cluster: str, nodes: Sequence[Node]) -> None:
        names = [node.name for node in nodes]
        if len(set(names)) != len(names):
            raise ProviderError(f"launch: node names repeat: {', '.join(names)}; nothing was changed")
        found = self._instances_by_name(cluster, names, LIVE_STATES)
        if found:
            listed = ", ".join(f"{n} ({', '.join(i['InstanceId'] for i in found[n])})" for n in sorted(found))
            raise ProviderError(
                f"cluster {cluster!r} already has instances named {listed}; nothing was changed. "
                "Remove them (down or scale-in) or choose other names."
            )

    def _run_instances(self, cluster: str, nodes: Sequence[Node], baked: str | None = None) -> list[str]:
        """Run one instance per node; compute nodes from ``baked`` when there is one (the AMI of ``bake``)."""
        ec2 = self._client("ec2")
        ids: list[str] = []
        for node in nodes:
            params = run_instances_params(self.config, cluster, node)
            if baked and "compute" in node.groups:
                params["ImageId"] = baked  # wins over a launch template's image
            try:
                with self._aws(f"launching {node.name}"):
                    response = ec2.run_instances(**params)
            except ProviderError as exc:
                raise self._error(f"{exc} {_launched_so_far(cluster, nodes, ids)}") from None
            ids.append(response["Instances"][0]["InstanceId"])
        return ids

    def _wait_running(self, nodes: Sequence[Node], ids: list[str]) -> list[dict[str, Any]]:
        """Wait until the instances run; return them as described once running (with their addresses)."""
        with self._aws(f"waiting for {', '.join(n.name for n in nodes)} to run"):
            self._client("ec2").get_waiter("instance_running").wait(InstanceIds=ids, WaiterConfig=self._waiter_config())
        with self._aws("describing the new instances"):
            return self._describe(InstanceIds=ids)

    def _node_info(self, node: Node, instance: Mapping[str, Any]) -> NodeInfo:
        private_ip = instance.get("PrivateIpAddress") or ""
        hostvars: dict[str, Any] = {"instance_id": instance["InstanceId"]}
        zone = (instance.get("Placement") or {}).get("AvailabilityZone")
        if zone:
            hostvars["availability_zone"] = zone
        volume = data_volume(self.config, node)
        if volume is not None:
            hostvars["gluster_brick_device"] = volume.os_device
        return NodeInfo(
            name=node.name,
            groups=tuple(node.groups),
            private_ip=private_ip,
            address=pick_address(instance, self.config.ansible_host_source) or "",
            node_id=instance["InstanceId"],
            hostvars=hostvars,
        )

    def wait_until_reachable(self, nodes: Sequence[NodeInfo], *, interval: float = 2.0) -> None:
        """Wait up to ``ssh_wait_timeout`` seconds for every node's SSH port (0: do not wait)."""
        timeout = self.config.ssh_wait_timeout
        if timeout <= 0 or not nodes:
            return
        no_address = [node.name for node in nodes if not node.address]
        if no_address:
            raise ProviderError(f"no {self.config.ansible_host_source} address for {', '.join(no_address)}")
        targets = {node.name: node.address for node in nodes}
        unreachable = wait_for_ssh(targets, self.config.ssh_port, timeout, interval=interval, progress=self._progress)
        if unreachable:
            listed = ", ".join(f"{name} ({address}:{self.config.ssh_port})" for name, address in unreachable.items())
            raise ProviderError(
                f"SSH did not answer within {timeout:g} s on {listed}. The instances are running; check the "
                "security group allows the controller on the SSH port, the route to the "
                f"{self.config.ansible_host_source} address, or raise ssh_wait_timeout."
            )

    # ------------------------------------------------------------ bake

    bakes = True

    def baked_file(self, cluster: str) -> Path:
        return self.inventory_dir(cluster) / BAKED_AMI_FILE

    def source_image(self) -> str:
        """The AMI new nodes start from: ``ami``, or the image of the launch template's version."""
        template = self.config.launch_template
        if template is None:
            return str(self.config.ami)
        key = {"LaunchTemplateName": template.name} if template.name else {"LaunchTemplateId": str(template.id)}
        with self._aws(f"looking up {template.label()}", missing=template.label()):
            versions = self._client("ec2").describe_launch_template_versions(
                **key, Versions=[template.version or "$Default"]
            )["LaunchTemplateVersions"]
        image = (versions[0].get("LaunchTemplateData") or {}).get("ImageId") if versions else None
        if not image:
            raise ProviderError(
                f"{template.label()} names no image (ImageId), so there is no image to bake from; nothing was changed"
            )
        return str(image)

    def baked_image(self, cluster: str) -> str | None:
        """The AMI `bake` recorded for ``cluster``'s compute nodes; None when none was.

        One that is gone (deregistered), not available, or made from another image than new nodes start from
        now is refused (ProviderError), so that no node starts from it."""
        path = self.baked_file(cluster)
        if not path.is_file():
            return None
        image = path.read_text(encoding="utf-8").strip()
        with self._aws(f"looking up the baked image {image}"):
            try:
                found = self._client("ec2").describe_images(ImageIds=[image]).get("Images", [])
            except botocore.exceptions.ClientError as exc:
                if "NotFound" not in exc.response.get("Error", {}).get("Code", ""):
                    raise
                found = []
        source = self.source_image()
        why = ""
        if not found:
            why = "is gone"
        elif found[0].get("State") != "available":
            why = f"is {found[0].get('State')}, not available"
        elif {tag["Key"]: tag.get("Value") for tag in found[0].get("Tags", [])}.get(BAKED_FROM_TAG) != source:
            why = f"was made from another image than {source}, which new nodes start from"
        if why:
            raise ProviderError(
                f"the image {image} that `bake` recorded for cluster {cluster!r} {why}; run `runner.py --provider aws "
                f"--cluster {cluster} bake` again (or remove {path} to launch unbaked nodes); nothing was changed"
            )
        return image

    def bake(self, cluster: str, install: Callable[[Path], bool], *, rebuild: bool = False) -> str:
        """Find, or make, an AMI of the source image with the web nodes' packages; record it for ``cluster``.

        Making one: launch a builder instance (tagged pydio:bake, not pydio:cluster), run bake.yml on it with
        ``install``, CreateImage, wait until the AMI is available, and terminate the builder whatever happens."""
        cluster = self._cluster_name(cluster)
        self.check()
        source = self.source_image()
        image = None
        if not rebuild:
            filters = [
                {"Name": f"tag:{BAKED_FROM_TAG}", "Values": [source]},
                {"Name": "state", "Values": ["available"]},
            ]
            with self._aws("looking for an image baked earlier"):
                image = newest_image(self._client("ec2").describe_images(Owners=["self"], Filters=filters)["Images"])
            if image:
                self._progress(f"    {image} is already baked from {source}: reused (bake --rebuild makes it again)")
        if image is None:
            image = self._make_image(cluster, source, install)
        path = self.baked_file(cluster)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(image + "\n", encoding="utf-8")
        return image

    def _make_image(self, cluster: str, source: str, install: Callable[[Path], bool]) -> str:
        ec2 = self._client("ec2")
        name = builder_name(cluster)
        self._terminate_builders(cluster)  # one left by an interrupted bake
        self._progress(f"    baking an image from {source} on the builder instance {name}")
        with self._aws(f"launching the builder {name}"):
            instance_id = ec2.run_instances(**builder_params(self.config, cluster))["Instances"][0]["InstanceId"]
        folder = self.inventory_dir(cluster) / "bake"
        try:
            (described,) = self._wait_running([Node(name, ("compute",))], [instance_id])
            address = pick_address(described, self.config.ansible_host_source) or ""
            self.wait_until_reachable([NodeInfo(name, ("compute",), described.get("PrivateIpAddress") or "", address)])
            folder.mkdir(parents=True, exist_ok=True)
            inventory = folder / "hosts.yml"
            inventory.write_text(render_builder_inventory(name, address), encoding="utf-8")
            if not install(inventory):
                raise ProviderError(
                    f"playbooks/bake.yml failed on the builder {name}: no image was made and the cluster's record "
                    "is unchanged"
                )
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            with self._aws(f"making an image of {name}"):
                image = ec2.create_image(**image_params(self.config, cluster, instance_id, source, stamp))["ImageId"]
            self._progress(f"    waiting for the image {image} to be available")
            with self._aws(f"waiting for the image {image}"):
                ec2.get_waiter("image_available").wait(ImageIds=[image], WaiterConfig=self._waiter_config())
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            self._terminate_builders(cluster)
        return str(image)

    def _terminate_builders(self, cluster: str) -> None:
        """Terminate the builder instances of ``cluster``'s bakes, and wait until they are gone."""
        filters = [
            {"Name": f"tag:{BAKE_TAG}", "Values": [cluster]},
            {"Name": "instance-state-name", "Values": list(LIVE_STATES)},
        ]
        with self._aws(f"looking up the builder of cluster {cluster!r}"):
            ids = [instance["InstanceId"] for instance in self._describe(Filters=filters)]
        if not ids:
            return
        ec2 = self._client("ec2")
        with self._aws(f"terminating the builder {', '.join(ids)}"):
            ec2.terminate_instances(InstanceIds=ids)
        with self._aws(f"waiting for the builder {', '.join(ids)} to terminate"):
            ec2.get_waiter("instance_terminated").wait(InstanceIds=ids, WaiterConfig=self._waiter_config())

    # ------------------------------------------------------------ load balancer

    def register(self, cluster: str, hosts: Sequence[str]) -> None:
        """Register the hosts' instances with the configured target group."""
        if not hosts:
            return
        cluster = self._cluster_name(cluster)
        self._require_credentials()
        arn = self._target_group(cluster)
        ids = self._require_ids(cluster, hosts, ("running",), "register")
        with self._aws(f"registering {', '.join(hosts)} with target group {self.target_group_name(cluster)!r}"):
            self._client("elbv2").register_targets(TargetGroupArn=arn, Targets=_targets(ids))

    def deregister(self, cluster: str, hosts: Sequence[str]) -> None:
        """Deregister the hosts' instances and wait until the target group has drained them."""
        if not hosts:
            return
        cluster = self._cluster_name(cluster)
        self._require_credentials()
        arn = self._target_group(cluster)
        ids = self._require_ids(cluster, hosts, LIVE_STATES, "deregister")
        with self._aws(f"marking {', '.join(hosts)} as leaving"):
            self._client("ec2").create_tags(Resources=ids, Tags=[{"Key": LEAVING_TAG, "Value": "true"}])
        self._drain(cluster, arn, ids, ", ".join(hosts))

    def unjoined(self, cluster: str) -> list[str]:
        """Running compute nodes whose instance is not a target of the cluster's target group.

        Empty while the target group does not exist yet: the first ``up`` has not made it.
        """
        cluster = self._cluster_name(cluster)
        compute = [node for node in self.list_nodes(cluster) if "compute" in node.groups and node.node_id]
        if not compute:
            return []
        try:
            arn = self._target_group(cluster)
        except ProviderError:
            return []
        registered = {iid for iid, state in self._target_states(cluster, arn).items() if state != "draining"}
        candidates = [node.name for node in compute if node.node_id not in registered]
        if not candidates:
            return []
        found = self._instances_by_name(cluster, candidates, ("running",))
        leaving = {
            name
            for name, instances in found.items()
            if any(tag["Key"] == LEAVING_TAG for instance in instances for tag in instance.get("Tags", []))
        }
        return [name for name in candidates if name not in leaving]

    def _target_states(self, cluster: str, arn: str) -> dict[str, str]:
        """Each target of the cluster's target group (``arn``) by instance id, with its state (healthy, draining...)."""
        with self._aws(f"reading the targets of target group {self.target_group_name(cluster)!r}"):
            health = self._client("elbv2").describe_target_health(TargetGroupArn=arn)
        return {
            d["Target"]["Id"]: str((d.get("TargetHealth") or {}).get("State", ""))
            for d in health.get("TargetHealthDescriptions", [])
        }

    def _drain(self, cluster: str, arn: str, ids: Sequence[str], label: str) -> None:
        elbv2 = self._client("elbv2")
        group = f"target group {self.target_group_name(cluster)!r}"
        with self._aws(f"deregistering {label} from {group}"):
            elbv2.deregister_targets(TargetGroupArn=arn, Targets=_targets(ids))
        with self._aws(f"draining {label} from {group}"):
            elbv2.get_waiter("target_deregistered").wait(
                TargetGroupArn=arn, Targets=_targets(ids), WaiterConfig=self._waiter_config()
            )

    # ------------------------------------------------------------ destroy

    def destroy(self, cluster: str, hosts: Sequence[str]) -> None:
        """Terminate the hosts' instances (draining any still registered) and wait until they are gone.

        Hosts without an instance are already gone: they are reported, not an error.
        """
        if not hosts:
            return
        cluster = self._cluster_name(cluster)
        hosts = list(dict.fromkeys(hosts))
        self._require_credentials()
        found = self._instances_by_name(cluster, hosts, LIVE_STATES)
        self._check_unique(found)
        gone = [host for host in hosts if host not in found]
        if gone:
            self._warn(f"cluster {cluster!r}: no instance left for {', '.join(gone)}; nothing to remove there")
        ids = [found[host][0]["InstanceId"] for host in hosts if host in found]
        if not ids:
            return
        self._drain_registered(cluster, ids)
        ec2 = self._client("ec2")
        with self._aws(f"terminating {', '.join(h for h in hosts if h in found)}"):
            ec2.terminate_instances(InstanceIds=ids)
        with self._aws(f"waiting for {', '.join(h for h in hosts if h in found)} to terminate"):
            ec2.get_waiter("instance_terminated").wait(InstanceIds=ids, WaiterConfig=self._waiter_config())

    def _drain_registered(self, cluster: str, ids: Sequence[str]) -> None:
        """Before terminating, take out of the cluster's target group whichever of ``ids`` is still in it."""
        try:
            arn = self._target_group(cluster)
        except ProviderError as exc:
            # Said while instances are being terminated: the lookup's own "nothing was changed" would mislead.
            reason = str(exc).replace("; nothing was changed", "")
            self._warn(f"no draining from the load balancer before terminating: {reason}")
            return
        registered = self._target_states(cluster, arn)
        still = [iid for iid in ids if iid in registered]
        if still:
            self._drain(cluster, arn, still, ", ".join(still))

    # ------------------------------------------------------------ teardown

    def teardown(self, cluster: str) -> list[str]:
        """Remove the cluster's load balancer (its listeners go with it), target group and security groups.

        Only resources tagged ``pydio:cluster=<cluster>`` are touched; another cluster's, or an untagged one of
        the same name, is never. Run after every node is gone; safe to run again. Also removes the cluster's
        generated inventory file (not the operator's group_vars beside it).
        """
        cluster = self._cluster_name(cluster)
        self._require_credentials()
        removed: list[str] = []
        elbv2 = self._client("elbv2")
        for arn, name in self._tagged_elbv2(cluster, "describe_load_balancers", "LoadBalancers", "LoadBalancer"):
            with self._aws(f"deleting load balancer {name!r}"):
                elbv2.delete_load_balancer(LoadBalancerArn=arn)
            with self._aws(f"waiting for load balancer {name!r} to be deleted"):
                elbv2.get_waiter("load_balancers_deleted").wait(
                    LoadBalancerArns=[arn], WaiterConfig=self._waiter_config()
                )
            removed.append(f"load balancer {name} and its listeners")
        for arn, name in self._tagged_elbv2(cluster, "describe_target_groups", "TargetGroups", "TargetGroup"):
            with self._aws(f"deleting target group {name!r}"):
                elbv2.delete_target_group(TargetGroupArn=arn)
            removed.append(f"target group {name}")
        removed += self._delete_security_groups(cluster)
        path = self.inventory_dir(cluster) / INVENTORY_FILE
        if path.exists():
            path.unlink()
            removed.append(f"inventory file {cluster}/{path.name}")
        return removed

    def _tagged_elbv2(self, cluster: str, call: str, key: str, prefix: str) -> list[tuple[str, str]]:
        """(ARN, name) of the load balancers or target groups tagged pydio:cluster=<cluster>."""
        elbv2 = self._client("elbv2")
        with self._aws(f"listing the {key} of cluster {cluster!r}"):
            found = [item for page in elbv2.get_paginator(call).paginate() for item in page.get(key, [])]
            by_arn = {item[f"{prefix}Arn"]: item[f"{prefix}Name"] for item in found}
            arns = list(by_arn)
            tagged: list[tuple[str, str]] = []
            for start in range(0, len(arns), 20):  # DescribeTags takes 20 ARNs at a time
                for description in elbv2.describe_tags(ResourceArns=arns[start : start + 20])["TagDescriptions"]:
                    tags = {tag["Key"]: tag.get("Value", "") for tag in description.get("Tags", [])}
                    if tags.get(CLUSTER_TAG) == cluster:
                        tagged.append((description["ResourceArn"], by_arn[description["ResourceArn"]]))
        return tagged

    def _delete_security_groups(self, cluster: str) -> list[str]:
        """Delete the security groups tagged with the cluster, their rules first (they name each other).

        A group still used by a network interface that is going away (a terminated instance's, the deleted
        load balancer's) is retried until ``wait_timeout``.
        """
        ec2 = self._client("ec2")
        with self._aws(f"listing the security groups of cluster {cluster!r}"):
            groups = [
                group
                for page in ec2.get_paginator("describe_security_groups").paginate(
                    Filters=[{"Name": f"tag:{CLUSTER_TAG}", "Values": [cluster]}]
                )
                for group in page.get("SecurityGroups", [])
            ]
        for group in groups:
            if group.get("IpPermissions"):
                with self._aws(f"removing the rules of security group {group['GroupName']!r}"):
                    ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
        removed: list[str] = []
        deadline = time.monotonic() + self.config.wait_timeout
        pending = list(groups)
        while pending:
            still: list[dict[str, Any]] = []
            for group in pending:
                try:
                    ec2.delete_security_group(GroupId=group["GroupId"])
                    removed.append(f"security group {group['GroupName']}")
                except botocore.exceptions.ClientError as exc:
                    code = str((exc.response.get("Error") or {}).get("Code", ""))
                    if code != "DependencyViolation" or time.monotonic() >= deadline:
                        raise self._error(
                            f"deleting security group {group['GroupName']!r} failed. {aws_said(exc)}. "
                            "Run down --yes again once whatever still uses it is gone."
                        ) from None
                    still.append(group)
            if still:
                self._progress(
                    f"    waiting for {', '.join(g['GroupName'] for g in still)} to be free of network interfaces"
                )
                time.sleep(self.config.poll_interval)
            pending = still
        return removed

    # ------------------------------------------------------------ lookups

    def _describe(self, **params: Any) -> list[dict[str, Any]]:
        paginator = self._client("ec2").get_paginator("describe_instances")
        return [
            instance
            for page in paginator.paginate(**params)
            for reservation in page.get("Reservations", [])
            for instance in reservation.get("Instances", [])
        ]

    def _instances_by_name(
        self, cluster: str, names: Sequence[str], states: Sequence[str]
    ) -> dict[str, list[dict[str, Any]]]:
        filters = [
            {"Name": f"tag:{CLUSTER_TAG}", "Values": [cluster]},
            {"Name": f"tag:{NAME_TAG}", "Values": list(names)},
            {"Name": "instance-state-name", "Values": list(states)},
        ]
        with self._aws(f"looking up {', '.join(names)} in cluster {cluster!r}"):
            instances = self._describe(Filters=filters)
        found: dict[str, list[dict[str, Any]]] = {}
        for instance in instances:
            tags = {tag["Key"]: tag.get("Value", "") for tag in instance.get("Tags", [])}
            found.setdefault(tags.get(NAME_TAG, ""), []).append(instance)
        return found

    def _require_ids(self, cluster: str, hosts: Sequence[str], states: Sequence[str], action: str) -> list[str]:
        found = self._instances_by_name(cluster, hosts, states)
        self._check_unique(found)
        missing = [host for host in hosts if host not in found]
        if missing:
            raise ProviderError(
                f"{action}: no {' or '.join(states)} instance named {', '.join(missing)} in cluster {cluster!r}; "
                "nothing was changed"
            )
        return [found[host][0]["InstanceId"] for host in hosts]

    @staticmethod
    def _check_unique(found: Mapping[str, list[dict[str, Any]]]) -> None:
        shared = {name: [i["InstanceId"] for i in items] for name, items in found.items() if len(items) > 1}
        if shared:
            listed = "; ".join(f"{name}: {', '.join(ids)}" for name, ids in sorted(shared.items()))
            raise ProviderError(f"several instances share a name ({listed}); nothing was changed")

    def _waiter_config(self) -> dict[str, int]:
        interval = self.config.poll_interval
        return {"Delay": interval, "MaxAttempts": max(1, math.ceil(self.config.wait_timeout / interval))}

    @staticmethod
    def _cluster_name(cluster: str) -> str:
        try:
            return check_cluster_name(cluster)
        except PlanError as exc:
            raise ProviderError(str(exc)) from None


def _launched_so_far(cluster: str, nodes: Sequence[Node], ids: Sequence[str]) -> str:
    """What a launch that failed half-way leaves behind, for its error message."""
    if not ids:
        return "Nothing was launched."
    done = ", ".join(f"{node.name} ({iid})" for node, iid in zip(nodes, ids, strict=False))
    return (
        f"Launched before the failure and left running, tagged {CLUSTER_TAG}={cluster}: {done}. "
        "Remove them with down or scale-in, or launch the remaining nodes under other names."
    )


def _targets(ids: Sequence[str]) -> list[dict[str, str]]:
    return [{"Id": iid} for iid in ids]


def _node_from_host(host: Any) -> NodeInfo:
    """A NodeInfo from one host of the parsed inventory (Ansible's tagged strings made plain)."""
    variables = {str(key): _plain(value) for key, value in host.vars.items() if key not in _ANSIBLE_MAGIC_VARS}
    member_of = [str(group.name) for group in host.get_groups()]
    roles = [g for g in GROUPS if g in member_of]
    roles += sorted(g for g in member_of if g not in GROUPS and g not in ("all", "ungrouped"))
    private_ip = str(variables.pop("private_ip", "") or "")
    address = str(variables.pop("ansible_host", "") or private_ip)
    return NodeInfo(
        name=str(host.name),
        groups=tuple(roles),
        private_ip=private_ip,
        address=address,
        node_id=str(variables.get("instance_id", "")),
        hostvars=variables,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
