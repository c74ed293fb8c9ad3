#!/usr/bin/env python3
"""Benchmark of the scaleout.pydio.ec2 inventory plugin against a moto server.

It starts one moto server (its own process, on loopback), seeds it with
instances over several regions, most of them tagged ``pydio:cluster=bench``
with various ``pydio:roles``, then times, each in a fresh Python process:

* the floor: bare boto3, the describe_instances paginator over the same
  regions and filters, regions one after the other (and, for information,
  in parallel threads);
* scaleout.pydio.ec2, uncached and cached;
* amazon.aws.aws_ec2 on the same data, uncached and cached, configured to give
  the same hosts, groups and ansible_host (checked).

An inventory is timed as ansible-playbook loads it: the construction of
ansible's InventoryManager with a DataLoader and the inventory file as its
source. It is not part of the test suite. Run it from the repository root:

    .venv/bin/python benchmarks/inventory.py            # 5,000 instances, 4 regions
    .venv/bin/python benchmarks/inventory.py --instances 500 --in-cluster 450 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
COLLECTIONS = REPO / ".collections"
CLUSTER = "bench"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1", "ca-central-1")
ROLE_GROUPS = ("storage", "compute", "db", "lb")
# Roles of successive batches: mostly storage+compute nodes, some of each other kind.
ROLE_CYCLE = (
    "storage,compute",
    "compute",
    "db",
    "storage,compute",
    "lb",
    "compute",
    "storage,compute",
    "storage",
    "compute",
    "storage,compute",
)
BATCH = 25
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}


# --------------------------------------------------------------- moto server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    import requests

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{endpoint}/moto-api/", timeout=2)
            return proc, endpoint
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit(f"moto server did not start; see {log}") from None
            time.sleep(0.1)


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used so far, or None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seed_region(endpoint: str, region: str, total: int, in_cluster: int) -> int:
    """Launch ``total`` instances in ``region``, the first ``in_cluster`` in the cluster."""
    import boto3

    client = boto3.client(
        "ec2",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    image = client.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    launched = 0
    batch_number = 0
    while launched < total:
        count = min(BATCH, total - launched)
        cluster = launched < in_cluster
        if cluster:
            count = min(count, in_cluster - launched)
            roles = ROLE_CYCLE[batch_number % len(ROLE_CYCLE)]
            tags = [{"Key": "pydio:cluster", "Value": CLUSTER}, {"Key": "pydio:roles", "Value": roles}]
        else:
            roles = "compute"
            tags = [{"Key": "pydio:cluster", "Value": "other"}, {"Key": "pydio:roles", "Value": roles}]
        params: dict[str, Any] = {
            "ImageId": image,
            "MinCount": count,
            "MaxCount": count,
            "InstanceType": "t3.medium",
            "TagSpecifications": [{"ResourceType": "instance", "Tags": tags}],
        }
        if "storage" in roles:
            params["BlockDeviceMappings"] = [{"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 100}}]
        instances = client.run_instances(**params)["Instances"]
        for offset, instance in enumerate(instances):
            client.create_tags(
                Resources=[instance["InstanceId"]],
                Tags=[{"Key": "Name", "Value": f"{region}-{launched + offset:05d}"}],
            )
        launched += count
        batch_number += 1
    return launched


def seed(endpoint: str, regions: list[str], instances: int, in_cluster: int) -> None:
    per_region = [instances // len(regions)] * len(regions)
    per_region[0] += instances - sum(per_region)
    cluster_per_region = [in_cluster // len(regions)] * len(regions)
    cluster_per_region[0] += in_cluster - sum(cluster_per_region)
    with ThreadPoolExecutor(max_workers=len(regions)) as pool:
        done = pool.map(
            lambda args: seed_region(endpoint, *args),
            zip(regions, per_region, cluster_per_region, strict=True),
        )
        assert sum(done) == instances


# ------------------------------------------------------------------ workers


def worker_inventory(path: str, flush: bool) -> dict[str, Any]:
    """Time the InventoryManager construction for one inventory file."""
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader([str(COLLECTIONS)])
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader

    loader = DataLoader()
    start, cpu = time.perf_counter(), time.process_time()
    inventory = InventoryManager(loader=loader, sources=[path], cache=not flush)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    groups = {
        name: sorted(host.name for host in inventory.groups[name].get_hosts())
        for name in ROLE_GROUPS
        if name in inventory.groups
    }
    hosts = {name: str(host.vars.get("ansible_host")) for name, host in inventory.hosts.items()}
    return {"seconds": elapsed, "cpu": cpu, "hosts": hosts, "groups": groups}


def worker_floor(endpoint: str, regions: list[str], parallel: bool) -> dict[str, Any]:
    """Bare boto3: the describe_instances paginator, same regions and filters."""
    import boto3

    filters = [
        {"Name": "tag:pydio:cluster", "Values": [CLUSTER]},
        {"Name": "instance-state-name", "Values": ["running", "pending"]},
    ]
    start, cpu = time.perf_counter(), time.process_time()
    session = boto3.session.Session()
    clients = [session.client("ec2", region_name=region, endpoint_url=endpoint) for region in regions]

    def describe(client: Any) -> int:
        count = 0
        paginator = client.get_paginator("describe_instances")
        for page in paginator.paginate(Filters=filters, PaginationConfig={"PageSize": 1000}):
            for reservation in page["Reservations"]:
                count += len(reservation["Instances"])
        return count

    if parallel:
        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            total = sum(pool.map(describe, clients))
    else:
        total = sum(describe(client) for client in clients)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "instances": total}


def run_worker(args: list[str]) -> dict[str, Any]:
    env = {
        **os.environ,
        **CREDENTIALS,
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        env.pop(key, None)
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"worker {args} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------- main program


def write_configs(work: Path, endpoint: str, regions: list[str]) -> dict[str, Path]:
    import yaml

    ours = {
        "plugin": "scaleout.pydio.ec2",
        "cluster": CLUSTER,
        "regions": regions,
        "endpoint_url": endpoint,
    }
    theirs = {
        "plugin": "amazon.aws.aws_ec2",
        "regions": regions,
        "endpoint_url": endpoint,
        "filters": {"tag:pydio:cluster": CLUSTER, "instance-state-name": ["running", "pending"]},
        "hostnames": ["tag:Name", "instance-id"],
        "compose": {"ansible_host": "private_ip_address"},
        "keyed_groups": [{"key": "tags['pydio:roles'].split(',')", "prefix": "", "separator": ""}],
        "leading_separator": False,
    }

    def cached(config: dict[str, Any], name: str) -> dict[str, Any]:
        return {
            **config,
            "cache": True,
            "cache_plugin": "ansible.builtin.jsonfile",
            "cache_connection": str(work / f"cache-{name}"),
            "cache_timeout": 86400,
        }

    files = {
        "ours": (work / "bench.ec2.yml", ours),
        "ours_cached": (work / "bench-cached.ec2.yml", cached(ours, "ours")),
        "aws": (work / "bench.aws_ec2.yml", theirs),
        "aws_cached": (work / "bench-cached.aws_ec2.yml", cached(theirs, "aws")),
    }
    for path, config in files.values():
        path.write_text(yaml.safe_dump(config, sort_keys=False))
    return {name: path for name, (path, _config) in files.items()}


def measure(
    label: str, args: list[str], server_pid: int, results: dict[str, list[dict[str, Any]]], number: int
) -> None:
    before = process_cpu(server_pid)
    run = run_worker(args)
    after = process_cpu(server_pid)
    run["server_cpu"] = after - before if before is not None and after is not None else None
    results.setdefault(label, []).append(run)
    print(f"  round {number}: {label:<15} {run['seconds']:7.2f} s", flush=True)


def inventory_difference(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Empty when both list the same hosts, role groups and ansible_host; else a sample."""
    if set(a["hosts"]) != set(b["hosts"]):
        only = sorted(set(a["hosts"]) ^ set(b["hosts"]))
        return f"{len(only)} hosts in one only, e.g. {only[:3]}"
    for name in sorted(a["hosts"]):
        if a["hosts"][name] != b["hosts"][name]:
            return f"ansible_host of {name}: {a['hosts'][name]} != {b['hosts'][name]}"
    for group in sorted(set(a["groups"]) | set(b["groups"])):
        if (a["groups"].get(group) or []) != (b["groups"].get(group) or []):
            return f"members of group {group} differ"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=5000, help="instances to seed (default 5000)")
    parser.add_argument("--in-cluster", type=int, default=4500, help="of which in the cluster (default 4500)")
    parser.add_argument("--regions", type=int, default=4, help="number of regions (default 4)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each measure (default 3)")
    parser.add_argument("--skip-aws-ec2", action="store_true", help="do not time amazon.aws.aws_ec2")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.worker:
        kind, *rest = options.worker
        if kind == "inventory":
            result = worker_inventory(rest[0], flush=rest[1] == "flush")
        else:
            result = worker_floor(rest[0], rest[1].split(","), parallel=rest[2] == "parallel")
        print(json.dumps(result))
        return

    if not 1 <= options.regions <= len(REGIONS):
        parser.error(f"--regions must be between 1 and {len(REGIONS)}")
    if not 0 < options.in_cluster <= options.instances:
        parser.error("--in-cluster must be between 1 and --instances")
    regions = list(REGIONS[: options.regions])

    with tempfile.TemporaryDirectory(prefix="pydio-inventory-bench-") as tmp:
        work = Path(tmp)
        proc, endpoint = start_moto(work / "moto.log")
        try:
            print(f"Seeding {options.instances} instances ({options.in_cluster} in the cluster) over {regions}")
            start = time.perf_counter()
            seed(endpoint, regions, options.instances, options.in_cluster)
            print(f"  seeded in {time.perf_counter() - start:.1f} s", flush=True)

            files = write_configs(work, endpoint, regions)
            region_arg = ",".join(regions)
            plan = [
                ("floor", ["floor", endpoint, region_arg, "sequential"]),
                ("floor_parallel", ["floor", endpoint, region_arg, "parallel"]),
                ("ours", ["inventory", str(files["ours"]), "flush"]),
                ("ours_cached", ["inventory", str(files["ours_cached"]), "cache"]),
            ]
            if not options.skip_aws_ec2:
                plan += [
                    ("aws", ["inventory", str(files["aws"]), "flush"]),
                    ("aws_cached", ["inventory", str(files["aws_cached"]), "cache"]),
                ]
            # Fill both caches; these runs are not timed.
            run_worker(["inventory", str(files["ours_cached"]), "flush"])
            if not options.skip_aws_ec2:
                run_worker(["inventory", str(files["aws_cached"]), "flush"])
            # Rounds of every measure in turn, so that a change of load on the
            # machine touches them all alike.
            results: dict[str, list[dict[str, Any]]] = {}
            for number in range(1, options.repeat + 1):
                for label, args in plan:
                    measure(label, args, proc.pid, results, number)
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    report(results, options, regions)


def report(results: dict[str, list[dict[str, Any]]], options: argparse.Namespace, regions: list[str]) -> None:
    ours = results["ours"][0]
    hosts = len(ours["hosts"])
    problems = []
    if hosts != options.in_cluster:
        problems.append(f"scaleout.pydio.ec2 listed {hosts} hosts, expected {options.in_cluster}")
    for label, runs in results.items():
        for run in runs:
            if label.startswith("floor"):
                if run["instances"] != options.in_cluster:
                    problems.append(f"{label} saw {run['instances']} instances")
            elif difference := inventory_difference(run, ours):
                problems.append(f"{label} differs from scaleout.pydio.ec2: {difference}")
    if problems:
        raise SystemExit("Inconsistent results:\n  " + "\n  ".join(problems))

    def med(label: str, key: str) -> float | None:
        values = [run[key] for run in results[label] if run.get(key) is not None]
        return statistics.median(values) if values else None

    median = {label: statistics.median(run["seconds"] for run in runs) for label, runs in results.items()}
    best = {label: min(run["seconds"] for run in runs) for label, runs in results.items()}
    labels = {
        "floor": "floor: boto3 paginator, regions in turn",
        "floor_parallel": "(info) boto3 paginator, regions in threads",
        "ours": "scaleout.pydio.ec2, uncached",
        "ours_cached": "scaleout.pydio.ec2, cached",
        "aws": "amazon.aws.aws_ec2, uncached",
        "aws_cached": "amazon.aws.aws_ec2, cached",
    }
    groups = {name: len(members) for name, members in ours["groups"].items()}
    print()
    print(
        f"{options.instances} instances over {len(regions)} regions ({', '.join(regions)}), "
        f"{hosts} in the cluster; role groups {groups}"
    )
    print(
        f"{options.repeat} rounds, each measure once per round in a fresh process; wall-clock medians "
        "and best; CPU medians of the client process and of the moto server"
    )
    print()
    print(f"{'measure':<44} {'median':>8} {'best':>8} {'x floor':>7} {'client CPU':>10} {'server CPU':>10}")
    for label, text in labels.items():
        if label not in median:
            continue
        ratio = median[label] / median["floor"]
        client, server = med(label, "cpu"), med(label, "server_cpu")
        client_text = f"{client:9.2f}s" if client is not None else f"{'-':>10}"
        server_text = f"{server:9.2f}s" if server is not None else f"{'-':>10}"
        print(f"{text:<44} {median[label]:>7.2f}s {best[label]:>7.2f}s {ratio:>7.2f} {client_text} {server_text}")
    print()
    print("ratios (wall-clock medians):")
    print(f"  ours uncached / floor              {median['ours'] / median['floor']:6.2f}   (goal <= 1.15)")
    print(f"  ours uncached / threaded boto3     {median['ours'] / median['floor_parallel']:6.2f}")
    print(f"  ours cached                        {median['ours_cached']:6.2f} s (goal < 1 s)")
    if "aws" in median:
        print(f"  aws_ec2 uncached / ours uncached   {median['aws'] / median['ours']:6.2f}")
        print(f"  aws_ec2 cached / ours cached       {median['aws_cached'] / median['ours_cached']:6.2f}")
        print(f"  aws_ec2 uncached / floor           {median['aws'] / median['floor']:6.2f}")
        print(f"  aws_ec2 cached / floor             {median['aws_cached'] / median['floor']:6.2f}")
        print("  same hosts, role groups and ansible_host as amazon.aws.aws_ec2: yes")


if __name__ == "__main__":
    main()
