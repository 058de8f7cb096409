#!/usr/bin/env bash
# Fuzzes lpcert's input readers with libFuzzer (clang-14; AddressSanitizer + UBSan):
# the expression parser, the exact dyadic parser, the certificate reader of `verify check` and
# the network reader.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   exploration (default 30 s, all targets):
#       random seed, the corpus grows in build-fuzz/corpus/; for finding new bugs
#   scripts/fuzz.sh --smoke [RUNS] [TARGET...]         what the test command runs (default 100,000
#       runs per target): the stored corpus and findings, then a fixed seed and a fixed number of
#       runs from the stored corpus only, so that a run gives the same result on every machine
# Findings go to build-fuzz/artifacts/ and make the script fail. A finding becomes a regression
# test by adding its file to tests/fuzz/regressions/<target>/ (replayed by every run of this script).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
smoke=0
if [ "${1:-}" = "--smoke" ]; then smoke=1; shift; fi
amount="${1:-}"
shift || true
[ -z "$amount" ] && { [ $smoke = 1 ] && amount=100000 || amount=30; }
[[ "$amount" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: '$amount' is not a number of seconds or runs" >&2; exit 2; }
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_expression fuzz_dyadic fuzz_certificate fuzz_network fuzz_onnx)

bash "$here/scripts/install-deps.sh" fuzz
build="$here/build-fuzz"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLPCERT_FUZZ=ON -DLPCERT_BUILD_TESTS=OFF > /dev/null
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" > "$build/build.log" 2>&1 || { tail -30 "$build/build.log"; exit 1; }

mkdir -p "$build/artifacts"
flags=(-rss_limit_mb=2048 -timeout=10 -max_len=65536)
status=0
for t in "${targets[@]}"; do
  # the stored findings and the seed corpus first: each input must run cleanly
  mapfile -t stored < <(find "$here/tests/fuzz/regressions/$t" "$here/tests/fuzz/corpus/$t" -type f ! -name '.*' 2>/dev/null | sort)
  if [ ${#stored[@]} -gt 0 ]; then
    "$build/fuzz/$t" "${flags[@]}" "${stored[@]}" > "$build/$t.replay.log" 2>&1 \
      || { echo "$t: a stored input fails (see $build/$t.replay.log)"; tail -25 "$build/$t.replay.log"; status=1; continue; }
  fi
  if [ $smoke = 1 ]; then
    corpus="$build/smoke-corpus/$t"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    cp "$here/tests/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
    run=(-seed=1 -runs="$amount")
    what="fixed seed 1"
  else
    corpus="$build/corpus/$t"
    mkdir -p "$corpus"
    cp -n "$here/tests/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
    run=(-max_total_time="$amount")
    what="${amount} s"
  fi
  touch "$build/$t.start"
  "$build/fuzz/$t" "$corpus" "${run[@]}" "${flags[@]}" \
    -artifact_prefix="$build/artifacts/$t-" -print_final_stats=1 > "$build/$t.log" 2>&1 || status=1
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/$t.log" | grep -o '[0-9]*$' || echo "?")
  if grep -q "ERROR: libFuzzer\|SUMMARY: .*Sanitizer\|runtime error" "$build/$t.log"; then
    echo "$t: FINDING after $runs runs (see $build/$t.log and $build/artifacts/)"
    grep -m3 "ERROR: libFuzzer\|SUMMARY: .*Sanitizer\|runtime error\|Test unit written" "$build/$t.log" || true
    # the input itself, so that a finding on a machine one cannot log into can be replayed
    find "$build/artifacts" -name "$t-*" -newer "$build/$t.start" -type f | while read -r a; do
      echo "  $(basename "$a") (base64, first 3000 bytes): $(head -c 3000 "$a" | base64 -w0)"
    done
    status=1
  else
    echo "$t: $runs runs ($what), no finding"
  fi
done
exit $status
