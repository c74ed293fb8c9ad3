# -*- coding: utf-8 -*-
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ``gluster --mode=script --xml`` and turn its answer into XML or an error.

The runner takes a ``run_command`` callable with the signature of
``AnsibleModule.run_command`` reduced to an argument list, so it is tested
with recorded glusterd output and no Ansible machinery.

glusterd 10 answers most failures with exit code 0 and ``<opRet>-1</opRet>``
in the XML, so success is read from ``opRet``, never from the exit code.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from typing import Callable, List, Optional, Sequence, Tuple

RunCommand = Callable[[List[str]], Tuple[int, str, str]]

# glusterd's errno for "Volume does not exist" (EG_NOVOL in glusterd-errno.h).
EG_NOVOL = 30806


class GlusterError(Exception):
    """Anything that went wrong talking to the gluster CLI."""


class GlusterCLIError(GlusterError):
    """The CLI gave no usable XML (not installed, glusterd down, crash)."""

    def __init__(self, args: Sequence[str], rc: int, stdout: str, stderr: str) -> None:
        self.args_list = list(args)
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        detail = (stderr or stdout or "no output").strip()
        super().__init__(f"`{command_line(args)}` gave no XML answer (rc={rc}): {detail}")


class GlusterCommandError(GlusterError):
    """glusterd refused the operation: ``opRet`` was not 0."""

    def __init__(
        self,
        args: Sequence[str],
        op_ret: int,
        op_errno: int,
        op_errstr: str,
        output: str = "",
    ) -> None:
        self.args_list = list(args)
        self.op_ret = op_ret
        self.op_errno = op_errno
        self.op_errstr = op_errstr
        self.output = output
        reason = op_errstr or output or "no reason given"
        super().__init__(
            f"`{command_line(args)}` failed (opRet={op_ret}, opErrno={op_errno}, opErrstr={op_errstr!r}): {reason}"
        )

    def as_dict(self) -> dict:
        """The fields a module returns beside its message."""
        return {
            "op_ret": self.op_ret,
            "op_errno": self.op_errno,
            "op_errstr": self.op_errstr,
            "output": self.output,
        }


class GlusterTimeout(GlusterError):
    """A wait (peer join, rebalance, remove-brick migration) ran out of time."""


def command_line(args: Sequence[str]) -> str:
    """The gluster command line, for messages and the ``commands`` result."""
    return " ".join(["gluster", *args])


def _int(text: Optional[str], default: int = 0) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return default


def parse_cli_output(args: Sequence[str], rc: int, stdout: str, stderr: str) -> ET.Element:
    """Parse one answer of the CLI; raise on anything but ``opRet`` 0."""
    start = stdout.find("<?xml")
    if start < 0:
        start = stdout.find("<cliOutput")
    if start < 0:
        raise GlusterCLIError(args, rc, stdout, stderr)
    try:
        root = ET.fromstring(stdout[start:].strip())
    except ET.ParseError as exc:
        raise GlusterCLIError(args, rc, stdout, f"{stderr} (XML error: {exc})".strip()) from exc
    if root.tag != "cliOutput":
        raise GlusterCLIError(args, rc, stdout, stderr)
    op_ret = _int(root.findtext("opRet"), default=-1)
    if op_ret != 0:
        raise GlusterCommandError(
            args,
            op_ret,
            _int(root.findtext("opErrno")),
            (root.findtext("opErrstr") or "").strip(),
            (root.findtext("output") or "").strip(),
        )
    return root


class GlusterCLI:
    """Issue gluster commands through a ``run_command`` callable.

    ``issued`` keeps every command line sent, in order, for the module's
    ``commands`` result and for tests that count CLI calls.
    """

    def __init__(self, run_command: RunCommand, binary: str = "gluster") -> None:
        self._run_command = run_command
        self._binary = binary
        self.issued: List[str] = []

    def run(self, *args: str) -> ET.Element:
        """Run ``gluster --mode=script --xml ARGS`` and give the ``cliOutput`` root."""
        argv = [self._binary, "--mode=script", "--xml", *args]
        self.issued.append(command_line(args))
        rc, stdout, stderr = self._run_command(argv)
        return parse_cli_output(args, rc, stdout or "", stderr or "")


class Clock:
    """Sleep and time source of the waits; tests give one that does not sleep."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
