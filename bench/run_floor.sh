#!/usr/bin/env bash
# The floor of `drsim run` (issue 14), for docs/performance.md, in three parts:
#  1. instructions (callgrind, deterministic): model (a) 2,000 trial-years and the
#     two-site baseline 5,000 trial-years, seed 1, one job; with the events, so the
#     instructions per event;
#  2. two cores against one: the baseline, 1,000,000 trials, seed 7, --jobs 1 and 2
#     alternated RUNS times; wall, user and peak memory of each, and whether the two
#     results.json are identical (they must be);
#  3. start-up: the median and best wall of 21 runs of `validate` and `run --trials 1`.
# Run on an idle machine: part 2 measures wall time (the load is printed first).
# Usage: bench/run_floor.sh [DRSIM] [RUNS]   (defaults: build/drsim, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
drsim=$(realpath "${1:-build/drsim}")
runs=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
base=scenarios/designs/two-site-baseline.json
echo "## $drsim; $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%FT%TZ)"
echo "## uptime: $(uptime)"
echo
echo "### 1. instructions (callgrind)"
if command -v valgrind >/dev/null; then
  for spec in "bench/model-a.json 2000" "$base 5000"; do
    read -r file trials <<<"$spec"
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$drsim" run "$file" --trials "$trials" --seed 1 --jobs 1 -q \
      --out "$tmp/r.json" >/dev/null 2>&1
    python3 - "$tmp/cg" "$tmp/r.json" "$file" "$trials" <<'PY'
import json, sys
cg, res, file, trials = sys.argv[1:]
total = next(int(l.split()[1]) for l in open(cg) if l.startswith("summary:"))
events = json.load(open(res))["timing"]["events"]
print(f"{file}, {trials} trial-years: {total / 1e6:.1f} M instructions, {events:,} events, {total / events:,.0f} per event")
PY
  done
else
  echo "(valgrind not installed: apt-get install valgrind)"
fi
echo
echo "### 2. --jobs 1 vs --jobs 2, $base, 1,000,000 trials"
echo "| jobs | wall s | user s | peak MB |"
echo "|---:|---:|---:|---:|"
for ((i = 0; i < runs; ++i)); do
  for j in 1 2; do
    /usr/bin/time -f "%e %U %M" -o "$tmp/time" "$drsim" run "$base" --trials 1000000 --seed 7 --jobs "$j" -q --out "$tmp/j$j.json"
    read -r wall user kb < <(tail -n 1 "$tmp/time")
    echo "| $j | $wall | $user | $((kb / 1024)) |"
  done
done
python3 - "$tmp/j1.json" "$tmp/j2.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for d in (a, b):
    d.pop("timing", None)
print("results of --jobs 1 and --jobs 2:", "identical" if a == b else "DIFFERENT")
PY
echo
echo "### 3. start-up, 21 runs each"
python3 - "$drsim" "$base" "$tmp" <<'PY'
import statistics, subprocess, sys, time
drsim, base, tmp = sys.argv[1:]
for args in (["validate", base], ["run", base, "--trials", "1", "-q", "--out", tmp + "/t.json"],
             ["run", "bench/model-a.json", "--trials", "1", "-q", "--out", tmp + "/t.json"]):
    ts = []
    for _ in range(21):
        t = time.perf_counter()
        subprocess.run([drsim] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        ts.append((time.perf_counter() - t) * 1000)
    print(f"drsim {' '.join(args[:2])}{' --trials 1' if args[0] == 'run' else ''}: median {statistics.median(ts):.1f} ms, best {min(ts):.1f} ms")
PY
echo "shared libraries linked: $(ldd "$drsim" | wc -l)"
