#!/usr/bin/env bash
# CTest `cmake_package_consumer`: install the build tree's libraries into a temporary prefix, then
# configure, build and run tests/cmake_consumer against it with find_package(lpcert).
# usage: run.sh BUILD_DIR SOURCE_DIR [CMAKE]
set -euo pipefail
build=$1
src=$2
cmake=${3:-cmake}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the libraries, headers and package files only (the Python module has its own component)
"$cmake" --install "$build" --prefix "$tmp/prefix" --component Unspecified >/dev/null
"$cmake" -S "$src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
"$cmake" --build "$tmp/build" >/dev/null
out=$("$tmp/build/consumer")
echo "$out"
# 1/sqrt(3) = 5.7735026918962576450...e-1: inside the enclosure, which is narrower than 1e-10
# (the default tolerance is 1e-6; the ends are compared in double, far finer than that width)
lower=${out%% <=*}
upper=${out##*<= }
if ! awk -v lo="$lower" -v hi="$upper" 'BEGIN { t = 0.57735026918962576; exit !(lo <= t && t <= hi && hi - lo < 1e-10) }'; then
  echo "unexpected enclosure" >&2
  exit 1
fi
