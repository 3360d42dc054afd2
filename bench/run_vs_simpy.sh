#!/usr/bin/env bash
# drsim run — what users run — against SimPy 3 on issue 3's model (a) (bench/model-a.json:
# 5 groups of 2-of-3 in series, exponential lifetimes 1,000 h and repairs 10 h, a crew per
# unit), side by side in one run: RUNS paired runs, each drsim's whole process (start-up,
# engine, aggregation, results.json) and then the SimPy script's whole process, both on
# one core, CPU seconds (user + sys). Prints each pair and the medians.
#
#   bench/run_vs_simpy.sh [TRIAL_YEARS] [RUNS]     # defaults 20000 and 5; uses build/drsim
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
years=${1:-20000}
runs=${2:-5}
drsim=${DRSIM:-$root/build/drsim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: bench/run_vs_simpy.sh $years $runs   ($drsim)"
echo
echo "| run | drsim CPU s | drsim trial-years/CPU-s | drsim events/CPU-s | SimPy CPU s | SimPy trial-years/CPU-s | ratio |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
ratios=()
for i in $(seq 1 "$runs"); do
  /usr/bin/time -f "%U %S" -o "$tmp/d.time" taskset -c 0 "$drsim" run "$root/bench/model-a.json" --trials "$years" --jobs 1 \
    --out "$tmp/r.json" >/dev/null
  /usr/bin/time -f "%U %S" -o "$tmp/s.time" taskset -c 0 /usr/bin/python3 "$root/bench/simpy_model_a.py" "$years" >/dev/null
  row=$(python3 - "$tmp" "$years" "$i" <<'PY'
import json, sys
tmp, years, i = sys.argv[1], float(sys.argv[2]), sys.argv[3]
cpu = lambda f: sum(map(float, open(f).read().split()[-2:]))
d, s = cpu(tmp + "/d.time"), cpu(tmp + "/s.time")
ev = json.load(open(tmp + "/r.json"))["timing"]["events"]
print(f"| {i} | {d:.2f} | {years / d:,.0f} | {ev / d / 1e6:.2f} M | {s:.2f} | {years / s:,.0f} | {s / d:.1f}x |")
PY
)
  echo "$row"
  ratios+=("$(echo "$row" | awk -F'|' '{gsub(/[ x]/, "", $8); print $8}')")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {printf "\nmedian ratio (SimPy CPU / drsim CPU): %.1fx over %d paired runs\n", (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), NR}'
