#!/usr/bin/env bash
# Fuzzes drsim's readers of untrusted input with libFuzzer (clang, ASan + UBSan):
# the scenario loader, the checkpoint reader and the shard readers (merge, rare --merge).
#
#   bash scripts/fuzz.sh [SECONDS]     # each target for SECONDS (default 60); CI runs it short
#   bash scripts/fuzz.sh 14400         # hours on demand
#
# Builds in build-asan (clang, DRSIM_FUZZ=ON, DRSIM_SANITIZE=ON; shared with
# scripts/sanitize.sh). Seed corpus: tests/bad/*.json and scenarios/**.json for the loader;
# checkpoints and shard files written by build-asan/fuzz/make_seeds for the others. The
# corpus grows in build-asan/corpus/ and is kept between runs. A crash or timeout leaves
# its input in build-asan/artifacts/ and fails the script: copy it to
# tests/fuzz/<target>/ (tests/fuzz_regression_test.cpp replays those) and fix the cause.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
bash scripts/setup.sh
source scripts/asan-config.sh
cmake --build build-asan -j2 --target fuzz_scenario fuzz_checkpoint fuzz_shard fuzz_rare_shard make_seeds
corpus=build-asan/corpus
mkdir -p "$corpus/scenario" "$corpus/checkpoint" "$corpus/shard" "$corpus/rare_shard" build-asan/artifacts
cp tests/bad/*.json "$corpus/scenario/"
find scenarios -name '*.json' -exec cp {} "$corpus/scenario/" \;
build-asan/fuzz/make_seeds "$corpus/checkpoint" "$corpus/shard" "$corpus/rare_shard"
# Earlier crashes stay in the corpus.
for t in scenario checkpoint shard rare_shard; do
  if [ -d "tests/fuzz/$t" ]; then cp tests/fuzz/$t/* "$corpus/$t/" 2>/dev/null || true; fi
done
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for t in scenario checkpoint shard rare_shard; do
  echo "fuzz: $t for ${secs}s ($(ls "$corpus/$t" | wc -l) corpus files)" >&2
  if ! build-asan/fuzz/fuzz_$t -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=300000 \
      -print_final_stats=1 -artifact_prefix="build-asan/artifacts/$t-" "$corpus/$t" 2>build-asan/fuzz-$t.log; then
    echo "fuzz: $t FAILED: see build-asan/fuzz-$t.log and build-asan/artifacts/" >&2
    tail -40 build-asan/fuzz-$t.log >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units|cov:" build-asan/fuzz-$t.log | tail -2 >&2 || true
  echo "fuzz: $t corpus now $(ls "$corpus/$t" | wc -l) files" >&2
done
exit $status
