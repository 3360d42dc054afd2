#!/usr/bin/env bash
# The screenshots in docs/ of what `drsim report` makes from the shipped examples: the
# baseline design's report and the Constant Contact power drill's, each the top of the
# page as headless Chromium shows it (tests/report_browser.py), as small PNGs.
#   bash scripts/report-screenshots.sh [BUILD_DIR]   (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
drsim=${1:-build}/drsim
py=${DRSIM_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$drsim run scenarios/designs/two-site-baseline.json --trials 20000 --quiet --out "$tmp/baseline.json"
$drsim drill scenarios/incidents/constant-contact-power.json --point --trials 2000 --json "$tmp/power.json" >/dev/null
$drsim report "$tmp/baseline.json" -o "$tmp/baseline.html"
$drsim report "$tmp/power.json" -o "$tmp/power.html"
shot() {  # HTML, PNG, viewport height
  "$py" tests/report_browser.py "$1" --screenshot "$2" --width 1000 --height "$3" --scale 0.8 >/dev/null
  # 256 colours: a page of text and flat plots loses nothing visible and shrinks 3-4x.
  "$py" -c "import sys; from PIL import Image; Image.open(sys.argv[1]).convert('RGB').quantize(256).save(sys.argv[1], optimize=True)" "$2"
  echo "$2: $(stat -c %s "$2") bytes"
}
shot "$tmp/baseline.html" docs/report-baseline.png 1500
shot "$tmp/power.html" docs/report-drill.png 1100
