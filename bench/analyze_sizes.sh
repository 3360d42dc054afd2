#!/usr/bin/env bash
# drsim analyze on growing chains (issue 14), for docs/performance.md: n-of-2n
# active-active groups, n = 4..12, in three families, and the two-site design of ten
# 12-of-24 groups (scenarios/validation/K02-two-sites-ten-groups.json):
#  - "crew each": 2n identical units (MTTF 50 h, MTTR 10 h), a crew per unit;
#  - "one crew":  the same units sharing one crew (the machine-repair queue);
#  - "unlike":    2n units of different MTTFs (50 h, 51 h, ...), a crew each: nothing
#                 to lump between members, 2^(2n) states (the iterative solver's range).
# Each row: the states analyze reports, wall seconds and peak memory (/usr/bin/time), or
# the error it stopped with. Runs one drsim per row, one at a time, under `nice`.
# Usage: bench/analyze_sizes.sh [DRSIM] [TIME_LIMIT] [MAX_STATES]
#        (defaults: build/drsim, 120s, 1500000 — analyze refuses caps whose estimated memory exceeds half the machine: 5,000,000 states is reckoned ~10.6 GiB)
set -euo pipefail
cd "$(dirname "$0")/.."
drsim=$(realpath "${1:-build/drsim}")
limit=${2:-120s}
max_states=${3:-1500000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "## $drsim; $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%FT%TZ)"
echo "## uptime: $(uptime)"
echo "## command per row: nice $drsim analyze FILE --max-states $max_states --time-limit $limit --json OUT"
echo
# group FILE N FAMILY: an n-of-2n group of one family.
group() {
  python3 - "$@" <<'PY'
import json, sys
path, n, family = sys.argv[1], int(sys.argv[2]), sys.argv[3]
units = 2 * n
def unit(i):
    mttf = 50 + (i if family == "unlike" else 0)
    return {"id": f"u{i}", "kind": "generic", "failures": [{"id": "hw", "type": "random",
            "ttf": {"dist": "exponential", "mean": f"{mttf}h"}, "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]}
g = {"id": "g", "members": [f"u{i}" for i in range(units)], "need": n, "mode": "active-active"}
if family == "one crew":
    g["repair_crews"] = 1
json.dump({"drsim": 1, "title": f"{n}-of-{units}, {family}", "horizon": "1y",
           "components": [unit(i) for i in range(units)], "groups": [g], "service": {"requires": "g"}}, open(path, "w"))
PY
}
echo "| model | states | wall s | peak MB | result |"
echo "|---|---:|---:|---:|---|"
row() {  # row LABEL FILE
  local label=$1 file=$2 out="$tmp/out.json" code=0
  rm -f "$out"
  /usr/bin/time -f "%e %M" -o "$tmp/time" nice "$drsim" analyze "$file" --max-states "$max_states" --time-limit "$limit" \
    --json "$out" >"$tmp/stdout" 2>"$tmp/stderr" || code=$?
  read -r wall kb < <(tail -n 1 "$tmp/time") || true
  local mb=$(( ${kb:-0} / 1024 ))
  if [ "$code" = 0 ]; then
    local states u
    states=$(jq -r '.states' "$out")
    u=$(jq -r '.unavailability' "$out")
    echo "| $label | $states | $wall | $mb | U = $u |"
  else
    echo "| $label | — | $wall | $mb | exit $code: $(grep -m1 error "$tmp/stderr" | sed 's/^.*error: //' | cut -c1-110) |"
  fi
}
for family in "crew each" "one crew" "unlike"; do
  for n in 4 5 6 7 8 9 10 11 12; do
    f="$tmp/g.json"
    group "$f" "$n" "$family"
    row "$n-of-$((2 * n)), $family" "$f"
  done
done
row "K02: two sites, ten 12-of-24 groups" scenarios/validation/K02-two-sites-ten-groups.json
