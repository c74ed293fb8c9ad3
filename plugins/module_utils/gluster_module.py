# -*- coding: utf-8 -*-
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every gluster module does around its own operation.

Each module (gluster_info, gluster_peer, gluster_volume) checks its own
parameters, then hands one operation to :func:`run_gluster_module`: it finds
the ``gluster`` binary, runs the CLI in the C locale, maps the errors to
``fail_json`` fields, and returns ``calls`` (every command line run) with the
operation's result. ``module`` is duck-typed (``get_bin_path``,
``run_command``, ``fail_json``, ``exit_json``, ``warn``, ``_diff``), so this
is tested with recorded glusterd output and no Ansible machinery.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_cli import (
    GlusterCLI,
    GlusterCommandError,
    GlusterError,
)
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_ops import MissingVolumes
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_plan import PlanError

# glusterd's messages are matched in English.
C_LOCALE = {"LANG": "C", "LC_ALL": "C", "LC_MESSAGES": "C"}

Operation = Callable[[GlusterCLI], Dict[str, Any]]


def gluster_cli(module: Any) -> GlusterCLI:
    """A CLI runner on the target's ``gluster`` binary (the module fails when there is none)."""
    binary = module.get_bin_path("gluster", required=True)
    return GlusterCLI(lambda argv: module.run_command(argv, environ_update=C_LOCALE), binary)


def failure_fields(error: Exception) -> Dict[str, Any]:
    """The ``fail_json`` fields of an error: its message, and what else it knows."""
    fields: Dict[str, Any] = {"msg": str(error)}
    if isinstance(error, MissingVolumes):
        fields["missing"] = error.missing
    elif isinstance(error, GlusterCommandError):
        fields.update(error.as_dict())
    return fields


def run_gluster_module(module: Any, operation: Operation) -> None:
    """Run ``operation`` on a gluster CLI and end the module with its result.

    A refusal of the plan or of glusterd fails the module with
    :func:`failure_fields`. The result's ``warnings`` become module warnings,
    and its ``diff`` is returned only in diff mode.
    """
    cli = gluster_cli(module)
    try:
        result = operation(cli)
    except (GlusterError, PlanError) as error:
        module.fail_json(calls=cli.issued, **failure_fields(error))
        return
    for warning in result.pop("warnings", []):
        module.warn(warning)
    diff = result.pop("diff", None)
    if diff is not None and module._diff:
        result["diff"] = diff
    module.exit_json(calls=cli.issued, **result)
