#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in their own build dir and runs each for
# SECONDS (default 60), seeded from the shared corpus. Findings land in build-fuzz/findings.
# Usage: tests/fuzz/run.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
build=$root/build-fuzz
# tests/fuzz is not in the integrator's tests/CMakeLists.txt; a small wrapper project adds it.
wrapper=$build/wrapper
mkdir -p "$wrapper" "$build/findings"
cat >"$wrapper/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(probe_fuzz LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(PROBE_FUZZ ON CACHE BOOL "" FORCE)
set(BUILD_TESTING OFF CACHE BOOL "" FORCE)
set(PROBE_BENCH OFF CACHE BOOL "" FORCE)
add_subdirectory($root probe)
add_subdirectory($root/tests/fuzz fuzz)
CMAKE
CC=clang-14 CXX=clang++-14 cmake -S "$wrapper" -B "$build/out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build/out" --target fuzz_parse fuzz_classify -j2
seeds=$root/../shared/corpus/sisimai-dev/emails
for target in fuzz_parse fuzz_classify; do
  corpus=$build/corpus-$target
  mkdir -p "$corpus"
  [[ -d $seeds ]] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  echo "== $target for ${seconds}s"
  (cd "$build/findings" && "$build/out/fuzz/$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
     -timeout=10 -print_final_stats=1 "$corpus") 2>&1 | tail -n 15
done
