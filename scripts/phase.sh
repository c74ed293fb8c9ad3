#!/usr/bin/env bash
# Run one phase of `make test`: its output lines are prefixed with the phase's
# name (the checks and the container work run side by side), and its time and
# exit status are appended to a table that scripts/phase-table.sh prints.
#
#   scripts/phase.sh TIMES_FILE NAME -- COMMAND [ARGS...]
#
# Exits with the command's status.
set -uo pipefail

if [ "$#" -lt 4 ] || [ "$3" != "--" ]; then
  echo "usage: scripts/phase.sh TIMES_FILE NAME -- COMMAND [ARGS...]" >&2
  exit 2
fi
times=$1
name=$2
shift 3

start=$(date +%s)
"$@" 2>&1 | sed -u "s/^/[$name] /"
status=${PIPESTATUS[0]}
mkdir -p "$(dirname "$times")"
printf '%s\t%s\t%s\n' "$name" "$(($(date +%s) - start))" "$status" >>"$times"
exit "$status"
