#!/usr/bin/env bash
# Installs what is missing, builds, runs the whole test suite with CTest, then a 30-second
# libFuzzer smoke of each input reader (scripts/fuzz.sh; clang-14 is installed if missing).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/build.sh"
(cd "$here/build" && ctest --output-on-failure -j "$(nproc)" --timeout 900)
bash "$here/scripts/fuzz.sh" 30
