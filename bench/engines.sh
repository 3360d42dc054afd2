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

# Issue 3's models: (a) 5 groups of 2-of-3 in series, (b) the two-site baseline.
years=${YEARS:-2000}
echo
echo "model (a): 5 groups of 2-of-3 units in series; $years trial-years each; closed form U = 1-(1-(3q^2(1-q)+q^3))^5, q = 1e-3/(1e-3+0.1)"
/usr/bin/python3 -c 'q=1e-3/(1e-3+0.1); P=3*q*q*(1-q)+q**3; print("closed form: %.6e" % (1-(1-P)**5))'
echo
echo "| engine, model | events | seconds | events/s | trial-years/s | unavailability [95 % CI] | peak MiB |"
echo "|---|---:|---:|---:|---:|---|---:|"
fmt='{printf "| %s | %d | %.2f | %.2f M | %.0f | %.4e [%.4e, %.4e] | %.1f |\n", $1, $2, $3, $4/1e6, $5, $6, $7, $8, $9}'
"$root/build-bench/bench/engines_bench" fast a "$years" | awk "$fmt"
"$root/build-bench/bench/engines_bench" simgrid a "$years" | awk "$fmt"
/usr/bin/python3 "$root/bench/simpy_model_a.py" "$years" | awk "$fmt"
"$root/build-bench/bench/engines_bench" fast b "$years" | awk "$fmt"
"$root/build-bench/bench/engines_bench" simgrid b 0.2 | awk "$fmt"   # the baseline on SimGrid: 0.2 years (two replication streams tick every 10 s)
