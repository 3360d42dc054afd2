#!/usr/bin/env bash
# Configures and builds drsim (and its tests) in build/. Usage: scripts/build.sh [BUILD_TYPE]
set -euo pipefail
cd "$(dirname "$0")/.."
type="${1:-RelWithDebInfo}"
cmake -S . -B build -DCMAKE_BUILD_TYPE="$type" >/dev/null
cmake --build build -j "$(nproc)"
