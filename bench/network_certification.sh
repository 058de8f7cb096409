#!/usr/bin/env bash
# Issue 15's speed goals (2 cores; numbers go in bench/README.md, never into tests): the
# intervalNets settings, weights uniform in [-1, 1] / sqrt(fan_in), domain [-1, 1]^d, the
# enclosures of ||Phi||_2 and ||f - Phi||_2 for a smooth f.
#   ReLU 1 -> 32 -> 32 -> 1        relative width 1e-8   (goal: under 0.5 s)
#   tanh 2 -> 32 -> 32 -> 32 -> 1  relative width 1e-6   (goal: under 20 s)
#   ReLU 2 -> 200 -> 1             relative width 1e-6   (goal: under 20 s)
# Usage: bash bench/network_certification.sh [build/bin/verify] [MAX_SECONDS per run, default 120]
set -u
here="$(cd "$(dirname "$0")" && pwd)"
verify="${1:-$here/../build/bin/verify}"
budget="${2:-120}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$here/make_interval_nets_networks.py" "$work"
run() {   # run NAME F DOMAIN TOL
    local name="$1" f="$2" domain="$3" tol="$4"
    echo "== $name: f = $f, p = 2, domain $domain, tol $tol"
    /usr/bin/time -f "  -> %e s wall, %M KiB max RSS" "$verify" certify-network "$work/$name.json" --f "$f" --p 2 \
      --domain "$domain" --tol "$tol" --quiet --max-seconds "$budget" --json "$work/$name.cert.json" | sed -n '2,3p'
    python3 - "$work/$name.cert.json" <<'PY'
import json, sys
from decimal import Decimal
c = json.load(open(sys.argv[1]))
for r in c["readouts"]:
    for k in ("error", "norm"):
        lo, hi = Decimal(r[k]["lower"]), Decimal(r[k]["upper"])
        rel = (hi - lo) / hi if hi else Decimal(0)
        print(f"  {k}: [{r[k]['lower'][:14]}, {r[k]['upper'][:14]}] relative width {rel:.2e} ({r.get(k + '_status', '')})")
    print(f"  boxes (error and norm): {r.get('boxes', '?')}; working precision {c['precision_bits']} bits")
print("  complete:", c["complete"], c.get("stopped") or "")
PY
}
run relu_1_32_32_1 "sin(3*x1)" "-1:1" 1e-8
run tanh_2_32_32_32_1 "sin(3*x1)*cos(2*x2)" "-1:1,-1:1" 1e-6
run relu_2_200_1 "sin(3*x1)*cos(2*x2)" "-1:1,-1:1" 1e-6
