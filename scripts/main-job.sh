#!/usr/bin/env bash
# Installs what is missing, builds, and runs the quick certification suite with its report.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/build.sh"
out="${1:-$here/lpcert-report}"
"$here/build/bin/verify" reproduce --quick --out "$out"
