#!/usr/bin/env bash
# Installs what is missing, builds, runs the whole test suite with CTest, then the libFuzzer smoke
# of each input reader (scripts/fuzz.sh --smoke: stored inputs, then 100,000 runs from a fixed seed,
# the same on every machine; clang-14 is installed if missing).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/build.sh"
(cd "$here/build" && ctest --output-on-failure -j "$(nproc)" --timeout 900)
bash "$here/scripts/fuzz.sh" --smoke
