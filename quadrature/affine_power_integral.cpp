#include "quadrature/affine_power_integral.hpp"

#include <mpfr.h>

#include <stdexcept>

#include "quadrature/rational_power.hpp"
#include "quadrature/real.hpp"

namespace lpcert {

namespace {

// |x|^(q/n) of one signed end x, rounded in direction rnd; with `odd`, sign(x) |x|^(q/n)
// (an increasing function: a negative x takes the opposite rounding on |x|^(q/n)).
void signed_power_end(mpfr_ptr out, mpfr_srcptr x, long q, long n, bool odd, mpfr_rnd_t rnd, mpfr_ptr scratch) {
    mpfr_abs(scratch, x, MPFR_RNDN);   // exact: same precision
    const bool negative = mpfr_sgn(x) < 0;
    if (odd && negative) {
        rational_power_endpoint(out, scratch, n, q, rnd == MPFR_RNDD ? MPFR_RNDU : MPFR_RNDD);
        mpfr_neg(out, out, MPFR_RNDN);   // exact
    } else {
        rational_power_endpoint(out, scratch, n, q, rnd);
    }
}

// Enclosure of F(t) = sign(t)^k |t|^(q/n) for t in `t` (without the 1/((p+1)...(p+k)) factor).
void antiderivative_core(Interval& out, const Interval& t, long q, long n, bool odd, Real& lo, Real& hi, Real& scratch) {
    if (odd) {   // increasing: the ends map to the ends
        signed_power_end(lo.raw(), t.lower(), q, n, true, MPFR_RNDD, scratch.raw());
        signed_power_end(hi.raw(), t.upper(), q, n, true, MPFR_RNDU, scratch.raw());
    } else if (mpfr_sgn(t.lower()) >= 0) {   // |t|^q increasing on t >= 0
        signed_power_end(lo.raw(), t.lower(), q, n, false, MPFR_RNDD, scratch.raw());
        signed_power_end(hi.raw(), t.upper(), q, n, false, MPFR_RNDU, scratch.raw());
    } else if (mpfr_sgn(t.upper()) <= 0) {   // decreasing on t <= 0
        signed_power_end(lo.raw(), t.upper(), q, n, false, MPFR_RNDD, scratch.raw());
        signed_power_end(hi.raw(), t.lower(), q, n, false, MPFR_RNDU, scratch.raw());
    } else {   // 0 inside: [0, max(|lo|, |hi|)^q]
        mpfr_set_zero(lo.raw(), 1);
        const bool left_larger = mpfr_cmpabs(t.lower(), t.upper()) > 0;
        signed_power_end(hi.raw(), left_larger ? t.lower() : t.upper(), q, n, false, MPFR_RNDU, scratch.raw());
    }
    set_hull(out, lo.raw(), hi.raw());
}

}  // namespace

Interval integral_abs_affine_power(const Interval& a0, const std::vector<Interval>& a, const std::vector<Interval>& r,
                                   long m, long n, Precision prec) {
    const size_t k = a.size();
    if (r.size() != k || k > 16) throw std::invalid_argument("integral_abs_affine_power: k > 16 or sizes differ");
    if (m < n || n < 1) throw std::invalid_argument("integral_abs_affine_power: p = m/n must be >= 1");
    const Precision wp(prec.bits + 64);
    std::vector<Interval> s(k, Interval(wp));
    Interval slopes(1, wp), t(wp), term(wp), sum(wp), factor(wp);
    for (size_t i = 0; i < k; ++i) {
        if (!certainly_positive(a[i]) && !certainly_negative(a[i]))
            throw std::invalid_argument("integral_abs_affine_power: a slope encloses 0");
        abs(s[i], a[i]);
        mul(slopes, slopes, s[i]);   // prod |a_i|
        mul(s[i], s[i], r[i]);       // s_i = |a_i| r_i
    }
    // F_k's exponent p + k = (m + k n)/n and its denominator prod_{j=1..k} (p + j) = prod (m + j n)/n
    const long q = m + static_cast<long>(k) * n;
    const bool odd = k % 2 == 1;
    mpfi_set_si(sum.raw(), 0);
    Real lo(wp), hi(wp), scratch(wp);
    for (unsigned long corner = 0; corner < (1UL << k); ++corner) {
        round_into(t, a0);
        int minus = 0;
        for (size_t i = 0; i < k; ++i) {
            if (corner >> i & 1UL) {
                sub(t, t, s[i]);
                ++minus;
            } else {
                add(t, t, s[i]);
            }
        }
        antiderivative_core(term, t, q, n, odd, lo, hi, scratch);
        if (minus % 2) sub(sum, sum, term); else add(sum, sum, term);
    }
    for (size_t j = 1; j <= k; ++j) {
        mpfi_set_si(factor.raw(), m + static_cast<long>(j) * n);
        mpfi_div_si(factor.raw(), factor.raw(), n);
        div(sum, sum, factor);
    }
    div(sum, sum, slopes);
    Interval out(prec);
    round_into(out, sum);
    return out;
}

}  // namespace lpcert
