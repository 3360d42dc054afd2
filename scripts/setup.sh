#!/usr/bin/env bash
# Installs drsim's build and run dependencies from Debian 12 packages.
# Does nothing when everything is already present; run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsimgrid-dev                 # SimGrid 3.32: the platform engine
  libboost-program-options-dev   # command line
  libboost-math-dev              # quantiles, special functions
  libeigen3-dev                  # analytic Markov models
  nlohmann-json3-dev             # scenario files and results
  catch2                         # tests (2.13)
  librandom123-dev               # counter-based Philox random streams
  libfmt-dev                     # formatting
  nettle-dev                     # SHA-256 of scenario, checkpoint and shard files
  python3 python3-simpy3 python3-matplotlib   # benchmark peer and plots
  chromium python3-websocket     # tests/report_test.cpp opens the HTML report in headless Chromium (DevTools protocol)
  clang libclang-rt-14-dev       # libFuzzer and sanitizers (scripts/fuzz.sh)
  libopenmpi-dev openmpi-bin     # drsim run --mpi (optional at build time)
  slurm-wlm munge                # scripts/cluster-test.sh: a one-node Slurm on localhost
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present" >&2
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
