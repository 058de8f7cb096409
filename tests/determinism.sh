#!/usr/bin/env bash
# Determinism: the same command gives byte-identical certificates (the "environment" block, which
# records threads and seconds, aside) with 1 and 2 threads and across repeated runs.
set -u
verify="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
strip_environment() { sed '/"environment": {/,/}/d' "$1"; }
for construction in floor-relu sin-relu; do
    args=(run --function sine_product --d 2 --N 2 --levels 4 --p 2 --construction "$construction" --quiet)
    timeout 300 "$verify" "${args[@]}" --threads 1 --json "$work/t1.json" > /dev/null
    timeout 300 "$verify" "${args[@]}" --threads 2 --json "$work/t2.json" > /dev/null
    timeout 300 "$verify" "${args[@]}" --threads 2 --json "$work/t2b.json" > /dev/null
    grep -q '"levels"' "$work/t1.json" || { echo "FAIL: no certificate for $construction"; failures=$((failures + 1)); continue; }
    for other in t2 t2b; do
        if ! diff <(strip_environment "$work/t1.json") <(strip_environment "$work/$other.json") > "$work/diff.txt"; then
            echo "FAIL: $construction certificate differs ($other vs 1 thread):"; head -20 "$work/diff.txt"
            failures=$((failures + 1))
        fi
    done
done
echo "determinism: $failures failed"
[ "$failures" = 0 ]
