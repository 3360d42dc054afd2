#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (Catch2 through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh RelWithDebInfo
ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 600
# The cluster recipes on a real one-node Slurm and mpirun -n 2 (about a minute).
scripts/cluster-test.sh build
# The long checks, short (docs/guarantees.md): the fast tests under ASan + UBSan, and
# each libFuzzer target for 30 s. DRSIM_SKIP_LONG_CHECKS=1 leaves them out locally.
if [ "${DRSIM_SKIP_LONG_CHECKS:-0}" != 1 ]; then
  scripts/sanitize.sh '[sanitize],[bad]'
  scripts/fuzz.sh 30
fi
