#!/usr/bin/env bash
# A sweep of 10 points × 20,000 trial-years of the baseline against one 20,000-trial
# drsim run of it, both on every core (issue 16's goal: the sweep within 10× the run).
# Usage: bench/sweep.sh [BUILD_DIR]   (default build/). Prints both wall times, the ratio
# and the machine's load average when it started.
set -euo pipefail
cd "$(dirname "$0")/.."
drsim="${1:-build}/drsim"
scenario=scenarios/designs/two-site-baseline.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); nproc $(nproc)"
t0=$(date +%s.%N)
"$drsim" run "$scenario" --trials 20000 --seed 1 --out "$tmp/run.json" >/dev/null
t1=$(date +%s.%N)
"$drsim" sweep "$scenario" --set /groups/sites/failover/coverage=0.5,0.6,0.7,0.8,0.85,0.9,0.95,0.97,0.99,1 \
  --trials 20000 --seed 1 --out "$tmp/sweep.json" >/dev/null
t2=$(date +%s.%N)
python3 - "$t0" "$t1" "$t2" <<'PY'
import sys
t0, t1, t2 = map(float, sys.argv[1:])
run, sweep = t1 - t0, t2 - t1
print(f"drsim run, 20,000 trials: {run:.2f} s")
print(f"drsim sweep, 10 points x 20,000 trials (+ the base): {sweep:.2f} s")
print(f"ratio sweep / run: {sweep / run:.2f} (goal: under 10)")
PY
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
