#!/usr/bin/env bash
# The main job on the shipped scenarios: set up, build, validate and describe every
# scenario, replay the five incidents, then the Monte Carlo of the baseline design, and
# an HTML report of the baseline and one drill. Results land in results/ (written
# atomically by drsim); the report is results/report.html.
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
echo "== the report: the baseline design and the Constant Contact power drill"
$drsim report results/baseline.json results/constant-contact-power-drill.json -o results/report.html --png results/figures
echo
echo "results written to results/; the report is results/report.html (open it in a browser; figures as PNG in results/figures/)"
