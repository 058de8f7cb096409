#!/usr/bin/env bash
# Budgets (--max-seconds, --max-memory) and Ctrl-C (SIGINT): the tool stops, writes what it
# certified so far marked incomplete ("complete": false, levels not reached "inconclusive"),
# exits 1, and leaves no partial file behind. Up-front refusals exit 3. The `timeout` guards
# only catch a hang; they are not timing assertions.
set -u
verify="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
has() { grep -q -- "$2" "$1" || fail "$1 lacks '$2': $(head -c 400 "$1")"; }
no_partial_files() { [ -z "$(find "$work" -name '*.partial')" ] || fail "partial files left: $(find "$work" -name '*.partial')"; }

# 1. a time budget inside a long run: the levels done stay, the rest are inconclusive
# (f = x1 + x2 with eta given: the build is quick, certifying L = 9 takes ~30 s; the budget is the
# measured build time plus 3 s, so that it ends during the certification on any machine or build)
case_args=(--f "x1+x2" --d 2 --levels 9 --eta "1*2^-20" --p 2 --quiet)
start=$(date +%s%N)
timeout 120 "$verify" construct "${case_args[@]}" > /dev/null 2>&1
budget=$(( ($(date +%s%N) - start) * 3 / 2000000000 + 3 ))
timeout 300 "$verify" run "${case_args[@]}" --max-seconds "$budget" --json "$work/budget.json" > "$work/budget.txt" 2>&1
[ $? = 1 ] || fail "run --max-seconds $budget: exit status is not 1"
has "$work/budget.json" '"complete": false'
has "$work/budget.json" "\"stopped\": \"time budget of $budget s spent\""
has "$work/budget.json" '"status": "certified"'
has "$work/budget.json" '"status": "inconclusive"'
has "$work/budget.json" '"verdict": "not_certified"'
has "$work/budget.txt" 'stopped: time budget'

# 2. Ctrl-C: SIGINT stops a run and writes the incomplete certificate (during construction or
#    certification, whichever it is in after 3 s; L = 9 takes about 15 s, where L = 8, at 3-5 s,
#    could finish first on an idle machine)
timeout 60 "$verify" run --function sine_product --d 2 --levels 9 --p 2 --quiet --json "$work/sigint.json" \
  > "$work/sigint.txt" 2>&1 &
pid=$!
sleep 3
kill -INT "$pid"
wait "$pid"
[ $? = 1 ] || fail "run after SIGINT: exit status is not 1"
has "$work/sigint.json" '"stopped": "interrupted (SIGINT)"'
has "$work/sigint.json" '"complete": false'

# 3. an incomplete certificate still re-checks (its claims are what it certified)
timeout 120 "$verify" check "$work/budget.json" --quiet > "$work/check.txt" 2>&1
[ $? = 0 ] || fail "check of an incomplete certificate: $(cat "$work/check.txt")"
has "$work/check.txt" 'incomplete'
# stopped before the network existed: nothing to re-check, said plainly
timeout 60 "$verify" run --function sine_product --d 2 --levels 8 --max-seconds 0.2 --quiet --json "$work/early.json" > /dev/null 2>&1
[ $? = 1 ] || fail "run --max-seconds 0.2: exit status is not 1"
has "$work/early.json" '"eta": null'
timeout 20 "$verify" check "$work/early.json" > "$work/early.txt" 2>&1
[ $? = 1 ] || fail "check of a certificate stopped before its network: exit status is not 1"
has "$work/early.txt" 'certifies nothing'

# 4. a memory budget during quadrature: the enclosure so far is written, marked stopped
timeout 60 "$verify" integrate --f "floor(3*x1+x2^2+x3)" --d 3 --p 1 --tol 1e-9 --max-memory 100M --quiet \
  --json "$work/memory.json" > /dev/null 2>&1
[ $? = 1 ] || fail "integrate --max-memory 100M: exit status is not 1"
has "$work/memory.json" '"status": "stopped"'
has "$work/memory.json" '"stopped": "memory budget of 100 MiB exceeded"'

# 5. modulus under a time budget keeps its best certified bound (d = 4: about 30 s unbudgeted; the
#    d = 3 search had come down to 0.5-0.8 s, so it could finish within the budget)
timeout 60 "$verify" modulus --function exp_sum --d 4 --p 1 --delta 0.01 --max-seconds 0.5 --quiet \
  --json "$work/modulus.json" > /dev/null 2>&1
[ $? = 1 ] || fail "modulus --max-seconds 0.5: exit status is not 1"
has "$work/modulus.json" '"complete": false'

# 6. the suite under a budget: summary marked incomplete
timeout 120 "$verify" reproduce --quick --max-seconds 3 --quiet --out "$work/suite" > "$work/suite.txt" 2>&1
[ $? = 1 ] || fail "reproduce --max-seconds 3: exit status is not 1"
has "$work/suite/summary.json" '"complete": false'
has "$work/suite/summary.md" 'INCOMPLETE'

# 7. up-front refusals and bad budgets
timeout 20 "$verify" run --f x1 --d 2 --levels 12 --max-memory 1G > /dev/null 2> "$work/refused.txt"
[ $? = 3 ] || fail "a build beyond --max-memory is not refused with exit 3"
has "$work/refused.txt" 'needs about'
for bad in "12Q" "-5" "99999999999999999G"; do
  timeout 20 "$verify" run --f x1 --max-memory "$bad" > /dev/null 2>&1
  [ $? = 2 ] || fail "--max-memory $bad is not exit 2"
done
timeout 20 "$verify" run --f x1 --max-seconds -1 > /dev/null 2>&1
[ $? = 2 ] || fail "--max-seconds -1 is not exit 2"

no_partial_files
echo "limits and interruption: $failures failed"
[ "$failures" = 0 ]
