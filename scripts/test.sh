#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (Catch2 through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh RelWithDebInfo
ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 600
# The cluster recipes on a real one-node Slurm and mpirun -n 2 (about a minute).
scripts/cluster-test.sh build
