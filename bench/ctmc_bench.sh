#!/bin/sh
# Builds bench/ctmc_bench.cpp against analysis/ctmc.cpp and ctmc_linear.cpp with plain g++ (no CMake target
# needed) into a temporary directory, runs it, and prints the machine, the compiler and
# the exact commands above the result table. Usage: bench/ctmc_bench.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

compile="g++ -std=c++20 -O2 -DNDEBUG -I$root -I/usr/include/eigen3"
compile="$compile $root/bench/ctmc_bench.cpp $root/analysis/ctmc.cpp $root/analysis/ctmc_linear.cpp -o $out/ctmc_bench"
echo "Compiler: $(g++ --version | head -n 1)"
echo "nproc: $(nproc); CPU: $(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "Command: $compile && $out/ctmc_bench"
echo
$compile
"$out/ctmc_bench"
