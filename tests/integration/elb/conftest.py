"""Fixtures for the elb role's aws backend: a small AWS world in moto, and a
way to run the role's playbook against it with ansible-playbook.

The playbook runs as a subprocess, as an operator would run it. Its
environment has credentials but no AWS_ENDPOINT_URL: the role must send every
call to `elb_aws_endpoint_url` itself, or it would miss moto.
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

REPO = Path(__file__).resolve().parents[3]
PLAYBOOK = Path(__file__).resolve().parent / "playbooks" / "aws.yml"
ENTRY_POINTS = Path(__file__).resolve().parent / "playbooks" / "entry_points.yml"
REGION = "us-east-1"
RECAP_RE = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+"
    r"unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)",
    re.MULTILINE,
)


@dataclass
class World:
    """What the tests create in moto before the role runs."""

    endpoint: str
    vpc_id: str
    subnet_ids: list[str]
    instances: dict[str, str]
    clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = boto3.client(service, endpoint_url=self.endpoint, region_name=REGION)
        return self.clients[service]


@dataclass
class Run:
    """The outcome of one ansible-playbook run."""

    rc: int
    output: str
    facts: dict[str, Any] | None

    def recap(self, host: str = "localhost") -> dict[str, int]:
        for match in RECAP_RE.finditer(self.output):
            if match.group("host") == host:
                return {key: int(value) for key, value in match.groupdict().items() if key != "host"}
        raise AssertionError(f"no PLAY RECAP line for {host} in:\n{self.output[-3000:]}")


@pytest.fixture
def world(aws_env: dict[str, str], reset_moto: None, moto_endpoint: str) -> World:
    """A VPC with two subnets in two zones, and four instances: web1-3 and db1."""
    ec2 = boto3.client("ec2", endpoint_url=moto_endpoint, region_name=REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.42.{n}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "a"), (2, "b"))
    ]
    image = ec2.describe_images()["Images"][0]["ImageId"]
    names = ["web1", "web2", "web3", "db1"]
    launched = ec2.run_instances(
        ImageId=image, MinCount=len(names), MaxCount=len(names), SubnetId=subnets[0], InstanceType="t3.micro"
    )["Instances"]
    instances = {name: inst["InstanceId"] for name, inst in zip(names, launched, strict=True)}
    return World(endpoint=moto_endpoint, vpc_id=vpc_id, subnet_ids=subnets, instances=instances)


def _self_signed_pem() -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pydio.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("pydio.example.org")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture
def certificate_arn(world: World) -> str:
    """An issued (imported) ACM certificate in moto."""
    cert, key = _self_signed_pem()
    return world.client("acm").import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]


def inventory_for(world: World, compute: list[str]) -> dict[str, Any]:
    """The inventory of a cluster whose web (and storage) nodes are ``compute`` and whose database is db1."""

    def hosts(names: list[str]) -> dict[str, Any]:
        return {name: {"instance_id": world.instances[name]} for name in names}

    return {
        "all": {
            "hosts": {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}},
            "children": {
                "compute": {"hosts": hosts(compute)},
                "storage": {"hosts": hosts(compute)},
                "db": {"hosts": hosts(["db1"])},
            },
        }
    }


@pytest.fixture
def run_role(world: World, aws_env: dict[str, str], tmp_path: Path) -> Callable[..., Run]:
    """Run the role's playbook (or another) against moto; `compute` names the web nodes."""
    counter = {"n": 0}

    def run(compute: list[str] | None = None, playbook: Path = PLAYBOOK, **role_vars: Any) -> Run:
        counter["n"] += 1
        workdir = tmp_path / f"run{counter['n']}"
        workdir.mkdir()
        names = ["web1", "web2"] if compute is None else compute
        inventory = workdir / "inventory.json"
        inventory.write_text(json.dumps(inventory_for(world, names)))
        facts_file = workdir / "facts.json"
        variables = {
            "elb_backend": "aws",
            "elb_cluster_name": "qa",
            "elb_vpc_id": world.vpc_id,
            "elb_subnets": world.subnet_ids,
            "elb_aws_region": REGION,
            "elb_aws_endpoint_url": world.endpoint,
            "test_facts_file": str(facts_file),
        }
        variables.update(role_vars)
        extra = workdir / "vars.json"
        extra.write_text(json.dumps(variables))

        env = {key: value for key, value in aws_env.items() if key != "AWS_ENDPOINT_URL"}
        env.update(
            {
                "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
                "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".collections"),
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_FORCE_COLOR": "0",
                "ANSIBLE_RETRY_FILES_ENABLED": "0",
            }
        )
        ansible_playbook = Path(sys.executable).parent / "ansible-playbook"
        proc = subprocess.run(
            [str(ansible_playbook), "-i", str(inventory), "-e", f"@{extra}", str(playbook)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        output = proc.stdout + proc.stderr
        (workdir / "output.log").write_text(output)
        facts = json.loads(facts_file.read_text()) if facts_file.exists() else None
        return Run(rc=proc.returncode, output=output, facts=facts)

    return run
