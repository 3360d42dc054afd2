#!/usr/bin/env bash
# Engines benchmark, side by side in one run: drsim's fast engine and SimGrid engine,
# SimGrid with one actor per component, the bare event calendar, and SimPy 3 (the peer).
# Usage: bench/engines.sh [HORIZON_HOURS]   (default 500000: ~1.8 M events)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
horizon=${1:-500000}
cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DDRSIM_BENCH=ON -DDRSIM_TESTS=OFF >/dev/null
cmake --build "$root/build-bench" --target engines_bench -j "$(nproc)" >/dev/null
echo "machine: $(nproc) cores, $(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(g++ --version | head -n 1)"
echo "command: bench/engines.sh $horizon"
echo
echo "| engine | events | seconds | events/s |"
echo "|---|---:|---:|---:|"
for mode in calendar fast simgrid sg-actors; do
  "$root/build-bench/bench/engines_bench" "$mode" "$horizon" | awk '{printf "| %s | %d | %.2f | %.2f M |\n", $1, $2, $3, $4/1e6}'
done
/usr/bin/python3 "$root/bench/simpy_peer.py" "$horizon" | awk '{printf "| %s (peer) | %d | %.2f | %.2f M |\n", $1, $2, $3, $4/1e6}'
