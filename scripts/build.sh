#!/usr/bin/env bash
# Configures and builds probe in build/ (or $PROBE_BUILD_DIR). Extra arguments go to cmake
# and override the defaults below.
#
# Default: an optimised build without debug information (-O2, as Debian builds packages):
# with -g, g++ 12 spends about a third more time on the coroutine-heavy files, and CI
# builds the whole tree twice on two cores. For a debugger: -DCMAKE_BUILD_TYPE=RelWithDebInfo.
# ccache, when installed (scripts/install-deps.sh installs it), keeps compiled objects
# between builds and clones; CCACHE_BASEDIR makes its keys independent of the checkout path.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${PROBE_BUILD_DIR:-build}
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
  "${launcher[@]}" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)" ${PROBE_BUILD_TARGET:+--target "$PROBE_BUILD_TARGET"}
