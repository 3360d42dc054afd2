#!/usr/bin/env bash
# Cluster figures for docs/performance.md: shard balance (max/min trials per shard for
# N = 3, 4, 7, 64 at 10^5 and 10^7 trials), the wall time of one shard process against
# two array-task-like processes side by side on this machine, and the time of
# `drsim merge` over 64 shards.
# Usage: bench/cluster.sh [BUILD_DIR] [SCENARIO] [TRIALS]   (defaults: build, two-site baseline, 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
scenario=${2:-scenarios/designs/two-site-baseline.json}
trials=${3:-200000}
drsim="$build/drsim"
if [ ! -x "$build/bench/shard_balance" ]; then
  cmake -S . -B "$build" -DDRSIM_BENCH=ON >/dev/null
  cmake --build "$build" --target shard_balance -j2 >/dev/null
fi
echo "## machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)"
echo
echo "### shard balance (--block 100)"
"$build/bench/shard_balance" 100
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
echo
echo "### 1 vs 2 array tasks, $trials trials of $scenario, --jobs 1 each"
t0=$(now)
"$drsim" run "$scenario" --trials "$trials" --seed 3 --jobs 1 -q --out "$tmp/single.json"
t1=$(now)
"$drsim" run "$scenario" --trials "$trials" --seed 3 --jobs 1 -q --shard 0/2 --out "$tmp/s-%r.json" &
"$drsim" run "$scenario" --trials "$trials" --seed 3 --jobs 1 -q --shard 1/2 --out "$tmp/s-%r.json" &
wait
t2=$(now)
"$drsim" merge "$scenario" "$tmp"/s-*.json -q --out "$tmp/merged.json"
t3=$(now)
python3 - "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:])
print("| tasks | wall s (run) | merge s | speed-up |")
print("|---:|---:|---:|---:|")
print(f"| 1 | {t1 - t0:.2f} | – | 1.00 |")
print(f"| 2 | {t2 - t1:.2f} | {t3 - t2:.2f} | {(t1 - t0) / (t3 - t1):.2f} (with merge) |")
PY
echo
# 64 shards of a run with 10^5 blocks (the tree of 10^7 trials in blocks of 100), made
# cheap with --block 1: the same number of nodes per shard file.
echo "### drsim merge over 64 shards (100000 trials, --block 1: 10^5 blocks, as 10^7 trials in blocks of 100)"
for i in $(seq 0 63); do
  "$drsim" run "$scenario" --trials 100000 --block 1 --seed 3 --jobs 2 -q --shard "$i/64" --out "$tmp/m-%r.json"
done
du -ch "$tmp"/m-*.json | tail -1 | sed 's/^/shard files: /'
# DRSIM_MERGE_PEER=path/to/another/drsim: its merge of the same files side by side (before/after).
for bin in "$drsim" ${DRSIM_MERGE_PEER:-}; do
  t0=$(now)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%M" -o "$tmp/rss" "$bin" merge "$scenario" "$tmp"/m-*.json -q --out "$tmp/m.json"
  else
    "$bin" merge "$scenario" "$tmp"/m-*.json -q --out "$tmp/m.json"; echo 0 >"$tmp/rss"
  fi
  t1=$(now)
  python3 -c "import sys; print(f'merge of 64 shards ({sys.argv[3]}): {float(sys.argv[2]) - float(sys.argv[1]):.2f} s wall, peak {int(sys.argv[4]) / 1024:.0f} MiB')" \
    "$t0" "$t1" "$bin" "$(cat "$tmp/rss")"
done
