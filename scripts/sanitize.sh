#!/usr/bin/env bash
# Builds drsim and its tests with AddressSanitizer + UndefinedBehaviorSanitizer
# (clang, DRSIM_SANITIZE=ON) in build-asan and runs the tests; any sanitizer report fails.
# build-asan is shared with scripts/fuzz.sh (same configuration), so CI builds it once.
#
#   bash scripts/sanitize.sh          # every test but the slow statistical ones ([mc], [validation], [kill])
#   bash scripts/sanitize.sh --all    # the whole suite (about 15 minutes on 2 cores under ASan)
#   bash scripts/sanitize.sh '[hardening]'   # any Catch2 test spec
#
# The tests that run the drsim program run the sanitized one, so the CLI paths
# (bad input, damaged state files, signals) are checked too.
set -euo pipefail
cd "$(dirname "$0")/.."
spec="~[mc]~[validation]~[kill]"
if [ "${1:-}" = "--all" ]; then spec=""; elif [ -n "${1:-}" ]; then spec="$1"; fi
bash scripts/setup.sh
source scripts/asan-config.sh
cmake --build build-asan -j2 --target drsim drsim_tests
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
start=$(date +%s)
if [ -n "$spec" ]; then
  build-asan/tests/drsim_tests "$spec"
else
  build-asan/tests/drsim_tests
fi
echo "sanitize: clean ($(( $(date +%s) - start )) s)" >&2
