"""Command line of runner.py: parse, plan, lock, run. Exit codes: 0 ok, 1 failed, 2 bad usage."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from scaleout import plan as planner
from scaleout.artifacts import cluster_dir, new_run_dir
from scaleout.lab_inventory import cluster_from_inventory
from scaleout.lock import ClusterLock, LockBusyError
from scaleout.plan import Cluster, Plan, PlanError
from scaleout.run import REPO_ROOT, run_playbook

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PROVIDERS = ("lab", "aws")
DEFAULT_CLUSTER = "pydio"
MUTATING = {"up", "deploy", "scale", "scale-in", "down"}


class NotAvailableError(RuntimeError):
    """A part the command needs is not built yet; nothing was changed."""


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
        help="inventory describing the cluster (default for the lab: inventory/lab/hosts.yml)",
    )
    parser.add_argument(
        "--artifacts-dir",
        type=Path,
        default=default(REPO_ROOT / "artifacts"),
        help="root of the run folders and cluster locks (default: artifacts/)",
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
    sub.add_parser("up", parents=[common], help="provision the nodes, then deploy")
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
    down = sub.add_parser("down", parents=[common], help="destroy the cluster (lab; AWS needs --yes)")
    down.add_argument("--yes", action="store_true", help="confirm destroying an AWS cluster")
    return parser


def load_cluster(args: argparse.Namespace) -> tuple[Cluster, str]:
    """The cluster as it is now, from the inventory (the providers cannot list nodes yet), and a note."""
    name = planner.check_cluster_name(args.cluster)
    path: Path | None = args.inventory
    if path is None and args.provider == "lab":
        path = REPO_ROOT / "inventory" / "lab" / "hosts.yml"
        if not path.exists():
            if args.command == "up":
                return Cluster(name), ""
            note = "note: no lab inventory yet, so this plan assumes the default lab layout that `up` creates"
            return Cluster(name, planner.default_lab_nodes(name)), note
    if path is None:
        raise NotAvailableError(
            f"the {args.provider} provider is not implemented yet, so the nodes of cluster {name!r} cannot be "
            "listed; pass --inventory FILE to plan from an inventory"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"cannot read inventory {path}: {exc.strerror}") from None
    cluster = cluster_from_inventory(text, name)
    if cluster.name != name:
        raise PlanError(f"inventory {path} describes cluster {cluster.name!r}, not {name!r}")
    return cluster, ""


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
    return planner.plan_down(cluster, args.provider, args.yes)


def missing_parts(plan: Plan, provider: str, inventory: Path | None) -> list[str]:
    """What the plan needs that does not exist yet (checked before any change)."""
    missing: list[str] = []
    for step in plan.steps:
        if step.kind != "playbook":
            missing.append(f"{step.kind} needs the {provider} provider, which is not implemented yet")
        elif step.playbook and not (REPO_ROOT / step.playbook).is_file():
            missing.append(f"{step.playbook} does not exist yet")
    if inventory is None and not missing:
        missing.append("no inventory for this cluster")
    return list(dict.fromkeys(missing))


def execute(plan: Plan, args: argparse.Namespace) -> int:
    inventory = args.inventory or REPO_ROOT / "inventory" / args.provider / "hosts.yml"
    missing = missing_parts(plan, args.provider, inventory if inventory.exists() else None)
    if missing:
        print(f"error: {plan.command} cannot run yet; nothing was changed:", file=sys.stderr)
        for item in missing:
            print(f"  - {item}", file=sys.stderr)
        return EXIT_FAILED
    run_dir = new_run_dir(args.artifacts_dir, plan.cluster, plan.command)
    print(f"run folder: {run_dir}")
    for step in plan.steps:
        assert step.playbook is not None  # checked by missing_parts
        result = run_playbook(REPO_ROOT / step.playbook, run_dir, inventory, limit=step.limit, verbose=args.verbose)
        if not result.ok:
            print(f"error: {step.description} failed; see {run_dir}", file=sys.stderr)
            return EXIT_FAILED
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        cluster, note = load_cluster(args)
        plan = make_plan(args, cluster)
    except PlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except NotAvailableError as exc:
        print(f"error: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    if args.dry_run:
        if getattr(args, "json", False):
            print(json.dumps({**plan.as_dict(), "note": note}, indent=2))
        else:
            print(planner.render_plan(plan))
            if note:
                print(note)
        return EXIT_OK
    if args.command not in MUTATING:
        return execute(plan, args)
    lock = ClusterLock(
        cluster_dir(args.artifacts_dir, plan.cluster), plan.cluster, " ".join(sys.argv[1:]) or plan.command
    )
    try:
        with lock:
            return execute(plan, args)
    except LockBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
