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
# cpu FILE COMMAND...: runs COMMAND and writes its user + sys CPU seconds to FILE, from the
# child's rusage to the microsecond (/usr/bin/time prints 10 ms steps: 2 % of a 0.6 s run).
cpu() {
  python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(f"{r.ru_utime + r.ru_stime:.6f}\n")' "$@"
}
ratios=()
for i in $(seq 1 "$runs"); do
  cpu "$tmp/d.time" taskset -c 0 "$drsim" run "$root/bench/model-a.json" --trials "$years" --jobs 1 --out "$tmp/r.json"
  cpu "$tmp/s.time" taskset -c 0 /usr/bin/python3 "$root/bench/simpy_model_a.py" "$years"
  row=$(python3 - "$tmp" "$years" "$i" <<'PY'
import json, sys
tmp, years, i = sys.argv[1], float(sys.argv[2]), sys.argv[3]
cpu = lambda f: float(open(f).read())
d, s = cpu(tmp + "/d.time"), cpu(tmp + "/s.time")
ev = json.load(open(tmp + "/r.json"))["timing"]["events"]
print(f"| {i} | {d:.3f} | {years / d:,.0f} | {ev / d / 1e6:.2f} M | {s:.2f} | {years / s:,.0f} | {s / d:.1f}x |")
PY
)
  echo "$row"
  ratios+=("$(echo "$row" | awk -F'|' '{gsub(/[ x]/, "", $8); print $8}')")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {printf "\nmedian ratio (SimPy CPU / drsim CPU): %.1fx over %d paired runs\n", (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), NR}'
