#!/usr/bin/env bash
# Rare events (issue 18), for docs/performance.md: plain Monte Carlo (`drsim run`) against
# importance sampling (`drsim rare`) on the same Markovian models, P(service down at
# least once in a year) from all-up, side by side in one run:
#  - the work-normalised variance, variance per trial x CPU seconds per trial (plain
#    Monte Carlo's per-trial variance is the Bernoulli p(1 - p), with p from drsim
#    analyze; importance sampling's is the measured variance of its weights), their
#    ratio, and the CPU time each needs for a 10 % relative error at 95 %;
#  - a model with p ~ 1e-7 estimated to 10 % on 2 cores: the wall time.
# Usage: bench/rare.sh [BUILD_DIR] [NAIVE_TRIALS] [IS_TRIALS]   (defaults: build, 2000000, 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
naive_trials=${2:-2000000}
is_trials=${3:-20000}
drsim="$build/drsim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "## machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); uptime: $(uptime)"
# 1-of-3 active units, one repair crew, MTTR 10 h; the unit's failure rate sets p.
model() {
  python3 - "$1" "$2" <<'PY'
import json, sys
lam, path = sys.argv[1], sys.argv[2]
comps = [{"id": f"u{i}", "kind": "generic", "failures": [{"id": "hw", "type": "random",
          "ttf": {"dist": "exponential", "rate": f"{lam}/h"}, "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]}
         for i in range(3)]
json.dump({"drsim": 1, "title": f"1-of-3, one crew, lambda {lam}/h, MTTR 10 h", "horizon": "1y", "components": comps,
           "groups": [{"id": "g", "members": ["u0", "u1", "u2"], "need": 1, "mode": "active-active", "repair_crews": 1}],
           "service": {"requires": "g"}}, open(path, "w"))
PY
}
# 16-of-20, a crew per unit (MTTF 10,000 h, MTTR 10 h): 2^20 states, past analyze's cap.
wide() {
  python3 - "$1" <<'PY'
import json, sys
comps = [{"id": f"u{i}", "kind": "generic", "failures": [{"id": "hw", "type": "random",
          "ttf": {"dist": "exponential", "mean": "10000h"}, "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]}
         for i in range(20)]
json.dump({"drsim": 1, "title": "16-of-20, a crew each", "horizon": "1y", "components": comps,
           "groups": [{"id": "g", "members": [f"u{i}" for i in range(20)], "need": 16, "mode": "active-active"}],
           "service": {"requires": "g"}}, open(sys.argv[1], "w"))
PY
}
wide "$tmp/wide.json"
model 6e-5 "$tmp/p6.json"
model 2.8e-5 "$tmp/p7.json"
for m in p6 p7; do "$drsim" analyze "$tmp/$m.json" --at 1y --json "$tmp/$m-exact.json" >/dev/null; done
echo
echo "### p ~ 1e-6: $naive_trials plain trials (drsim run --jobs 1) vs $is_trials importance-sampling trials (drsim rare --jobs 1)"
"$drsim" run "$tmp/p6.json" --trials "$naive_trials" --jobs 1 -q --out "$tmp/p6-naive.json"
"$drsim" rare "$tmp/p6.json" --measure horizon --trials "$is_trials" --jobs 1 -q --json "$tmp/p6-is.json"
"$drsim" rare "$tmp/p6.json" --measure unavailability --trials "$is_trials" --jobs 1 -q --json "$tmp/p6-isu.json"
echo
echo "### p ~ 1e-7 to 10 % on 2 cores (drsim rare --jobs 2 --trials 4000)"
"$drsim" rare "$tmp/p7.json" --measure horizon --trials 4000 --jobs 2 -q --json "$tmp/p7-is.json"
echo
echo "### past analyze: 16-of-20, a crew each (2^20 states), unavailability (drsim rare --bias 0.8 --jobs 2 --trials 10000)"
"$drsim" analyze "$tmp/wide.json" 2>&1 | head -1 || true
"$drsim" rare "$tmp/wide.json" --measure unavailability --bias 0.8 --trials 10000 --jobs 2 -q --json "$tmp/wide-is.json"
python3 - "$tmp" "$naive_trials" <<'PY'
import json, sys
tmp, naive_n = sys.argv[1], int(sys.argv[2])
load = lambda n: json.load(open(f"{tmp}/{n}.json"))
z2 = (1.959963984540054 / 0.1) ** 2  # trials x relative variance needed for 10 % at 95 %
ex, nv, ims = load("p6-exact"), load("p6-naive"), load("p6-is")
p = 1 - ex["at"]["reliability"]
naive_cpu = nv["timing"]["cpu_seconds"] / naive_n
naive_var = p * (1 - p)
est = ims["down_within_horizon"]
is_cpu = ims["timing"]["cpu_seconds"] / est["trials"]
is_var = est["weight_variance"]
print()
print(f"exact P(down within 1y) {p:.6e} (drsim analyze); plain Monte Carlo saw {nv['p_any_outage']['value']:.3e} "
      f"(CI {nv['p_any_outage']['ci95'][0]:.2e}..{nv['p_any_outage']['ci95'][1]:.2e}); "
      f"importance sampling {est['value']:.6e} [{est['ci95'][0]:.6e}, {est['ci95'][1]:.6e}], ±{100 * est['rel_error']:.1f} %")
print()
print("| method | trials | CPU s | CPU s / trial | variance / trial | work-normalised variance | CPU s to ±10 % |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, n, cpu, var in (("plain Monte Carlo (drsim run)", naive_n, naive_cpu, naive_var),
                          ("importance sampling (drsim rare)", est["trials"], is_cpu, is_var)):
    print(f"| {name} | {n:,} | {cpu * n:.2f} | {cpu:.3g} | {var:.3e} | {var * cpu:.3e} | {z2 * var / p**2 * cpu:.3g} |")
print(f"\nwork ratio (plain / importance sampling): {naive_var * naive_cpu / (is_var * is_cpu):,.0f}x")
imu = load("p6-isu")
u, ue = imu["unavailability"], ex["unavailability"]
ucpu = imu["timing"]["cpu_seconds"]
print(f"unavailability: exact {ue:.6e}; importance sampling {u['value']:.6e} [{u['ci95'][0]:.6e}, {u['ci95'][1]:.6e}], ±{100 * u['rel_error']:.1f} %"
      f" in {ucpu:.2f} s CPU ({u['trials']:,} cycles; ±10 % would take ~{ucpu * (u['rel_error'] / 0.1) ** 2:.3g} s);"
      f" plain Monte Carlo saw {nv['downtime_minutes']['mean']:.3g} min of downtime per trial-year in {naive_n:,}")
e7, x7 = load("p7-is"), load("p7-exact")
d7 = e7["down_within_horizon"]
print(f"\np ~ 1e-7: exact {1 - x7['at']['reliability']:.6e}; importance sampling {d7['value']:.6e} [{d7['ci95'][0]:.6e}, {d7['ci95'][1]:.6e}], "
      f"±{100 * d7['rel_error']:.1f} % in {e7['timing']['wall_seconds']:.2f} s wall, {e7['timing']['cpu_seconds']:.2f} s CPU, 2 threads; "
      f"plain Monte Carlo would need ~{z2 * (1 - x7['at']['reliability']) / (1 - x7['at']['reliability'])**2 * naive_cpu:,.0f} CPU s")
from math import comb
a = 1e-4 / (1e-4 + 0.1)
uw = sum(comb(20, k) * a**k * (1 - a) ** (20 - k) for k in range(5, 21))
w = load("wide-is")
wu = w["unavailability"]
print(f"\n16-of-20: closed form (binomial) {uw:.6e}; importance sampling {wu['value']:.6e} [{wu['ci95'][0]:.6e}, {wu['ci95'][1]:.6e}], "
      f"±{100 * wu['rel_error']:.1f} % in {w['timing']['wall_seconds']:.2f} s wall, {w['timing']['cpu_seconds']:.2f} s CPU, 2 threads")
PY
