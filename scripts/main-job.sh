#!/usr/bin/env bash
# The main job on the shipped scenarios: set up, build, validate and describe every
# scenario, replay the five incidents, then the Monte Carlo of the baseline design.
# Results land in results/ (written atomically by drsim).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
drsim=build/drsim
mkdir -p results

echo "== validate every shipped scenario"
$drsim validate scenarios/*/*.json

echo
echo "== the baseline design"
$drsim describe scenarios/designs/two-site-baseline.json

shopt -s nullglob
incidents=(scenarios/incidents/*.json)
for f in "${incidents[@]}"; do
  echo
  echo "== incident replay: $f"
  $drsim drill "$f" --point --trials 2000 --json "results/$(basename "$f" .json)-drill.json"
done

echo
echo "== Monte Carlo: the baseline design"
$drsim run scenarios/designs/two-site-baseline.json --trials 20000 --out results/baseline.json
echo
echo "results written to results/"
