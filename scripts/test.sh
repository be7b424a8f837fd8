#!/usr/bin/env bash
# Installs every dependency (Debian packages), builds probe and runs the whole test suite:
# unit tests, the real-daemon rig tests (nsd, rbldnsd, dnsmasq, Postfix in a network
# namespace; needs root), the RFC 7208 SPF suite and the bounce-corpus accuracy test.
# With PROBE_SANITIZE_CI=1 (the default) the unit tests that read hostile input also run
# once under ASan+UBSan, first, so ctest's summary line of the main run is the last thing printed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$SECONDS
scripts/install-deps.sh

if [[ ${PROBE_SANITIZE_CI:-1} == 1 ]]; then
  # The unit tests labelled "sanitize" (tests/CMakeLists.txt says which and why), built
  # unoptimised: ASan+UBSan at -O2 takes g++ 12 several minutes per coroutine-heavy file.
  echo "== unit tests under ASan+UBSan (build-asan/)"
  PROBE_BUILD_DIR=build-asan PROBE_BUILD_TARGET=sanitize_tests scripts/build.sh \
    -DPROBE_SANITIZE=ON -DPROBE_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$(nproc)" -L sanitize --timeout 600
  echo "== sanitizer run took $((SECONDS - started)) s"
fi

echo "== build/ and the whole suite"
scripts/build.sh
echo "== build took $((SECONDS - started)) s in all"
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 900
