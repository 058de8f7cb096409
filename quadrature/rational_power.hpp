#pragma once
// Outward powers x^(m/n) of non-negative enclosures with a rational exponent given exactly, the
// one place where lpcert raises to a real power with directed rounding: p-th powers and p-th
// roots of L^p integrals (lp_norm.hpp) and the iterated antiderivatives of |t|^p
// (affine_power_integral.hpp).

#include <mpfr.h>

#include "quadrature/interval.hpp"

namespace lpcert {

// x^(b/a) for x >= 0 and integers a, b >= 1, rounded in direction rnd (MPFR_RNDD or MPFR_RNDU);
// x <= 0 gives 0. Always finite: DomainError for an infinite or NaN x, or a power beyond the
// exponent range.
void rational_power_endpoint(mpfr_ptr out, mpfr_srcptr x, long a, long b, mpfr_rnd_t rnd);

// [lo^(m/n) rounded down, hi^(m/n) rounded up] at prec, for m, n >= 1: an enclosure of x^(m/n)
// for x in the enclosure of a NON-NEGATIVE quantity (a lower end below 0 counts as 0).
Interval rational_power_outward(const Interval& x, long m, long n, Precision prec);

}  // namespace lpcert
