"""Command line of runner.py: parse, plan, lock, run. Exit codes: 0 ok, 1 failed, 2 bad usage."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from scaleout import plan as planner
from scaleout.artifacts import cluster_dir
from scaleout.execute import Execution, NotAvailableError
from scaleout.lock import ClusterLock, LockBusyError
from scaleout.model import Cluster, Node, PlanError
from scaleout.paths import REPO_ROOT
from scaleout.plan import Plan
from scaleout.providers.base import Provider, ProviderError
from scaleout.providers.factory import make_provider
from scaleout.providers.lab import DEFAULT_PORT
from scaleout.providers.lab_inventory import cluster_from_inventory

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# status: the report was made, and it found the cluster degraded (docs/runner.md).
EXIT_DEGRADED = 3
PROVIDERS = ("lab", "aws")
DEFAULT_CLUSTER = "pydio"


def port_number(text: str) -> int:
    """A TCP port for --lab-port: 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number: give a number from 1 to 65535") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range: give a number from 1 to 65535")
    return port


def _global_options(defaults: bool) -> argparse.ArgumentParser:
    """Global options, accepted before or after the subcommand."""
    parser = argparse.ArgumentParser(add_help=False)

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--provider", choices=PROVIDERS, default=default("lab"), help="where the nodes run (default: lab)"
    )
    parser.add_argument(
        "--cluster", default=default(DEFAULT_CLUSTER), help=f"cluster name (default: {DEFAULT_CLUSTER})"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        default=default(False),
        help="print the plan (nodes to launch, plays, limits, batches) and change nothing",
    )
    parser.add_argument("-v", "--verbose", action="store_true", default=default(False), help="show every host result")
    parser.add_argument(
        "--inventory",
        type=Path,
        default=default(None),
        help="plan from this inventory instead of asking the provider which nodes exist",
    )
    parser.add_argument(
        "--artifacts-dir",
        type=Path,
        default=default(REPO_ROOT / "artifacts"),
        help="root of the run folders and cluster locks (default: artifacts/)",
    )
    parser.add_argument(
        "--aws-config",
        type=Path,
        default=default(None),
        help="the aws provider's settings (see docs/aws.md)",
    )
    parser.add_argument(
        "--lab-port",
        type=port_number,
        # None, not 8080, so that an explicit port can be checked against an existing cluster's.
        default=default(None),
        help=f"loopback port on which the lab's load balancer is published (default: {DEFAULT_PORT})",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    common = _global_options(defaults=False)
    parser = argparse.ArgumentParser(
        prog="runner.py",
        description="Provision, deploy and grow a scaleout.pydio cluster.",
        parents=[_global_options(defaults=True)],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = sub.add_parser("up", parents=[common], help="provision the nodes, then deploy")
    up.add_argument(
        "--pydio-archive",
        metavar="FILE",
        help="pydio-core-8.2.5.tar.gz on this machine, or 'stand-in' for the offline stand-in (lab only)",
    )
    up.add_argument(
        "--no-php-check",
        action="store_true",
        help="install Pydio 8 although the nodes' PHP is newer than 7.4 (deliberate; see roles/pydio)",
    )
    sub.add_parser("deploy", parents=[common], help="converge the cluster with site.yml")
    scale = sub.add_parser("scale", parents=[common], help="add compute nodes or a storage replica set")
    what = scale.add_mutually_exclusive_group(required=True)
    what.add_argument("--compute", nargs="?", type=int, const=1, metavar="N", help="add N compute nodes (default 1)")
    what.add_argument(
        "--storage",
        nargs="?",
        type=int,
        const=0,
        metavar="N",
        help="add storage nodes: one replica set by default, N must be a multiple of the replica count",
    )
    scale_in = sub.add_parser("scale-in", parents=[common], help="drain a compute node from the LB, then remove it")
    scale_in.add_argument("--compute", required=True, metavar="HOST", help="the compute node to remove")
    status = sub.add_parser("status", parents=[common], help="report the cluster's state")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    sub.add_parser(
        "backup", parents=[common], help="dump the database now and copy the dumps to artifacts/<cluster>/backups"
    )
    restore = sub.add_parser("restore", parents=[common], help="load a dump of `backup` into a database")
    restore.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE", help="the dump")
    restore.add_argument("--database", metavar="NAME", help="restore into this database (default: the live one)")
    restore.add_argument("--overwrite", action="store_true", help="allow restoring into the live database")
    down = sub.add_parser("down", parents=[common], help="destroy the cluster (lab; AWS needs --yes)")
    down.add_argument("--yes", action="store_true", help="confirm destroying an AWS cluster")
    return parser


def load_cluster(args: argparse.Namespace, provider: Provider | None) -> tuple[Cluster, str]:
    """The cluster as it is now (from --inventory, else from the provider), and a note for dry runs."""
    name = planner.check_cluster_name(args.cluster)
    path: Path | None = args.inventory
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PlanError(f"cannot read inventory {path}: {exc.strerror}") from None
        cluster = cluster_from_inventory(text, name)
        if cluster.name != name:
            raise PlanError(f"inventory {path} describes cluster {cluster.name!r}, not {name!r}")
        return cluster, ""
    if provider is None:
        raise NotAvailableError(f"the {args.provider} provider needs --aws-config to find cluster {name!r}")
    # down removes stopped nodes too; status reports them
    nodes = provider.list_nodes(name, include_stopped=args.command in ("down", "status"))
    if nodes:
        return Cluster(name, tuple(Node(n.name, n.groups) for n in nodes)), ""
    if args.command == "up" or not args.dry_run:
        return Cluster(name), ""
    note = "note: the cluster has no node yet, so this plan assumes the default layout that `up` creates"
    return Cluster(name, planner.default_lab_nodes(name)), note


def make_plan(args: argparse.Namespace, cluster: Cluster) -> Plan:
    if args.command == "up":
        return planner.plan_up(cluster)
    if args.command == "deploy":
        return planner.plan_deploy(cluster)
    if args.command == "status":
        return planner.plan_status(cluster)
    if args.command == "scale":
        if args.compute is not None:
            return planner.plan_scale_compute(cluster, args.compute)
        return planner.plan_scale_storage(cluster, args.storage or None)
    if args.command == "scale-in":
        return planner.plan_scale_in_compute(cluster, args.compute)
    if args.command == "backup":
        return planner.plan_backup(cluster, str((cluster_dir(args.artifacts_dir, cluster.name) / "backups").resolve()))
    if args.command == "restore":
        if not args.source.is_file():
            raise PlanError(f"restore --from {args.source}: no such file on this machine; give a dump of `backup`")
        return planner.plan_restore(cluster, str(args.source.resolve()), args.database, args.overwrite)
    return planner.plan_down(cluster, args.provider, args.yes)


def _print_dry_run(args: argparse.Namespace, plan: Plan, note: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps({**plan.as_dict(), "note": note}, indent=2))
        return
    print(planner.render_plan(plan))
    if note:
        print(note)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        needed = args.inventory is None
        provider = make_provider(args.provider, REPO_ROOT, args.aws_config, args.lab_port, needed=needed)
        cluster, note = load_cluster(args, provider)
        plan = make_plan(args, cluster)
        if provider is not None:
            provider.check_plan(plan)
        if args.dry_run:
            _print_dry_run(args, plan, note)
            return EXIT_OK
        if provider is None:
            raise NotAvailableError(f"the {args.provider} provider needs --aws-config to change {plan.cluster!r}")
        provider.check_launch(plan.launch)  # e.g. a busy port: this machine's state, not bad usage: exit 1
        if args.command == "up":
            provider.check_pydio_source(cluster.name, args.pydio_archive, not args.no_php_check)
    except PlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (NotAvailableError, ProviderError, FileNotFoundError) as exc:
        print(f"error: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    execution = Execution(
        plan,
        provider,
        args.artifacts_dir,
        inventory=args.inventory,
        verbose=args.verbose,
        as_json=getattr(args, "json", False),
    )
    if plan.read_only:  # status: no lock, and its own exit code for a degraded cluster
        if not execution.run():
            return EXIT_FAILED
        return EXIT_OK if execution.healthy else EXIT_DEGRADED
    lock = ClusterLock(
        cluster_dir(args.artifacts_dir, plan.cluster), plan.cluster, " ".join(sys.argv[1:]) or plan.command
    )
    try:
        with lock:
            return EXIT_OK if execution.run() else EXIT_FAILED
    except LockBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
