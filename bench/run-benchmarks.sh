#!/usr/bin/env bash
# lpcert benchmarks (not part of CTest): wall-clock times and box counts of the `verify`
# subcommands on the workloads named in the issues. Usage: bash bench/run-benchmarks.sh [build/bin/verify]
set -u
verify="${1:-$(dirname "$0")/../build/bin/verify}"
t() { /usr/bin/time -f "  -> %e s wall, %M KiB max RSS" "$@"; }

echo "== quadrature: relative width 1e-6, Taylor order 0 vs 6, 1 vs 2 threads =="
for order in 0 6; do
  for threads in 1 2; do
    echo "sin(2 pi x1) sin(2 pi x2) - 0.1, p=2, order $order, $threads threads"
    t "$verify" integrate --f "sin(2*pi*x1)*sin(2*pi*x2)-0.1" --d 2 --p 2 --tol 1e-6 --taylor-order $order \
      --threads $threads --quiet --max-seconds 60 | tail -1
    echo "(sin(20 x1) - 0.3)^2 as ||sin(20 x1) - 0.3||_2, order $order, $threads threads"
    t "$verify" integrate --f "sin(20*x1)-0.3" --d 1 --p 2 --tol 1e-6 --taylor-order $order \
      --threads $threads --quiet --max-seconds 60 | tail -1
  done
done

echo "== construction: build time and memory =="
t "$verify" construct --function sine_product --d 2 --N 2 --levels 8 --p 2 --quiet | head -2
t "$verify" construct --function smooth_bump --d 3 --N 2 --levels 6 --p 2 --quiet | head -2

echo "== certification (verify run) =="
for L in 6 7 8; do
  echo "sine_product d=2 N=2 L=$L p=2 floor-relu"
  t "$verify" run --function sine_product --d 2 --N 2 --levels $L --p 2 --quiet | tail -1
done
echo "smooth_bump d=3 N=2 L=6 p=2 floor-relu"
t "$verify" run --function smooth_bump --d 3 --N 2 --levels 6 --p 2 --quiet | tail -1
echo "sine_product d=2 N=2 L=6 p=2 sin-relu"
t "$verify" run --function sine_product --d 2 --N 2 --levels 6 --p 2 --construction sin-relu --quiet | tail -1

echo "== p = 1 (and 3, 1.5) beside p = 2 on the same case (issue 17: p = 1 within 2x of p = 2) =="
for case in "--f exp(-x1)*cos(7*x2) --d 2 --N 4 --levels 3" "--f exp(x1*x2-x3) --d 3 --N 2 --levels 2" \
            "--function exp_sum --d 3 --N 2 --levels 3" "--function smooth_2d --d 2 --N 3 --levels 4"; do
  for p in 2 1 3 1.5; do
    echo "$case p=$p"
    # shellcheck disable=SC2086
    t "$verify" run $case --p $p --quiet | tail -1
  done
done
echo "modulus of smooth_2d at delta = 1/81, p = 2 and p = 1 (the search behind every p = 1 level)"
for p in 2 1; do
  t "$verify" modulus --function smooth_2d --d 2 --p $p --delta 0.012345679 --quiet | tail -1
done

echo "== many cells (issue 17: L = 8 under 4 s, L = 10 under 60 s with linear memory) =="
for L in 9 10; do
  echo "sine_product d=2 N=2 L=$L p=2 floor-relu"
  t "$verify" run --function sine_product --d 2 --N 2 --levels $L --p 2 --quiet | tail -1
done

echo "== 1-D quadrature against Arb (issue 17; one thread, 128 and 64 bits) =="
arb_comparison="$(dirname "$verify")/arb_comparison"
if [ -x "$arb_comparison" ]; then
  t "$arb_comparison"
else
  echo "  (not built: bench/arb_comparison needs Arb, Debian's libflint-arb-dev; install it and reconfigure)"
fi
