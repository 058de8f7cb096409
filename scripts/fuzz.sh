#!/usr/bin/env bash
# Fuzzes lpcert's input readers with libFuzzer (clang-14; AddressSanitizer + UBSan):
# the expression parser, the exact dyadic parser, the certificate reader of `verify check` and
# the network reader. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 30 s, all)
# Each target starts from tests/fuzz/corpus/<target>/ (copied, so the repository is not changed);
# findings go to build-fuzz/artifacts/ and make the script fail. A finding becomes a regression
# test by adding its file to tests/fuzz/regressions/<target>/ (replayed by every run of this script).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-30}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_expression fuzz_dyadic fuzz_certificate fuzz_network)

bash "$here/scripts/install-deps.sh" fuzz
build="$here/build-fuzz"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLPCERT_FUZZ=ON -DLPCERT_BUILD_TESTS=OFF > /dev/null
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" > "$build/build.log" 2>&1 || { tail -30 "$build/build.log"; exit 1; }

mkdir -p "$build/artifacts"
status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  cp -n "$here/tests/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
  # replay the stored findings first: each must now run cleanly
  mapfile -t stored < <(find "$here/tests/fuzz/regressions/$t" -type f ! -name '.*' 2>/dev/null | sort)
  if [ ${#stored[@]} -gt 0 ]; then
    "$build/fuzz/$t" -rss_limit_mb=2048 -timeout=10 "${stored[@]}" > "$build/$t.replay.log" 2>&1 \
      || { echo "$t: a stored regression input fails again (see $build/$t.replay.log)"; status=1; }
  fi
  "$build/fuzz/$t" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -artifact_prefix="$build/artifacts/$t-" -print_final_stats=1 > "$build/$t.log" 2>&1 || status=1
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/$t.log" | grep -o '[0-9]*$' || echo "?")
  if grep -q "ERROR: libFuzzer\|SUMMARY: .*Sanitizer\|runtime error" "$build/$t.log"; then
    echo "$t: FINDING after $runs runs (see $build/$t.log and $build/artifacts/)"
    status=1
  else
    echo "$t: $runs runs in ${seconds} s, no finding"
  fi
done
exit $status
