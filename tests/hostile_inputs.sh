#!/usr/bin/env bash
# Hostile inputs (issue: hardening): absurd expressions, certificates and network files each get
# a one-line error and exit status 2 (bad input) or 3 (refused resources), quickly and without
# exhausting memory. `timeout` only catches a hang; the slowest case's time is printed, not asserted.
set -u
verify="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
cases=0
slowest=0
# 4 GiB of address space: exhausting memory would fail here, not on the machine (not under
# AddressSanitizer, whose shadow memory needs terabytes of address space)
ldd "$verify" 2>/dev/null | grep -q libasan || ulimit -v 4194304

run_case() {   # run_case WANT LABEL -- ARGS...  (WANT: "2", "3" or "2|3")
    local want="$1" label="$2"
    shift 3
    cases=$((cases + 1))
    local start end err got ms
    start=$(date +%s%N)
    err=$(timeout 30 "$verify" "$@" 2>&1 >/dev/null)
    got=$?
    end=$(date +%s%N)
    ms=$(((end - start) / 1000000))
    [ "$ms" -gt "$slowest" ] && slowest=$ms
    if ! [[ "$got" =~ ^($want)$ ]]; then
        echo "FAIL [$label]: exit $got (want $want): $(head -c 300 <<<"$err")"
        failures=$((failures + 1))
    elif [ "$(printf '%s\n' "$err" | wc -l)" != 1 ]; then
        echo "FAIL [$label]: the error is not one line: $(head -c 300 <<<"$err")"
        failures=$((failures + 1))
    fi
}

# --- expressions on the command line (one argument is at most 128 KiB) --------------------------
deep=$(printf '(%.0s' $(seq 20000))x1$(printf ')%.0s' $(seq 20000))
run_case 2 "20000-deep expression" -- integrate --f "$deep"
run_case 2 "120000-character expression" -- integrate --f "$(printf 'x1+%.0s' $(seq 40000))x1"
run_case 2 "literal exponent beyond 9 digits" -- integrate --f "1e1000000000*x1"
run_case 2 "power exponent too large" -- integrate --f "x1^99999999999"
run_case 2 "power tower folded beyond memory" -- integrate --f "x1^(((7^4096)^4096)^4096)"
run_case 2 "literal exponent beyond 10^4" -- integrate --f "x1 + 1e10001"
run_case 2 "unknown identifier" -- integrate --f "foo(x1)"
run_case 2 "variable beyond d" -- integrate --f "x9"
run_case 2 "Unicode letter" -- integrate --f "x1 + ü"
run_case 2 "Unicode operator" -- integrate --f "x1 ＋ 1"
run_case 2 "empty expression" -- integrate --f ""
run_case 2 "unbalanced" -- integrate --f "sin(x1"
run_case 2 "absurd levels" -- run --f x1 --levels 1000000000
run_case 2 "eta beyond range" -- run --f x1 --eta "1*2^-99999999999"
run_case 2 "inexact eta" -- run --f x1 --eta 0.001
run_case 2 "inexact steepness" -- run --f x1 --construction sin-relu --steepness 1.5
run_case 2 "tolerance below 1e-30" -- integrate --f x1 --tol 1e-100000
run_case 3 "build beyond memory" -- run --f x1 --d 3 --N 4 --levels 12

# --- certificates ----------------------------------------------------------------------------------
"$verify" run --f x1 --levels 1 --quiet --json "$work/base.json" > /dev/null || { echo "FAIL: no base certificate"; exit 1; }
cert() {   # cert NAME SED-EXPRESSION: a mutated copy of the base certificate
    sed -e "$2" "$work/base.json" > "$work/$1.json"
    if cmp -s "$work/base.json" "$work/$1.json"; then   # an edit that matched nothing tests nothing
        echo "FAIL [edit $1]: the expression matched nothing in the certificate"
        failures=$((failures + 1))
    fi
}
head -c 700 "$work/base.json" > "$work/truncated.json"
run_case 2 "truncated certificate" -- check "$work/truncated.json"
echo '[1, 2, 3]' > "$work/array.json"
run_case 2 "certificate that is an array" -- check "$work/array.json"
head -c 3000 /dev/urandom > "$work/random.json"
run_case 2 "random bytes" -- check "$work/random.json"
printf '%.0s[' $(seq 100000) > "$work/deep.json"; printf '%.0s]' $(seq 100000) >> "$work/deep.json"
run_case 2 "JSON nested 100000 deep" -- check "$work/deep.json"
truncate -s 300M "$work/huge.json"
run_case 3 "300 MiB file" -- check "$work/huge.json"
run_case 2 "a directory" -- check "$work"
cert d_string 's/"d": 1,/"d": "1",/'
run_case 2 "d as a string" -- check "$work/d_string.json"
cert levels_absurd 's/"levels": 1,/"levels": 1000000000,/'
run_case 2 "levels = 10^9" -- check "$work/levels_absurd.json"
cert d_absurd 's/"d": 1,/"d": 1000000000,/'
run_case 2 "d = 10^9" -- check "$work/d_absurd.json"
cert prec_absurd 's/"precision_bits": 128,/"precision_bits": 1000000000,/'
run_case 2 "precision_bits = 10^9" -- check "$work/prec_absurd.json"
cert bits_absurd 's/"digit_bits": 64,/"digit_bits": 1000000000,/'
run_case 2 "digit_bits = 10^9" -- check "$work/bits_absurd.json"
cert eta_inexact 's/"eta": "1\*2^-12"/"eta": "0.000244140625"/'
run_case 2 "eta not exact" -- check "$work/eta_inexact.json"
cert eta_number 's/"eta": "1\*2^-12"/"eta": 0.5/'
run_case 2 "eta a number" -- check "$work/eta_number.json"
cert tol_absurd 's/"tol": "1e-3"/"tol": "1e-100000"/'
run_case 2 "tol = 1e-100000" -- check "$work/tol_absurd.json"
cert status_number 's/"status": "certified"/"status": 5/'
run_case 2 "status a number" -- check "$work/status_number.json"
cert lower_huge '0,/"lower": "[^"]*"/s//"lower": "1e999999999"/'
run_case 2 "a decimal of 10^9 digits" -- check "$work/lower_huge.json"
cert lower_text '0,/"lower": "[^"]*"/s//"lower": "zero"/'
run_case 2 "an error bound that is not a number" -- check "$work/lower_text.json"
cert expr_unknown 's/"expression": "x1"/"expression": "bogus(x1)"/'
run_case 2 "unknown function in the certificate" -- check "$work/expr_unknown.json"
{ printf '"expression": "'; printf '(%.0s' $(seq 100000); printf 'x1'; printf ')%.0s' $(seq 100000); printf '",'; } > "$work/deep_expr.txt"
{ printf '"expression": "'; head -c 10000000 < /dev/zero | tr '\0' '1'; printf '",'; } > "$work/long_expr.txt"
for kind in deep_expr long_expr; do
    sed -e "/\"expression\": \"x1\",/{r $work/$kind.txt" -e 'd}' "$work/base.json" > "$work/$kind.json"
done
run_case 2 "expression nested 100000 deep in a certificate" -- check "$work/deep_expr.json"
run_case 2 "10 MB expression in a certificate" -- check "$work/long_expr.json"

# --- networks --------------------------------------------------------------------------------------
"$verify" construct --f x1 --levels 1 --quiet --export "$work/net.json" > /dev/null || { echo "FAIL: no base network"; exit 1; }
net() { sed -e "$2" "$work/net.json" > "$work/$1.json"; }
head -c 500 "$work/net.json" > "$work/net_truncated.json"
run_case 2 "truncated network" -- network "$work/net_truncated.json"
net net_d_string 's/"d": 1,/"d": "one",/'
run_case 2 "network d as a string" -- network "$work/net_d_string.json"
net net_levels 's/"levels": 1,/"levels": 1000000000,/'
run_case 2 "network levels = 10^9" -- network "$work/net_levels.json"
net net_inexact '0,/"bias": "[^"]*"/s//"bias": "0.1"/'
run_case 2 "inexact bias" -- network "$work/net_inexact.json"
net net_activation '0,/"activation": "[a-z0-9]*"/s//"activation": "bogus"/'
run_case 2 "unknown activation" -- network "$work/net_activation.json"
net net_exponent 's/"\(-\?[0-9]*\)\*2^\(-\?[0-9]*\)"/"1*2^999999999"/g'
run_case "2|3" "weights of 2^999999999" -- network "$work/net_exponent.json" --at 0.5
net net_schema 's/lpcert-network\/1/lpcert-network\/9/'
run_case 2 "wrong schema" -- network "$work/net_schema.json"
run_case 2 "point outside the cube" -- network "$work/net.json" --at 1.5
run_case 2 "point of the wrong dimension" -- network "$work/net.json" --at 0.1,0.2

# --- repeated sources (issue 13): a source listed twice counts twice ----------------------------------
encloses_case() {   # encloses_case LABEL FILE POINT VALUE: "Phi_0 in [lo, hi]" must contain VALUE
    local label="$1" out got
    cases=$((cases + 1))
    out=$(timeout 30 "$verify" network "$2" --at "$3" 2>&1)
    got=$?
    # decimal text read as a double: rounding is monotone and VALUE is a double, so lo <= VALUE
    # and VALUE <= hi survive it
    if [ "$got" != 0 ] || ! grep '^Phi_0 in ' <<<"$out" | tr -d '[],' |
            awk -v v="$4" '{ ok = ($3 + 0 <= v + 0 && v + 0 <= $4 + 0) } END { exit !(NR == 1 && ok) }'; then
        echo "FAIL [$label]: exit $got, want an enclosure of $4: $(grep '^Phi' <<<"$out" | head -c 300)"
        failures=$((failures + 1))
    fi
}
# the issue's network: floor(x1), floor(2 x1), sin2pi(x1); Phi_0 = Q1 + Q1 - 2 Q0 = 2 at 0.75
# (the extraction kernel matched a*Q1 - a*2^b*Q0 on one copy of Q1 and printed [1, 1])
cat > "$work/repeated_readout.json" <<'JSON'
{"schema": "lpcert-network/1", "d": 1, "N": 2, "levels": 0,
 "layers": [{"neurons": [{"activation": "floor", "weights": [[0, "1"]], "bias": "0"},
                         {"activation": "floor", "weights": [[0, "1*2^1"]], "bias": "0"},
                         {"activation": "sin2pi", "weights": [[0, "1"]], "bias": "0"}]}],
 "readouts": [{"level": 0, "layer": 0, "weights": [[1, "1"], [1, "1"], [0, "-1*2^1"]], "bias": "0"}]}
JSON
encloses_case "readout listing a floor twice" "$work/repeated_readout.json" 0.75 2
# repeated sources in the floors too: Q0 = floor(x1 + x1), Q1 = floor(4 x1 + 4 x1), a sine of
# x1 - x1, and Phi_0 = Q0 + Q1 - 4 Q0 + 5 sin2pi(0) = 1 + 6 - 4 = 3 at 0.75
cat > "$work/repeated_everywhere.json" <<'JSON'
{"schema": "lpcert-network/1", "d": 1, "N": 2, "levels": 0,
 "layers": [{"neurons": [{"activation": "floor", "weights": [[0, "1"], [0, "1"]], "bias": "0"},
                         {"activation": "floor", "weights": [[0, "1*2^2"], [0, "1*2^2"]], "bias": "0"},
                         {"activation": "sin2pi", "weights": [[0, "1"], [0, "-1"]], "bias": "0"}]}],
 "readouts": [{"level": 0, "layer": 0, "weights": [[0, "1"], [1, "1"], [2, "5"], [0, "-1*2^2"]], "bias": "0"}]}
JSON
encloses_case "floors and readout listing sources twice" "$work/repeated_everywhere.json" 0.75 3
# --- ONNX models (tests/data/networks, scripts/make-test-networks.py) -------------------------------
onnx_data="$(cd "$(dirname "$0")" && pwd)/data/networks"
head -c 600 "$onnx_data/relu_d1.onnx" > "$work/truncated.onnx"
run_case 2 "truncated ONNX model" -- network "$work/truncated.onnx"
LC_ALL=C awk 'BEGIN { srand(7); for (i = 0; i < 4096; i++) printf "%c", 128 + int(rand() * 127) }' > "$work/garbage.onnx"
run_case 2 "4 KiB of fixed pseudo-random bytes as an ONNX model" -- network "$work/garbage.onnx"
printf 'not a model\n' > "$work/text.onnx"
run_case 2 "a text file as an ONNX model" -- network "$work/text.onnx"
run_case 2 "ONNX model with an unsupported op" -- network "$onnx_data/unsupported_op.onnx" --at 0.5,0.5
sed -e 's/"inputs":1,/"inputs":"one",/' "$onnx_data/relu_d1.json" > "$work/v2_inputs.json"
run_case 2 "lpcert-network/2 inputs as a string" -- network "$work/v2_inputs.json"
sed -e '0,/"bias":"[^"]*"/s//"bias":"0.1"/' "$onnx_data/relu_d1.json" > "$work/v2_inexact.json"
run_case 2 "lpcert-network/2 decimal that is not dyadic" -- network "$work/v2_inexact.json"
sed -e 's/"L1:/"L9:/' "$onnx_data/residual_d2.json" > "$work/v2_later.json"
run_case 2 "lpcert-network/2 reading a later layer" -- network "$work/v2_later.json"

echo "hostile inputs: $cases cases, $failures failed, slowest ${slowest} ms"
[ "$failures" = 0 ]
