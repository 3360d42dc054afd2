#!/usr/bin/env bash
# Reproduces the table of docs/validation.md: for V1-V7, the closed form (design.md §6),
# the CTMC solution (drsim analyze) and the Monte Carlo estimate with its 95 % CI
# (drsim run). Usage: scripts/validation-table.sh [TRIALS_V1_V5] [TRIALS_V6_V7] [SEED]
# Then the matrix of issue 11 (scenarios/validation/M*.json): its rows come from the
# test that derives each truth, tests/validation_matrix_test.cpp (DRSIM_MATRIX_TABLE=1);
# skipped when the test binary (DRSIM_TESTS, default build/tests/drsim_tests) is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
drsim=${DRSIM:-build/drsim}
t15=${1:-100000}; t67=${2:-1000000}; seed=${3:-11}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for v in 1 2 3 4 5 6 7; do
  t=$t15; [ "$v" -ge 6 ] && t=$t67
  "$drsim" run "scenarios/validation/V$v.json" --trials "$t" --seed "$seed" -q --out "$tmp/mc$v.json"
  "$drsim" analyze "scenarios/validation/V$v.json" --json "$tmp/an$v.json" >/dev/null
done
/usr/bin/python3 - "$tmp" <<'PY'
import json, math, sys
tmp = sys.argv[1]
l, m = 1e-3, 0.1
h = lambda y: 1 - (1 - math.exp(-y)) / y
def v5(l, m, c, d):
    # The 4-state chain of design.md V5, solved by hand: balance equations.
    import itertools
    # states 0:2up 1:1up 2:D 3:0up
    Q = [[0]*4 for _ in range(4)]
    def r(i, j, x): Q[i][j] += x; Q[i][i] -= x
    r(0,1,2*l*c); r(0,2,2*l*(1-c)); r(2,1,d); r(2,3,l); r(1,0,m); r(1,3,l); r(3,1,m)
    A = [[Q[j][i] for j in range(4)] for i in range(4)]; A[3] = [1,1,1,1]; b = [0,0,0,1]
    for i in range(4):  # Gauss-Jordan
        p = max(range(i,4), key=lambda k: abs(A[k][i])); A[i],A[p] = A[p],A[i]; b[i],b[p] = b[p],b[i]
        for k in range(4):
            if k != i:
                f = A[k][i]/A[i][i]; A[k] = [x-f*y for x,y in zip(A[k],A[i])]; b[k] -= f*b[i]
    pi = [b[i]/A[i][i] for i in range(4)]
    return pi[2] + pi[3]
a, bb = 0.9e-5, 1e-6
closed = {1: l/(l+m), 2: 2*l*l/(m*m+2*l*m+2*l*l), 3: (l/(l+m))**2, 4: l*l/(m*m+l*m+l*l), 5: v5(l, m, 0.95, 2),
          6: h(1e-5*730), 7: 2*h((a+bb)*730) - h((2*a+bb)*730)}
print("| case | closed form | CTMC (drsim analyze) | CTMC vs closed form | Monte Carlo [95 % CI] | CI holds it | trials |")
print("|---|---|---|---|---|---|---|")
for v in range(1, 8):
    r = json.load(open(f"{tmp}/mc{v}.json")); an = json.load(open(f"{tmp}/an{v}.json"))["unavailability"]
    A = r["availability"]; u = 1 - A["mean"]; lo, hi = 1 - A["ci95"][1], 1 - A["ci95"][0]
    c = closed[v]
    print(f"| V{v} | {c:.6e} | {an:.9e} | {abs(an-c)/c:.1e} | {u:.4e} [{lo:.4e}, {hi:.4e}] | {'yes' if lo <= c <= hi else 'NO'} | {r['trials']:,} |")
PY
tests=${DRSIM_TESTS:-$(dirname "$drsim")/tests/drsim_tests}
if [ -x "$tests" ]; then
  echo
  echo "| case | steady-state truth | analyze | truth over the horizon | Monte Carlo [95 % CI] | z | CI holds it | trials |"
  echo "|---|---|---|---|---|---|---|---|"
  DRSIM_MATRIX_TABLE=1 "$tests" "[matrix]" | grep '^| M' | sort | sed 's/| -1.000000e+00 |/| — |/'
else
  echo "(matrix skipped: no $tests)" >&2
fi
