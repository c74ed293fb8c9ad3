#!/usr/bin/env bash
# Print the phases that scripts/phase.sh recorded, in the order they ended,
# with their times, their exit status, and the wall-clock time of the whole run.
#
#   scripts/phase-table.sh TIMES_FILE WALL_SECONDS
set -euo pipefail

times=$1
wall=$2
[ -s "$times" ] || {
  echo "make test: no phase ran"
  exit 0
}
echo
echo "make test: phases (checks and container work run side by side)"
printf '  %-28s %8s  %s\n' phase seconds result
while IFS=$'\t' read -r name seconds status; do
  result=ok
  [ "$status" = 0 ] || result="FAILED (exit $status)"
  printf '  %-28s %8s  %s\n' "$name" "$seconds" "$result"
done <"$times"
printf '  %-28s %8s\n' "wall clock" "$wall"
