#!/usr/bin/env bash
# Run one phase of `make test`: its output lines are prefixed with the phase's
# name (the two chains of `make test` run side by side), and its start, time
# and exit status are recorded in a table that scripts/phase-table.sh prints.
#
#   scripts/phase.sh TIMES_FILE NAME -- COMMAND [ARGS...]
#
# TIMES_FILE gets one line when the phase starts (still running) and one when
# it ends: NAME, start (epoch seconds), seconds, exit status, and the phase's
# log, tab-separated. The log keeps the phase's output, unprefixed, in
# TIMES_FILE's folder as phase-NAME.log (spaces become dashes);
# scripts/phase-table.sh prints the lines of a failed phase that say why.
# Exits with the command's status.
set -uo pipefail

if [ "$#" -lt 4 ] || [ "$3" != "--" ]; then
  echo "usage: scripts/phase.sh TIMES_FILE NAME -- COMMAND [ARGS...]" >&2
  exit 2
fi
times=$1
name=$2
shift 3

mkdir -p "$(dirname "$times")"
log="$(dirname "$times")/phase-${name// /-}.log"
start=$(date +%s)
printf '%s\t%s\t-\t-\t%s\n' "$name" "$start" "$log" >>"$times"
"$@" 2>&1 | tee "$log" | sed -u "s/^/[$name] /"
status=${PIPESTATUS[0]}
printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$start" "$(($(date +%s) - start))" "$status" "$log" >>"$times"
exit "$status"
