#!/usr/bin/env bash
# The exit statuses and one-line errors of INTERFACE.md, on the built `verify`.
set -u
verify="$1"
failures=0
expect() {   # expect STATUS PATTERN -- ARGS...
    local want="$1" pattern="$2"
    shift 3
    local err
    err=$(timeout 20 "$verify" "$@" 2>&1 >/dev/null)
    local got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: verify $* -> exit $got (want $want): $err"
        failures=$((failures + 1))
    elif [ -n "$pattern" ] && ! grep -q -- "$pattern" <<<"$err"; then
        echo "FAIL: verify $* -> message '$err' lacks '$pattern'"
        failures=$((failures + 1))
    elif [ "$want" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" != 1 ]; then
        echo "FAIL: verify $* -> error is not one line: $err"
        failures=$((failures + 1))
    fi
}
expect 2 "unknown function" -- run --function nosuch
expect 2 "column 7" -- run --f "sin(x1" --levels 1
expect 2 "--d" -- run --f x1 --d 0
expect 2 "--N" -- run --f x1 --N 1
expect 2 "--p" -- run --f x1 --p 0.5
expect 2 "--levels" -- run --f x1 --levels -1
expect 2 "x3" -- run --f "x3" --d 2
expect 2 "undefined or unbounded" -- run --f "log(x1)" --levels 1
expect 2 "undefined or unbounded" -- integrate --f "1/(x1-0.5)"
expect 2 "undefined or unbounded" -- run --f "log(x1)" --eta "1*2^-10" --levels 1   # found in certify_levels
expect 2 "--eta" -- run --f x1 --eta 0.5
expect 2 "unrecognised option" -- run --f x1 --bogus
expect 2 "missing subcommand" --
expect 2 "unknown subcommand" -- frobnicate
expect 2 "cannot read" -- check /nonexistent.json
expect 3 "needs about" -- run --f x1 --d 3 --N 4 --levels 12
expect 0 "" -- integrate --f "x1^2" --quiet
expect 0 "" -- run --f x1 --levels 3 --quiet
expect 1 "" -- run --f x1 --levels 3 --quiet --target-error 1e-9
echo "$((19 - failures)) passed, $failures failed"
[ "$failures" = 0 ]

# ---- issue 13: every p in [1, inf) ------------------------------------------------------------
# (appended: counted separately so that the summary line above stays as it was)
any_p_failures=0
expect_any_p() {   # expect_any_p ALLOWED_STATUSES PATTERN -- ARGS... (statuses as "0" or "0|1")
    local allowed="$1" pattern="$2"
    shift 3
    local out err got
    err=$(timeout 120 "$verify" "$@" 2>&1 >/tmp/lpcert_cli_any_p.$$)
    got=$?
    out=$(cat /tmp/lpcert_cli_any_p.$$)
    rm -f /tmp/lpcert_cli_any_p.$$
    if ! [[ "|$allowed|" == *"|$got|"* ]]; then
        echo "FAIL: verify $* -> exit $got (want $allowed): $err"
        any_p_failures=$((any_p_failures + 1))
    elif [ -n "$pattern" ] && ! grep -q -- "$pattern" <<<"$err"; then
        echo "FAIL: verify $* -> message '$err' lacks '$pattern'"
        any_p_failures=$((any_p_failures + 1))
    elif [ "$got" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" != 1 ]; then
        echo "FAIL: verify $* -> error is not one line: $err"
        any_p_failures=$((any_p_failures + 1))
    elif grep -qiE '(^|[^a-z])(-?inf|nan)([^a-z]|$)' <<<"$out"; then
        echo "FAIL: verify $* -> an infinite or NaN bound: $out"
        any_p_failures=$((any_p_failures + 1))
    fi
}
for p in 1.01 1.1 2.7 3.3; do
    for f in linear sine kink step; do
        # certified; an honestly inconclusive level (exit 1) is acceptable, a refusal (2) is not
        expect_any_p "0|1" "" -- run --function "$f" --d 1 --N 2 --levels 2 --p "$p" --quiet
    done
done
for p in 1.000001 9.7; do
    expect_any_p 0 "" -- integrate --f "x1^2 + x1" --d 1 --p "$p" --quiet
    expect_any_p 0 "" -- integrate --f "abs(x1 - 0.3) * x2" --d 2 --p "$p" --quiet
    expect_any_p 0 "" -- modulus --f "x1" --d 1 --p "$p" --delta 0.25 --quiet
    expect_any_p 0 "" -- modulus --f "sin(3 * x1)" --d 1 --p "$p" --delta 0.125 --quiet
done
expect_any_p 2 "must be bounded" -- integrate --f "log(x1)" --d 1 --p 2
expect_any_p 2 "must be bounded" -- integrate --f "x1^(-0.25)" --d 1 --p 2
expect_any_p 2 "must be bounded" -- run --f "log(x1)" --d 1 --N 2 --levels 2
expect_any_p 2 "must be bounded" -- run --f "x1^(-0.25)" --d 1 --N 2 --levels 1 --eta "1*2^-10" --quiet
echo "issue 13 (any p): $((28 - any_p_failures)) passed, $any_p_failures failed"
# certify-network (INTERFACE.md "Certifying any network"): on a tiny network written here
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/tiny.json" <<'JSON'
{"schema":"lpcert-network/1","d":1,"N":2,"levels":2,
 "layers":[{"neurons":[{"activation":"relu","weights":[[0,"1"]],"bias":"0"}]}],
 "readouts":[{"level":0,"layer":-1,"weights":[],"bias":"0"},
             {"level":1,"layer":0,"weights":[[0,"1*2^-1"]],"bias":"0"},
             {"level":2,"layer":0,"weights":[[0,"3*2^-2"]],"bias":"0"}]}
JSON
before=$failures
expect 0 "" -- certify-network "$tmp/tiny.json" --f x1 --p 2 --quiet
expect 0 "" -- certify-network "$tmp/tiny.json" --f x1 --p inf --quiet
expect 0 "" -- certify-network "$tmp/tiny.json" --f x1 --p 1 --domain "0:0.5" --quiet --json "$tmp/c.json"
expect 0 "" -- check "$tmp/c.json" --quiet
expect 1 "" -- certify-network "$tmp/tiny.json" --f x1 --p inf --domain "-1:1" --quiet   # |x1 - c relu(x1)| = 1 at -1: undecided
expect 2 "--domain" -- certify-network "$tmp/tiny.json" --f x1 --domain "0.1:1"
expect 2 "--domain" -- certify-network "$tmp/tiny.json" --f x1 --domain "0:1,0:1"
expect 2 "--domain" -- certify-network "$tmp/tiny.json" --f x1 --domain "1:0"
expect 2 "cannot read" -- certify-network "$tmp/nosuch.json" --f x1
expect 2 "x2" -- certify-network "$tmp/tiny.json" --f "x1 + x2"
expect 2 "--p" -- run --f x1 --p inf
echo "certify-network: $((11 - (failures - before))) passed, $((failures - before)) failed"
# verify --help: every subcommand's name stands apart from its synopsis (two spaces at least)
help=$("$verify" --help 2>/dev/null)
for name in run construct integrate modulus check reproduce network functions certify-network; do
    if ! grep -qE "^  $name  +[a-z]" <<<"$help"; then
        echo "FAIL: verify --help: no line '  $name  <synopsis>'"
        failures=$((failures + 1))
    fi
done
[ "$failures" = 0 ] && [ "$any_p_failures" = 0 ]
