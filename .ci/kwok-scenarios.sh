#!/usr/bin/env bash
# Runs scenarios on the kwok provider for .ci/run: `kwok-scenarios.sh <fast|delayed> <parallel> <junit-list> <scenario>…`.
# Each run gets reports/kwok-<scenario> (fast) or reports/kwok-delayed-<scenario>; the JUnit of every run that ended
# `control plane only` (exit 4) is appended to <junit-list>. A refusal naming `--provider kwok` (exit 2: not root,
# no prebuilt Sail operator) is printed as NOT RUN, never as a pass; any other exit fails the pass (after all runs).
# <parallel> > 1 runs that many at once: each run has its own network namespace, kwokctl workdir and run folder,
# and a bridge port picked free on the host, so they share nothing; their output is printed when each ends.
set -euo pipefail
cd "$(dirname "$0")/.."
stages="$1" parallel="$2" list="$3"
shift 3
prefix="kwok"; [ "$stages" = fast ] || prefix="kwok-$stages"

run_one() {
  local scenario="$1" dir="reports/$prefix-$1"
  local started=$SECONDS rc
  mkdir -p "$dir"
  set +e
  if [ "$parallel" -gt 1 ]; then
    npx ambient-upgrade run --provider kwok --pod-stages "$stages" --scenario "$scenario" --reports-dir "$dir" \
      >"$dir.stdout" 2>"$dir.stderr"
  else
    npx ambient-upgrade run --provider kwok --pod-stages "$stages" --scenario "$scenario" --reports-dir "$dir" \
      2>"$dir.stderr"
  fi
  rc=$?
  set -e
  echo "$rc $((SECONDS - started)) $(cut -d' ' -f1-3 /proc/loadavg)" >"$dir.result"
}

# Judges one finished run (printing its output if it was held back); returns non-zero for a failed run.
judge() {
  local scenario="$1" dir="reports/$prefix-$1" rc secs load
  read -r rc secs load <"$dir.result"
  [ "$parallel" -le 1 ] || cat "$dir.stdout"
  cat "$dir.stderr" >&2
  case "$rc" in
    4) echo "kwok $stages $scenario: control plane only (as expected), ${secs} s (load ${load})"; echo "$dir/junit.xml" >>"$list" ;;
    2) if grep -q -- '--provider kwok' "$dir.stderr"; then echo "kwok $stages $scenario: NOT RUN — $(tail -1 "$dir.stderr")";
       else echo "kwok $stages $scenario: usage error" >&2; return 1; fi ;;
    *) echo "kwok $stages $scenario: exit $rc (expected 4: control plane only)" >&2; return 1 ;;
  esac
}

failed=0
if [ "$parallel" -le 1 ]; then
  # In the foreground, as a plain command: Ctrl-C and CI's cancel reach the CLI, which stops its cluster.
  for scenario in "$@"; do run_one "$scenario"; judge "$scenario" || failed=1; done
  exit "$failed"
fi

# Job control gives each run its own process group, so a signal to this script can be passed on to each
# whole run (the CLI stops its cluster on SIGINT/SIGTERM); without it, background jobs would ignore SIGINT.
set -m
pids=()
# shellcheck disable=SC2317 # called from the traps below
forward() { for pid in "${pids[@]}"; do kill "-$1" -- "-$pid" 2>/dev/null || true; done; wait || true; exit "$2"; }
trap 'forward INT 130' INT
trap 'forward TERM 143' TERM
for scenario in "$@"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  run_one "$scenario" &
  pids+=("$!")
done
wait || true
for scenario in "$@"; do judge "$scenario" || failed=1; done
exit "$failed"
