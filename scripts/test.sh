#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (Catch2 through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh RelWithDebInfo
ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 600
# The cluster recipes on a real one-node Slurm and mpirun -n 2 (about a minute).
scripts/cluster-test.sh build
# The sanitized smoke subset (ASan + UBSan, clang: hardening, limits, fuzz regressions,
# the bad-input corpus) and 30 s of fuzzing per reader, on one shared build (build-asan).
# The whole suite sanitized, and fuzzing for hours: docs/guarantees.md.
scripts/sanitize.sh '[sanitize],[bad]'
scripts/fuzz.sh 30
