#!/usr/bin/env bash
# Installs the Debian 12 packages lpcert needs, only those that are missing.
# Idempotent: on a machine that has everything it does nothing (no apt-get update).
# Usage: install-deps.sh [fuzz]   (fuzz: also clang-14 and libFuzzer, for scripts/fuzz.sh)
set -euo pipefail

packages=(
  build-essential cmake
  libboost1.74-dev libboost-test1.74-dev libboost-program-options1.74-dev
  libmpfr-dev libmpfi-dev libgmp-dev
  libtbb-dev nlohmann-json3-dev
  libonnx-dev libprotobuf-dev
  libbenchmark-dev
  pybind11-dev python3-dev
)
if [ "${1:-}" = fuzz ]; then packages+=(clang-14 libclang-rt-14-dev); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "lpcert: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
