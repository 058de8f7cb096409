#!/usr/bin/env bash
# Configures and builds lpcert (Release) in build/. Extra arguments go to CMake.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/install-deps.sh"
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=Release "$@" > /dev/null
cmake --build "$here/build" -j "$(nproc)"
