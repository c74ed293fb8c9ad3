"""Carry out one parsed command line: load the cluster, plan, refuse, lock, execute, and report (docs/runner.md)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from scaleout import plan as planner
from scaleout.artifacts import cluster_dir
from scaleout.cli import EXIT_DEGRADED, EXIT_FAILED, EXIT_OK, EXIT_USAGE
from scaleout.execute import Execution, NotAvailableError
from scaleout.extra_vars import read_extra_vars
from scaleout.lock import ClusterLock, LockBusyError
from scaleout.model import Cluster, Node, PlanError
from scaleout.paths import REPO_ROOT
from scaleout.plan import Plan
from scaleout.providers.base import Provider, ProviderError
from scaleout.providers.factory import make_provider
from scaleout.providers.lab_inventory import cluster_from_inventory


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
    # down removes stopped nodes too; status reports them; scale-in takes out a node that is down; bake needs none
    nodes = provider.list_nodes(name, include_stopped=args.command in ("down", "status", "scale-in", "bake"))
    if args.command == "scale-in":
        others = sorted(n.name for n in nodes if not n.running and n.name != args.compute)
        if others:
            raise ProviderError(
                f"node(s) {', '.join(others)} of cluster {name!r} are not running; start them first: scale-in "
                f"may take out a node that is down ({args.compute}), but needs the others"
            )
    if nodes:
        return Cluster(name, tuple(Node(n.name, n.groups) for n in nodes)), ""
    if args.command in ("up", "bake") or not args.dry_run:
        return Cluster(name), ""
    note = "note: the cluster has no node yet, so this plan assumes the default layout that `up` creates"
    return Cluster(name, planner.default_lab_nodes(name, lb_node=provider.lb_node)), note


def make_plan(args: argparse.Namespace, cluster: Cluster, provider: Provider | None = None) -> Plan:
    if args.command == "up":
        return planner.plan_up(cluster, lb_node=provider.lb_node if provider is not None else True)
    if args.command == "deploy":
        return planner.plan_deploy(cluster)
    if args.command == "status":
        return planner.plan_status(cluster)
    if args.command == "scale":
        if args.compute is not None:
            unjoined = provider.unjoined(cluster.name) if provider is not None and cluster.nodes else []
            return planner.plan_scale_compute(cluster, args.compute, unjoined)
        return planner.plan_scale_storage(cluster, args.storage or None)
    if args.command == "scale-in":
        return planner.plan_scale_in_compute(cluster, args.compute)
    if args.command == "backup":
        return planner.plan_backup(cluster, str((cluster_dir(args.artifacts_dir, cluster.name) / "backups").resolve()))
    if args.command == "restore":
        if not args.source.is_file():
            raise PlanError(f"restore --from {args.source}: no such file on this machine; give a dump of `backup`")
        return planner.plan_restore(cluster, str(args.source.resolve()), args.database, args.overwrite)
    if args.command == "bake":
        # Without a provider (aws without --aws-config) a dry run still shows the plan; a run stops later.
        supported = provider is None or provider.bakes
        return planner.plan_bake(cluster, provider=args.provider, supported=supported, rebuild=args.rebuild)
    return planner.plan_down(cluster, args.provider, args.yes)


def result_document(
    args: argparse.Namespace, code: int, execution: Execution | None = None, error: str | None = None
) -> dict[str, Any]:
    """The --json result of a command that is not a dry run; status adds its report's keys (docs/runner.md)."""
    run_dir = execution.run_dir if execution else None
    document: dict[str, Any] = {
        "command": args.command,
        "cluster": args.cluster,
        "provider": args.provider,
        # The run went through (status: the report was made, healthy or not).
        "ok": execution is not None and code in (EXIT_OK, EXIT_DEGRADED),
        "exit_code": code,
        "run_dir": str(run_dir.resolve()) if run_dir else None,
        "url": execution.url if execution else "",
        "error": error,
    }
    if execution and execution.report:
        document.update(execution.report)
    return dict(sorted(document.items()))


def run_command(args: argparse.Namespace) -> int:
    """Carry out the parsed command; with --json, stdout receives one JSON document and nothing else."""
    if not args.json:
        return _carry_out(args)[0]
    with contextlib.redirect_stdout(sys.stderr):  # whatever else would print to stdout goes to stderr
        code, document = _carry_out(args)
    print(json.dumps(document, indent=2))
    return code


def _refused(args: argparse.Namespace, code: int, message: str) -> tuple[int, dict[str, Any]]:
    print(f"error: {message}", file=sys.stderr)
    return code, result_document(args, code, error=message)


def _carry_out(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    """The exit code, and the document that --json prints."""
    try:
        needed = args.inventory is None
        provider = make_provider(args.provider, REPO_ROOT, args.aws_config, args.lab_port, needed=needed)
        cluster, note = load_cluster(args, provider)
        plan = make_plan(args, cluster, provider)
        extra = read_extra_vars(args.extra_vars, args.vault_password_file)
        if provider is not None:
            provider.check_plan(plan)
        if args.dry_run:
            if not args.json:
                print(planner.render_plan(plan))
                if note:
                    print(note)
            return EXIT_OK, {**plan.as_dict(), "note": note}
        if provider is None:
            raise NotAvailableError(f"the {args.provider} provider needs --aws-config to change {plan.cluster!r}")
        provider.check_launch(plan.launch)  # e.g. a busy port: this machine's state, not bad usage: exit 1
        if args.command == "up":
            provider.check_pydio_source(cluster.name, args.pydio_archive, not args.no_php_check)
    except PlanError as exc:
        return _refused(args, EXIT_USAGE, str(exc))
    except (NotAvailableError, ProviderError, FileNotFoundError) as exc:
        message = str(exc)
        if "nothing was changed" not in message.lower():
            message += "; nothing was changed"
        return _refused(args, EXIT_FAILED, message)
    execution = Execution(
        plan,
        provider,
        args.artifacts_dir,
        inventory=args.inventory,
        verbosity=-1 if args.quiet else args.verbose,
        as_json=args.json,
        extra=extra,
    )
    if plan.read_only:  # status: no lock, and its own exit code for a degraded cluster
        ran = execution.run()
        code = (EXIT_OK if execution.healthy else EXIT_DEGRADED) if ran else EXIT_FAILED
        return code, result_document(args, code, execution)
    lock = ClusterLock(
        cluster_dir(args.artifacts_dir, plan.cluster), plan.cluster, " ".join(sys.argv[1:]) or plan.command
    )
    try:
        with lock:
            code = EXIT_OK if execution.run() else EXIT_FAILED
    except LockBusyError as exc:
        return _refused(args, EXIT_FAILED, str(exc))
    return code, result_document(args, code, execution)
