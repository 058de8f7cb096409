#include "quadrature/rational_power.hpp"

#include <gmp.h>

#include <cstdlib>
#include <stdexcept>

#include "quadrature/errors.hpp"

namespace lpcert {

// x^(b/a) for x >= 0 and integers a, b >= 1, rounded in direction rnd (down or up); finite.
//
// Exact path (the first versions' results, bit for bit): x^b then the a-th root, each rounded in
// rnd's direction (both maps are increasing, so the composition is a bound in that direction).
// It is used only where x^b stays far inside MPFR's exponent range and the root is cheap. With p
// close to 1 (p = 1.000000001 = 1000000001/1000000000) x^b overflows to +inf (or underflows to 0)
// at once; there x^(b/a) is mpfr_pow(x, t) with t the end of an outward enclosure of b/a chosen
// so that the power moves in rnd's direction (t -> x^t increases for x >= 1, decreases for
// x < 1), one correctly rounded operation, whose result is at most x's magnitude to the
// power b/a: finite for a root (b/a <= 1), and for a power checked below.
void rational_power_endpoint(mpfr_ptr out, mpfr_srcptr x, long a, long b, mpfr_rnd_t rnd) {
    if (a < 1 || b < 1) throw std::invalid_argument("rational_power_endpoint: the exponent's integers must be >= 1");
    if (mpfr_nan_p(x) || mpfr_inf_p(x)) throw DomainError("p-th power or root of an unbounded enclosure");
    if (mpfr_sgn(x) <= 0) {
        mpfr_set_zero(out, 1);
        return;
    }
    const long x_exp = std::labs(static_cast<long>(mpfr_get_exp(x)));
    const bool exact_path = a <= (1L << 16) && b <= (1L << 16) && x_exp <= (1L << 20) / b;
    if (exact_path) {
        mpfr_pow_si(out, x, b, rnd);
        mpfr_rootn_ui(out, out, static_cast<unsigned long>(a), rnd);
    } else {
        const mpfr_prec_t guard = mpfr_get_prec(out) + 64;
        mpq_t q;
        mpq_init(q);
        mpq_set_si(q, b, static_cast<unsigned long>(a));
        mpq_canonicalize(q);
        mpfr_t t;
        mpfr_init2(t, guard);
        // rounding down the result: the smaller power, i.e. t rounded down if x >= 1, up if x < 1
        const bool x_at_least_one = mpfr_cmp_ui(x, 1) >= 0;
        const bool want_down = rnd == MPFR_RNDD;
        mpfr_set_q(t, q, (x_at_least_one == want_down) ? MPFR_RNDD : MPFR_RNDU);
        mpfr_pow(out, x, t, rnd);
        mpfr_clear(t);
        mpq_clear(q);
    }
    // rounding down never gives +inf (MPFR returns the largest finite number); rounding up
    // overflows to +inf only for a power of a number near the top of the exponent range
    if (!mpfr_number_p(out)) throw DomainError("p-th power: the result is beyond the exponent range");
}


Interval rational_power_outward(const Interval& x, long m, long n, Precision prec) {
    mpfr_t lo, hi;
    mpfr_init2(lo, prec.bits);
    mpfr_init2(hi, prec.bits);
    try {
        rational_power_endpoint(lo, x.lower(), n, m, MPFR_RNDD);
        rational_power_endpoint(hi, x.upper(), n, m, MPFR_RNDU);
    } catch (...) {
        mpfr_clear(lo);
        mpfr_clear(hi);
        throw;
    }
    Interval out(prec);
    set_hull(out, lo, hi);
    mpfr_clear(lo);
    mpfr_clear(hi);
    return out;
}

}  // namespace lpcert
