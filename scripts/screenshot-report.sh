#!/usr/bin/env bash
# Renders an lpcert HTML report in headless Chromium (Debian's package) to a PNG, so that a person
# (or a reviewer) can look at what the report shows. Usage: screenshot-report.sh REPORT.html OUT.png
set -euo pipefail
html="$(realpath "$1")"
out="$2"
if ! command -v chromium > /dev/null; then
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium > /dev/null
fi
profile="$(mktemp -d)"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1200,1600 \
  --screenshot="$out" "file://$html" > /dev/null 2>&1
rm -rf "$profile"
test -s "$out" && echo "screenshot: $out"
