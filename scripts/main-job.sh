#!/usr/bin/env bash
# Installs what is missing, builds, and runs the quick certification suite with its report (and the
# quick part of the layer-wise suite: the MGDL/LPA claims on the trained networks, in OUT/layerwise).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/build.sh"
out="${1:-$here/lpcert-report}"
"$here/build/bin/verify" reproduce --quick --out "$out"
"$here/build/bin/verify" reproduce --suite layerwise --quick --out "$out/layerwise"
