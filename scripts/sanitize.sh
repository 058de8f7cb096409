#!/usr/bin/env bash
# Builds lpcert with AddressSanitizer + UndefinedBehaviorSanitizer (-DLPCERT_SANITIZE=ON, gcc,
# RelWithDebInfo) in build-asan/ and runs the whole CTest suite under it. Any sanitizer report
# fails the test that triggered it (UBSan does not recover; ASan aborts). Expect it to take
# several times longer than the plain test run. Usage: scripts/sanitize.sh [ctest arguments]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/install-deps.sh"
build="$here/build-asan"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLPCERT_SANITIZE=ON > /dev/null
cmake --build "$build" -j "$(nproc)"
cd "$build"
# leak checking stays on; MPFR's and TBB's caches are freed at exit, so a leak is lpcert's
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --output-on-failure -j "$(nproc)" --timeout 3600 "$@"
