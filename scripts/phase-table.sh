#!/usr/bin/env bash
# Print the phases that scripts/phase.sh recorded, in the order they started:
# when each started (seconds after the run began), how long it took and its
# result ("running" for a phase that had not ended, as when the run is
# stopped), then the wall-clock time of the whole run. Then, for each phase
# that failed, the lines of its log (scripts/phase.sh keeps one per phase and
# records its path in TIMES_FILE) that say why: the two chains' output is interleaved, and a failure far above the
# end of the run is easy to miss. At most DIGEST_LINES (60) lines per phase.
#
#   scripts/phase-table.sh TIMES_FILE RUN_START_EPOCH
set -euo pipefail

times=$1
run_start=$2
now=$(date +%s)
[ -s "$times" ] || {
  echo "make test: no phase ran"
  exit 0
}
echo
echo "make test: phases (two chains run side by side)"
printf '  %-28s %8s %8s  %s\n' phase start seconds result
# The last line of each phase wins: its end, or its start if it never ended.
awk -F '\t' '{ last[$1] = $0; if (!($1 in first)) { first[$1] = NR; order[NR] = $1 } }
  END { for (i = 1; i <= NR; i++) if (i in order) print last[order[i]] }' "$times" |
  while IFS=$'\t' read -r name start seconds status _log; do
    if [ "$status" = - ]; then
      seconds=$((now - start))
      result="running (stopped)"
    elif [ "$status" = 0 ]; then
      result=ok
    else
      result="FAILED (exit $status)"
    fi
    printf '  %-28s %8s %8s  %s\n' "$name" "+$((start - run_start))" "$seconds" "$result"
  done
printf '  %-28s %8s %8s\n' "wall clock" "" "$((now - run_start))"

# Why each failed phase failed: Ansible's fatal and failed tasks, the tasks that
# broke idempotence, pytest's failures and assertion lines, tracebacks and
# errors, each with the lines that follow it. Colours are removed.
digest_lines=${DIGEST_LINES:-60}
awk -F '\t' '{ status[$1] = $4; path[$1] = $5 }
  END { for (n in status) if (status[n] != "-" && status[n] != 0) print n "\t" path[n] }' "$times" |
  sort | while IFS=$'\t' read -r name log; do
    echo
    echo "make test: why '$name' failed (from ${log#"$PWD"/})"
    [ -s "$log" ] || {
      echo "  (no log)"
      continue
    }
    sed -e 's/\x1b\[[0-9;]*m//g' "$log" |
      grep -E -A3 'fatal: \[|FAILED!|failed=[1-9]|unreachable=[1-9]|Idempotence test failed|^(FAILED|ERROR) |^E   |Error:|Traceback|AssertionError|ERROR   |CRITICAL' |
      grep -v -E "glob failed" | head -n "$digest_lines" | sed 's/^/  /' || true
  done
