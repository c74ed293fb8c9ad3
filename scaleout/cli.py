"""Command line of runner.py and of the `scaleout` command: parse, then hand over to scaleout.command.

Exit codes: 0 ok, 1 failed, 2 bad usage, 3 (status) degraded. This module imports the standard library
and scaleout's light modules only, so that --help and --version work without ansible-runner, boto3 or PyYAML.
"""

from __future__ import annotations

import argparse
import os
import textwrap
from collections.abc import Sequence
from pathlib import Path

from scaleout import __version__
from scaleout.defaults import DEFAULT_CLUSTER, DEFAULT_LAB_PORT, PROVIDERS
from scaleout.paths import REPO_ROOT
from scaleout.strategy import SWITCH, switch_value

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# status: the report was made, and it found the cluster degraded (docs/runner.md).
EXIT_DEGRADED = 3

# Options an operator sets once per shell, by their variable; an option on the command line wins.
ENVIRONMENT = {
    "provider": "SCALEOUT_PROVIDER",
    "cluster": "SCALEOUT_CLUSTER",
    "aws_config": "SCALEOUT_AWS_CONFIG",
}
EPILOG = "\n".join(
    [
        "environment:",
        *(f"  {name:<20} sets --{dest.replace('_', '-')}" for dest, name in ENVIRONMENT.items()),
        "  An option given on the command line wins over its variable.",
        f"  {SWITCH:<20} mitogen or linear: Ansible's strategy (default: the provider's)",
        "  An empty variable counts as unset.",
    ]
)

# Each subcommand: its one-line help (in the list of commands) and its description (in its own --help).
COMMANDS = {
    "up": (
        "provision the nodes, then deploy",
        "Launch the default layout (2 storage+compute nodes, 1 db, and in the lab 1 HAProxy lb; on AWS the ALB "
        "is the load balancer) when the cluster has no node yet, then converge it with playbooks/site.yml.",
    ),
    "deploy": (
        "converge the cluster with site.yml",
        "Run playbooks/site.yml on every node of the cluster; it launches and removes nothing.",
    ),
    "scale": (
        "add compute nodes or a storage replica set",
        "Launch new nodes and configure them: compute nodes in batches of 5 behind the load balancer "
        "(playbooks/scale_compute.yml), or storage nodes one replica set at a time, their bricks added to "
        "the volume (playbooks/scale_storage.yml).",
    ),
    "scale-in": (
        "drain a compute node from the LB, then remove it",
        "Deregister a compute node from the load balancer, wait for the drain (playbooks/scale_in.yml), "
        "then destroy the node. Storage nodes, nodes with another role and the last compute node are refused.",
    ),
    "status": (
        "report the cluster's state",
        "Read the nodes, the GlusterFS pool and volumes, the load balancer's backends, each web node's "
        "check.txt and the database servers (playbooks/status.yml changes nothing). Exit 3 when degraded.",
    ),
    "backup": (
        "dump the database now and copy the dumps to artifacts/<cluster>/backups",
        "Dump the database on its primary now (playbooks/backup.yml) and copy the dumps to "
        "<artifacts-dir>/<cluster>/backups on this machine.",
    ),
    "restore": (
        "load a dump of `backup` into a database",
        "Load a dump made by `backup` into a database (playbooks/restore.yml). The live database is "
        "overwritten only with --overwrite.",
    ),
    "bake": (
        "make an image of the web nodes' packages for new compute nodes",
        "Install Apache, PHP and the gluster client on a builder outside the cluster (playbooks/bake.yml): in the "
        "lab a container, kept as an image named by its base image; on AWS an instance, kept as an "
        "AMI with CreateImage. Then record the image for the cluster: its compute nodes launched from now on "
        "start from it, so `scale --compute` only configures them. An image of the same base image is reused "
        "unless --rebuild is given.",
    ),
    "down": (
        "destroy the cluster (lab; AWS needs --yes)",
        "Destroy every node of the cluster, running or stopped. In the lab this also removes its network "
        "and its inventory folder with the generated passwords. On AWS it needs --yes, and then also removes the "
        "cluster's load balancer, target group, listeners and security groups.",
    ),
}


def port_number(text: str) -> int:
    """A TCP port for --lab-port: 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number: give a number from 1 to 65535") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range: give a number from 1 to 65535")
    return port


def environment(dest: str) -> str | None:
    """The value of the variable that sets option ``dest``; None when unset or empty."""
    return os.environ.get(ENVIRONMENT[dest], "").strip() or None


def _global_options(defaults: bool) -> argparse.ArgumentParser:
    """Global options, accepted before or after the subcommand."""
    parser = argparse.ArgumentParser(add_help=False)

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    aws_config = environment("aws_config") if defaults else None
    parser.add_argument(
        "--provider",
        choices=PROVIDERS,
        default=default(environment("provider") or "lab"),
        help=f"where the nodes run (default: ${ENVIRONMENT['provider']}, else lab)",
    )
    parser.add_argument(
        "--cluster",
        default=default(environment("cluster") or DEFAULT_CLUSTER),
        help=f"cluster name (default: ${ENVIRONMENT['cluster']}, else {DEFAULT_CLUSTER})",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        default=default(False),
        help="print the plan (nodes to launch, plays, limits, batches) and change nothing",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print one JSON document on stdout: the plan with --dry-run, else the result and the run folder; "
        "progress goes to stderr",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default(0),
        help="show every host result; -v, -vv, -vvv are also passed to ansible-playbook",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="show only errors and the final result",
    )
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
        default=default(Path(aws_config) if aws_config else None),
        help=f"the aws provider's settings (see docs/aws.md; default: ${ENVIRONMENT['aws_config']})",
    )
    parser.add_argument(
        "-e",
        "--extra-vars",
        action="append",
        default=default(None),
        metavar="VARS",
        help="variables for every playbook, as ansible-playbook takes them: key=value, YAML/JSON, or @FILE; "
        "repeatable, a later one wins (the provider's and the command's own variables win over them)",
    )
    parser.add_argument(
        "--vault-password-file",
        type=Path,
        default=default(None),
        metavar="FILE",
        help="the Ansible Vault password file, for encrypted group_vars or -e @FILE",
    )
    parser.add_argument(
        "--lab-port",
        type=port_number,
        # None, not 8080, so that an explicit port can be checked against an existing cluster's.
        default=default(None),
        help=f"loopback port on which the lab's load balancer is published (default: {DEFAULT_LAB_PORT})",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    common = _global_options(defaults=False)
    parser = argparse.ArgumentParser(
        description="Provision, deploy and grow a scaleout.pydio cluster.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_global_options(defaults=True)],
    )
    parser.add_argument("--version", action="version", version=f"scaleout.pydio {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str) -> argparse.ArgumentParser:
        short, description = COMMANDS[name]
        return sub.add_parser(
            name,
            parents=[common],
            help=short,
            description=textwrap.fill(description, 78),
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    up = command("up")
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
    command("deploy")
    scale = command("scale")
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
    scale_in = command("scale-in")
    scale_in.add_argument("--compute", required=True, metavar="HOST", help="the compute node to remove")
    command("status")
    command("backup")
    restore = command("restore")
    restore.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE", help="the dump")
    restore.add_argument("--database", metavar="NAME", help="restore into this database (default: the live one)")
    restore.add_argument("--overwrite", action="store_true", help="allow restoring into the live database")
    bake = command("bake")
    bake.add_argument(
        "--rebuild", action="store_true", help="bake again although an image of the same base image exists"
    )
    down = command("down")
    down.add_argument("--yes", action="store_true", help="confirm destroying an AWS cluster")
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, with the environment's defaults; bad usage exits 2 (argparse's SystemExit)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.provider not in PROVIDERS:  # argparse checks the choices of the command line only
        parser.error(
            f"{ENVIRONMENT['provider']}={args.provider!r} is not a provider (choose from "
            + ", ".join(repr(p) for p in PROVIDERS)
            + ")"
        )
    if args.quiet and args.verbose:
        parser.error("argument -q/--quiet: not allowed with argument -v/--verbose")
    try:
        switch_value()  # SCALEOUT_STRATEGY is read for each playbook: a bad value stops here, before any change
    except ValueError as error:
        parser.error(str(error))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    # Imported here: planning and running need ansible-runner, boto3 and PyYAML; --help and --version do not.
    from scaleout.command import run_command

    return run_command(args)
