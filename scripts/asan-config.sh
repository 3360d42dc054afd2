# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: configures build-asan once for both —
# clang, AddressSanitizer + UndefinedBehaviorSanitizer, the libFuzzer targets, the tests.
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDRSIM_SANITIZE=ON -DDRSIM_FUZZ=ON -DDRSIM_TESTS=ON >/dev/null
