# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: ec2
short_description: EC2 instances of a Pydio cluster, grouped by role
version_added: 1.0.0
description:
  - Lists the EC2 instances tagged C(pydio:cluster=<cluster>) that are C(running) or C(pending),
    in one or more regions (queried in parallel, each with the paginated C(DescribeInstances)).
  - Puts each host in the groups named by its C(pydio:roles) tag, a comma-separated list of
    C(storage), C(compute), C(db), C(lb) and C(session_store). These groups always exist, even when empty.
    Another role still makes a group, with a warning. An instance without the tag goes to
    C(ungrouped), with a warning.
  - Names each host after its C(Name) tag when that name is unique, otherwise after its instance
    id (see O(hostname_source)). Instances that share a name are never merged; each appears under
    its instance id, and a warning lists them.
  - Sets few host variables, no templating unless O(compose), O(groups) or O(keyed_groups) ask
    for it. C(ansible_host) is the private IP address (or the public one, see
    O(ansible_host_source)); C(private_ip); C(instance_id); C(availability_zone); and
    C(gluster_brick_device) when it is known (see O(brick_device_tag)).
  - The configuration file must end in C(ec2.yml) or C(ec2.yaml), for example C(inventory/ec2.yml).
  - Credentials come from the options below or, when they are not set, from boto3's usual chain
    (the C(AWS_ACCESS_KEY_ID), C(AWS_SECRET_ACCESS_KEY), C(AWS_SESSION_TOKEN) and C(AWS_PROFILE)
    environment variables, the shared credentials and config files, SSO, an instance role).
  - The credentials need the IAM permission C(ec2:DescribeInstances), and nothing else.
  - With O(cache) on, the result is stored as a compact list of records per inventory file;
    the next parse within O(cache_timeout) makes no AWS call. An empty result is never served
    from the cache. A change of O(cluster), O(regions), O(filters), O(endpoint_url) or
    O(aws_profile) makes the cached result unused. C(ansible-playbook --flush-cache) and the
    C(refresh_inventory) meta task query AWS again.
  - Errors are readable. Missing credentials, access denied (naming C(ec2:DescribeInstances)),
    a region that is not enabled (C(OptInRequired), C(AuthFailure)) and a bad option each stop the
    parse with a message. Ansible reports an inventory source that fails to parse as a warning,
    unless C(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true) (C(any_unparsed_is_failed) in the
    C([inventory]) section of C(ansible.cfg)) makes it an error.
  - An empty result (no matching instance in any region) gives a warning.
author:
  - scaleout.pydio developers (@scaleout-pydio)
requirements:
  - boto3 >= 1.28
  - botocore >= 1.31
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: Marks the file as this plugin's configuration.
    required: true
    type: str
    choices: [scaleout.pydio.ec2]
  cluster:
    description:
      - The value of the C(pydio:cluster) tag of the instances to list. Required.
    required: true
    type: str
  regions:
    description:
      - The regions to query, in parallel.
      - When empty, the region of the AWS configuration (C(AWS_REGION), C(AWS_DEFAULT_REGION) or
        the profile's C(region)).
    type: list
    elements: str
    default: []
  filters:
    description:
      - More C(DescribeInstances) filters, applied by EC2 itself, as a mapping of filter name to a
        value or a list of values (for example C(tag:env), C(vpc-id), C(instance-type)).
      - C(instance-state-name) may narrow the selection to C(running) or C(pending) only; the
        C(tag:pydio:cluster) filter is set by O(cluster) and cannot be given here.
      - See U(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html).
    type: dict
    default: {}
  hostname_source:
    description:
      - What names the hosts.
      - V(name_tag) is the C(Name) tag; V(instance_id) the instance id; V(private_dns) the private
        DNS name.
      - An instance without that value, or whose value another instance also has, is named by its
        instance id (with a warning for shared values).
    type: str
    choices: [name_tag, instance_id, private_dns]
    default: name_tag
  ansible_host_source:
    description:
      - Which address C(ansible_host) holds.
      - With V(public_ip), an instance without a public address gets its private one, with a
        warning.
    type: str
    choices: [private_ip, public_ip]
    default: private_ip
  brick_device_tag:
    description:
      - The tag whose value sets the C(gluster_brick_device) host variable (for example
        C(/dev/nvme1n1)).
      - Without the tag, C(gluster_brick_device) is the first EBS device of the instance's
        block-device mapping that is not its root device, as EC2 records it (for example
        C(/dev/sdf)). The operating system may show the same disk under another name
        (C(/dev/xvdf) on Xen instances, C(/dev/nvme1n1) on Nitro instances); set the tag when it
        does.
      - Without either, the variable is not set, and the brick is a directory on the root
        filesystem.
    type: str
    default: pydio:brick_device
  endpoint_url:
    description:
      - The EC2 endpoint to use instead of AWS's own, for example a local test server.
      - When unset, botocore also honours C(AWS_ENDPOINT_URL_EC2) and C(AWS_ENDPOINT_URL).
    type: str
    aliases: [aws_endpoint_url]
  aws_access_key_id:
    description:
      - The AWS access key. When unset, boto3 looks for credentials as usual.
    type: str
    aliases: [access_key, aws_access_key]
  aws_secret_access_key:
    description:
      - The AWS secret key that goes with O(aws_access_key_id).
    type: str
    aliases: [secret_key, aws_secret_key]
  session_token:
    description:
      - The AWS session token of temporary credentials.
    type: str
    aliases: [aws_session_token, security_token]
  aws_profile:
    description:
      - A profile of the shared AWS credentials or config file.
      - Cannot be combined with O(aws_access_key_id).
    type: str
    aliases: [profile, boto_profile]
notes:
  - Host variables are kept few on purpose. O(compose), O(groups) and O(keyed_groups) can use,
    besides the host variables, C(tags) (a mapping of all tags), C(roles) (the parsed
    C(pydio:roles) list), C(region), C(instance_type), C(state), C(public_ip) and C(private_dns).
"""

EXAMPLES = r"""
# inventory/ec2.yml: every running instance of the "production" cluster in two regions.
plugin: scaleout.pydio.ec2
cluster: production
regions:
  - eu-west-1
  - eu-central-1

# Only one VPC, reached through public addresses, named by instance id, cached for 10 minutes.
# plugin: scaleout.pydio.ec2
# cluster: staging
# regions: [us-east-1]
# filters:
#   vpc-id: vpc-0123456789abcdef0
# ansible_host_source: public_ip
# hostname_source: instance_id
# cache: true
# cache_plugin: ansible.builtin.jsonfile
# cache_connection: ~/.cache/pydio-inventory
# cache_timeout: 600

# More groups from tags, as in the constructed plugin.
# plugin: scaleout.pydio.ec2
# cluster: production
# keyed_groups:
#   - key: tags['env'] | default('none')
#     prefix: env
#   - key: availability_zone
#     prefix: az
# groups:
#   gluster_arbiters: "'arbiter' in tags.get('pydio:brick_kind', '')"
"""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ansible.errors import AnsibleError, AnsibleParserError, AnsibleRequiredOptionError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display
from ansible_collections.scaleout.pydio.plugins.module_utils import (
    ec2_inventory as logic,
)

# boto3 is imported when AWS is queried, not before: a parse served from the
# cache does not pay for importing it.
boto3: Any = None
botocore: Any = None

display = Display()

_MAX_PARALLEL_REGIONS = 8
_PAGE_SIZE = 1000
_NO_CREDENTIALS = (
    "No AWS credentials were found. Set aws_access_key_id and aws_secret_access_key (or "
    "aws_profile) in the inventory file, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or "
    "AWS_PROFILE) in the environment, or use a shared credentials file or an instance role."
)


class _RegionError(Exception):
    """A failure in one region, already worded for the operator."""


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "scaleout.pydio.ec2"

    def verify_file(self, path: str) -> bool:
        return bool(super().verify_file(path)) and str(path).endswith(("ec2.yml", "ec2.yaml"))

    def parse(self, inventory: Any, loader: Any, path: str, cache: bool = True) -> None:
        super().parse(inventory, loader, path, cache)
        try:
            self._read_config_data(path)
        except AnsibleRequiredOptionError as exc:
            if "'cluster'" in str(exc):
                try:
                    logic.check_cluster(None)
                except logic.InventoryConfigError as missing:
                    raise AnsibleParserError(f"{path}: {missing}") from exc
            raise

        try:
            cluster = logic.check_cluster(self.get_option("cluster"))
            filters = logic.build_filters(cluster, self.get_option("filters"))
            hostname_source = logic.check_choice(
                "hostname_source",
                self.get_option("hostname_source"),
                logic.HOSTNAME_SOURCES,
            )
            host_source = logic.check_choice(
                "ansible_host_source",
                self.get_option("ansible_host_source"),
                logic.ANSIBLE_HOST_SOURCES,
            )
            if self.get_option("aws_profile") and self.get_option("aws_access_key_id"):
                raise logic.InventoryConfigError(
                    "Set either aws_profile or aws_access_key_id/aws_secret_access_key, not both."
                )
        except logic.InventoryConfigError as exc:
            raise AnsibleParserError(f"{path}: {exc}") from exc

        session = None
        try:
            regions = self.get_option("regions")
            if regions:
                regions = logic.check_regions(regions, None)
            else:
                session = self._session()
                regions = logic.check_regions(regions, session.region_name)
        except logic.InventoryConfigError as exc:
            raise AnsibleParserError(f"{path}: {exc}") from exc
        endpoint_url = self.get_option("endpoint_url")
        fingerprint = logic.query_fingerprint(regions, filters, endpoint_url, self.get_option("aws_profile"))

        records = None
        cache_key = self.get_cache_key(path)
        if self.get_option("cache") and cache:
            entry = self._cache.get(cache_key)
            # An empty list is never served from the cache: AWS is asked again.
            if isinstance(entry, dict) and entry.get("query") == fingerprint and entry.get("instances"):
                records = entry["instances"]
        if records is None:
            records = self._fetch(session or self._session(), regions, filters, endpoint_url)
            if self.get_option("cache"):
                # Stored even when empty, so that it replaces an older list.
                self._cache[cache_key] = {"query": fingerprint, "instances": records}

        if not records:
            display.warning(
                f"scaleout.pydio.ec2 ({path}): no running or pending instance is tagged "
                f"{logic.CLUSTER_TAG}={cluster} in {', '.join(regions)} (with the filters given)."
            )
        self._populate(records, hostname_source, host_source)

    # ------------------------------------------------------------------ AWS

    def _session(self) -> Any:
        _import_boto3()
        try:
            return boto3.session.Session(
                aws_access_key_id=self.get_option("aws_access_key_id"),
                aws_secret_access_key=self.get_option("aws_secret_access_key"),
                aws_session_token=self.get_option("session_token"),
                profile_name=self.get_option("aws_profile"),
            )
        except botocore.exceptions.ProfileNotFound as exc:
            raise AnsibleError(f"AWS profile not found: {exc}") from exc

    def _fetch(
        self,
        session: Any,
        regions: list[str],
        filters: list[dict[str, Any]],
        endpoint_url: str | None,
    ) -> list[dict[str, Any]]:
        try:
            credentials = session.get_credentials()
        except botocore.exceptions.BotoCoreError as exc:
            raise AnsibleError(f"Could not load the AWS credentials: {exc}") from exc
        if credentials is None:
            raise AnsibleError(_NO_CREDENTIALS)

        config = botocore.config.Config(
            retries={"mode": "standard", "max_attempts": 5},
            connect_timeout=10,
            read_timeout=120,
            user_agent_extra="scaleout.pydio-ec2-inventory",
        )
        # A boto3 session is not thread safe, its clients are: create them here.
        try:
            clients = [
                session.client("ec2", region_name=region, endpoint_url=endpoint_url, config=config)
                for region in regions
            ]
        except (ValueError, botocore.exceptions.BotoCoreError) as exc:
            raise AnsibleParserError(f"Could not set up an EC2 client (check endpoint_url and regions): {exc}") from exc
        workers = min(len(regions), _MAX_PARALLEL_REGIONS)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pydio-ec2") as pool:
            futures = [
                pool.submit(_describe_region, client, region, filters)
                for client, region in zip(clients, regions, strict=True)
            ]
            records: list[dict[str, Any]] = []
            errors: list[str] = []
            for future in futures:
                try:
                    records.extend(future.result())
                except _RegionError as exc:
                    errors.append(str(exc))
        if errors:
            raise AnsibleError("\n".join(errors))
        return records

    # ------------------------------------------------------------ inventory

    def _populate(self, records: list[dict[str, Any]], hostname_source: str, host_source: str) -> None:
        inventory = self.inventory
        names, duplicates = logic.choose_hostnames(records, hostname_source)
        brick_tag = self.get_option("brick_device_tag")
        compose = self.get_option("compose")
        groups = self.get_option("groups")
        keyed_groups = self.get_option("keyed_groups")
        constructed = bool(compose or groups or keyed_groups)
        strict = self.get_option("strict")

        role_groups: dict[str, str] = {}
        for role in logic.KNOWN_ROLES:
            role_groups[role] = inventory.add_group(role)
        unknown_roles: set[str] = set()
        without_roles: list[str] = []
        without_public: list[str] = []

        for record in sorted(records, key=lambda r: names[r["id"]]):
            name = names[record["id"]]
            roles = logic.parse_roles(record["tags"].get(logic.ROLES_TAG))
            if not roles:
                without_roles.append(name)
                inventory.add_host(name)
            for role in roles:
                group = role_groups.get(role)
                if group is None:
                    unknown_roles.add(role)
                    group = role_groups[role] = inventory.add_group(self._sanitize_group_name(role))
                # add_host with a group, not add_child: a host may be named like a group.
                inventory.add_host(name, group=group)
            hostvars = logic.build_hostvars(record, host_source, brick_tag)
            for key, value in hostvars.items():
                inventory.set_variable(name, key, value)
            if host_source == "public_ip" and not record.get("public_ip"):
                without_public.append(name)
            if constructed:
                context = logic.template_context(record, hostvars)
                self._set_composite_vars(compose, context, name, strict=strict)
                self._add_host_to_composed_groups(groups, context, name, strict=strict)
                self._add_host_to_keyed_groups(keyed_groups, context, name, strict=strict)

        for shared, ids in sorted(duplicates.items()):
            display.warning(
                f"scaleout.pydio.ec2: {len(ids)} instances share the name {shared!r}; "
                f"they are listed by instance id: {', '.join(ids)}."
            )
        if unknown_roles:
            display.warning(
                f"scaleout.pydio.ec2: roles {', '.join(sorted(unknown_roles))} in {logic.ROLES_TAG} are "
                f"not among {', '.join(logic.KNOWN_ROLES)}; groups were made for them, "
                "the playbooks do not use them."
            )
        if without_roles:
            display.warning(
                f"scaleout.pydio.ec2: {len(without_roles)} host(s) have no {logic.ROLES_TAG} tag and are in "
                f"no role group: {logic.summarise(without_roles)}."
            )
        if without_public:
            display.warning(
                f"scaleout.pydio.ec2: {len(without_public)} host(s) have no public IP address; their "
                f"ansible_host is the private one: {logic.summarise(without_public)}."
            )


def _import_boto3() -> None:
    """Import botocore and boto3 into this module's globals, once."""
    global boto3, botocore  # imported on first use, see the top
    if boto3 is not None:
        return
    try:
        import boto3
        import botocore.config
        import botocore.exceptions
    except ImportError as exc:
        raise AnsibleError(f"The scaleout.pydio.ec2 inventory plugin needs boto3 and botocore: {exc}") from exc


def _describe_region(client: Any, region: str, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """All matching instances of one region, as compact records (runs in a worker thread)."""
    records: list[dict[str, Any]] = []
    try:
        paginator = client.get_paginator("describe_instances")
        for page in paginator.paginate(Filters=filters, PaginationConfig={"PageSize": _PAGE_SIZE}):
            records.extend(logic.compact_reservations(page.get("Reservations", ()), region))
    except botocore.exceptions.ClientError as exc:
        raise _RegionError(logic.error_response_text(exc.response, region)) from exc
    except botocore.exceptions.NoCredentialsError as exc:
        raise _RegionError(_NO_CREDENTIALS) from exc
    except botocore.exceptions.BotoCoreError as exc:
        raise _RegionError(f"Listing EC2 instances in {region} failed: {exc}") from exc
    return records
