#include "quadrature/affine_power_integral.hpp"

#include <mpfr.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

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

// The corner formula's ingredients at wp bits: s_i = |a_i| r_i, and prod |a_i| returned. Throws
// std::invalid_argument, naming `who`, for a slope whose enclosure contains 0.
Interval slope_terms(std::vector<Interval>& s, const std::vector<Interval>& a, const std::vector<Interval>& r, Precision wp,
                     const char* who) {
    s.assign(a.size(), Interval(wp));
    Interval product(1, wp);
    for (size_t i = 0; i < a.size(); ++i) {
        if (!certainly_positive(a[i]) && !certainly_negative(a[i]))
            throw std::invalid_argument(std::string(who) + ": a slope encloses 0");
        abs(s[i], a[i]);
        mul(product, product, s[i]);   // prod |a_i|
        mul(s[i], s[i], r[i]);         // s_i = |a_i| r_i
    }
    return product;
}

// sum_{e in {-1,1}^k} (prod e_i) F(a_0 + sum_i e_i s_i) into `sum` (at its precision), with
// value(out, t) an enclosure of F over the enclosure t of a corner's point.
template <class Value>
void signed_corner_sum(Interval& sum, const Interval& a0, const std::vector<Interval>& s, Value&& value) {
    const Precision wp = sum.precision();
    Interval t(wp), term(wp);
    mpfi_set_si(sum.raw(), 0);
    for (unsigned long corner = 0; corner < (1UL << s.size()); ++corner) {
        round_into(t, a0);
        int minus = 0;
        for (size_t i = 0; i < s.size(); ++i) {
            if (corner >> i & 1UL) {
                sub(t, t, s[i]);
                ++minus;
            } else {
                add(t, t, s[i]);
            }
        }
        value(term, t);
        if (minus % 2) sub(sum, sum, term); else add(sum, sum, term);
    }
}

}  // namespace

Interval integral_abs_affine_power(const Interval& a0, const std::vector<Interval>& a, const std::vector<Interval>& r,
                                   long m, long n, Precision prec) {
    const size_t k = a.size();
    if (r.size() != k || k > 16) throw std::invalid_argument("integral_abs_affine_power: k > 16 or sizes differ");
    if (n < 1 || m <= -n) throw std::invalid_argument("integral_abs_affine_power: p = m/n must be > -1");
    if (m < n && k == 0) throw std::invalid_argument("integral_abs_affine_power: p < 1 needs a slope");
    const Precision wp(prec.bits + 64);
    std::vector<Interval> s;
    const Interval slopes = slope_terms(s, a, r, wp, "integral_abs_affine_power");
    Interval sum(wp), factor(wp);
    // F_k's exponent p + k = (m + k n)/n and its denominator prod_{j=1..k} (p + j) = prod (m + j n)/n
    const long q = m + static_cast<long>(k) * n;
    const bool odd = k % 2 == 1;
    Real lo(wp), hi(wp), scratch(wp);
    signed_corner_sum(sum, a0, s, [&](Interval& out, const Interval& t) { antiderivative_core(out, t, q, n, odd, lo, hi, scratch); });
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

Interval integral_affine_tent(const Interval& a0, const std::vector<Interval>& a, const std::vector<Interval>& r,
                              const Interval& w, Precision prec, Precision work) {
    const size_t k = a.size();
    if (r.size() != k || k < 1 || k > 16) throw std::invalid_argument("integral_affine_tent: 1 <= k <= 16 and equal sizes required");
    if (mpfr_sgn(w.lower()) < 0 || !w.is_finite()) throw std::invalid_argument("integral_affine_tent: the half-width must be >= 0");
    const Precision wp = work;
    std::vector<Interval> s;
    const Interval slopes = slope_terms(s, a, r, wp, "integral_affine_tent");
    Interval width(wp);
    round_into(width, w);
    // G_k(t) = ramp(t)^(k+1), the 1/(k+1)! applied once at the end; ramp^(k+1) is increasing, so
    // its enclosure over an interval is read off the ends (a negative end gives 0)
    Interval shifted(wp), g(wp), sum(wp);
    Real end(wp);
    auto ramp_power = [&](Interval& out, const Interval& x) {
        mpfi_set_si(out.raw(), 0);
        if (mpfr_sgn(x.upper()) <= 0) return;
        mpfr_pow_ui(end.raw(), x.upper(), k + 1, MPFR_RNDU);
        mpfr_set(&out.raw()->right, end.raw(), MPFR_RNDU);
        if (mpfr_sgn(x.lower()) > 0) {
            mpfr_pow_ui(end.raw(), x.lower(), k + 1, MPFR_RNDD);
            mpfr_set(&out.raw()->left, end.raw(), MPFR_RNDD);
        }
    };
    // G(t + w) - 2 G(t) + G(t - w) at each corner
    signed_corner_sum(sum, a0, s, [&](Interval& out, const Interval& t) {
        add(shifted, t, width);
        ramp_power(out, shifted);
        ramp_power(g, t);
        mul_2si(g, g, 1);
        sub(out, out, g);
        sub(shifted, t, width);
        ramp_power(g, shifted);
        add(out, out, g);
    });
    for (size_t j = 2; j <= k + 1; ++j) mpfi_div_ui(sum.raw(), sum.raw(), j);
    div(sum, sum, slopes);
    Interval out(prec);
    round_into(out, sum);
    return out;
}

std::vector<Interval> integral_sign_affine_moments(const Interval& a0, const std::vector<Interval>& a,
                                                   const std::vector<Interval>& r, const std::vector<std::vector<int>>& alphas,
                                                   long q_num, long q_den, Precision prec, Precision work) {
    const size_t k = a.size();
    if (q_num < 0 || q_den < 1) throw std::invalid_argument("integral_sign_affine_moment: q = q_num/q_den must be >= 0");
    if (r.size() != k || k < 1 || k > 8) throw std::invalid_argument("integral_sign_affine_moment: 1 <= k <= 8 and equal sizes required");
    int top = 0;   // the largest |alpha|
    for (const auto& alpha : alphas) {
        if (alpha.size() != k) throw std::invalid_argument("integral_sign_affine_moment: alpha has the wrong size");
        int degree = 0;
        for (int ai : alpha) {
            if (ai < 0 || ai > kMaxMomentExponent)
                throw std::invalid_argument("integral_sign_affine_moment: alpha_i must be 0.." + std::to_string(kMaxMomentExponent));
            degree += ai;
        }
        top = std::max(top, degree);
    }
    for (size_t i = 0; i < k; ++i)
        if (!certainly_positive(a[i]) && !certainly_negative(a[i]))
            throw std::invalid_argument("integral_sign_affine_moment: a slope encloses 0");
    const Precision wp = work;
    std::vector<Interval> slope(k, Interval(wp)), radius(k, Interval(wp));
    for (size_t i = 0; i < k; ++i) {
        round_into(slope[i], a[i]);
        round_into(radius[i], r[i]);
    }
    // per variable and j: (-1)^j alpha!/(alpha-j)! r^(alpha-j) / a^(j+1) for e_i = +1;
    // e_i = -1 multiplies it by (-1)^(alpha - j) (from (e r)^(alpha-j)) times -1 (the bracket's end)
    // r^q and a^-(j+1) are shared by every alpha
    Interval t(wp);
    std::vector<std::vector<Interval>> r_power(k), inverse_slope_power(k);
    for (size_t i = 0; i < k; ++i) {
        Interval inverse(wp);
        mpfi_si_div(inverse.raw(), 1, slope[i].raw());
        Interval rp(1, wp), ip(wp);
        ip = inverse;
        for (int q = 0; q <= top; ++q) {   // alpha_i - j_i and j_i are at most |alpha| <= top
            r_power[i].push_back(rp);
            inverse_slope_power[i].push_back(ip);
            mul(rp, rp, radius[i]);
            mul(ip, ip, inverse);
        }
    }
    // S_K(T_corner) = |T| T^(K-1) / K! for K = k .. k + top, per corner
    const size_t corners = 1UL << k;
    std::vector<std::vector<Interval>> S(corners);
    Interval T(wp), absT(wp), value(wp);
    Real lo(wp), hi(wp), scratch(wp);
    for (size_t corner = 0; corner < corners; ++corner) {
        round_into(T, a0);
        for (size_t i = 0; i < k; ++i) {
            mul(t, slope[i], radius[i]);
            if (corner >> i & 1UL) sub(T, T, t); else add(T, T, t);
        }
        if (q_num == 0) {   // G = sign: S_K(T) = |T| T^(K-1) / K!, each from the previous
            abs(absT, T);
            pow_int(value, T, static_cast<long>(k) - 1);
            mul(value, value, absT);
            for (long q = 2; q <= static_cast<long>(k); ++q) mpfi_div_si(value.raw(), value.raw(), q);
            for (int K = static_cast<int>(k); K <= static_cast<int>(k) + top; ++K) {
                S[corner].push_back(value);
                mul(value, value, T);
                mpfi_div_si(value.raw(), value.raw(), K + 1);
            }
            continue;
        }
        // G = sign(t)|t|^q: S_K(T) = sign(T)^(K+1) |T|^(q+K) / ((q+1)...(q+K)), q + K = (q_num + K q_den)/q_den
        for (long K = static_cast<long>(k); K <= static_cast<long>(k) + top; ++K) {
            antiderivative_core(value, T, q_num + K * q_den, q_den, (K + 1) % 2 == 1, lo, hi, scratch);
            for (long jj = 1; jj <= K; ++jj) {
                mpfi_mul_si(value.raw(), value.raw(), q_den);
                mpfi_div_si(value.raw(), value.raw(), q_num + jj * q_den);
            }
            S[corner].push_back(value);
        }
    }
    // The signed corner sums depend on a term only through K and the parity pattern
    // P = {i : alpha_i - j_i + 1 odd}: sum_corner (-1)^|corner & P| S_K(corner), for every P at
    // once by a Walsh-Hadamard transform over the corners (k 2^(k-1) butterflies per K, instead
    // of 2^k additions per term).
    std::vector<std::vector<Interval>> signed_sums(static_cast<size_t>(top) + 1, std::vector<Interval>(corners, Interval(wp)));
    {
        Interval difference(wp);
        for (size_t K = 0; K <= static_cast<size_t>(top); ++K) {
            auto& v = signed_sums[K];
            for (size_t corner = 0; corner < corners; ++corner) v[corner] = S[corner][K];
            for (size_t bit = 1; bit < corners; bit <<= 1)
                for (size_t c = 0; c < corners; ++c) {
                    if (c & bit) continue;
                    sub(difference, v[c], v[c | bit]);
                    add(v[c], v[c], v[c | bit]);
                    std::swap(v[c | bit], difference);
                }
        }
    }
    // each variable's factor (-1)^j alpha!/(alpha-j)! r^(alpha-j) / a^(j+1), for alpha <= top and
    // j <= alpha, at index alpha (top + 1) + j
    const size_t span = static_cast<size_t>(top) + 1;
    std::vector<std::vector<Interval>> variable_factor(k, std::vector<Interval>(span * span, Interval(wp)));
    for (size_t i = 0; i < k; ++i)
        for (int a_i = 0; a_i <= top; ++a_i) {
            long falling = 1;   // alpha! / (alpha - j)!
            for (int j_i = 0; j_i <= a_i; ++j_i) {
                Interval& v = variable_factor[i][static_cast<size_t>(a_i) * span + static_cast<size_t>(j_i)];
                mul(v, r_power[i][static_cast<size_t>(a_i - j_i)], inverse_slope_power[i][static_cast<size_t>(j_i)]);
                mpfi_mul_si(v.raw(), v.raw(), j_i % 2 ? -falling : falling);
                falling *= a_i - j_i;
            }
        }
    std::vector<Interval> results;
    results.reserve(alphas.size());
    Interval total(wp), corner_sum(wp), factor(wp);
    std::vector<int> j(k);
    for (const auto& alpha : alphas) {
        mpfi_set_si(total.raw(), 0);
        std::fill(j.begin(), j.end(), 0);
        while (true) {
            // this j's corner-independent factor times its signed corner sum
            size_t K = 0;
            for (size_t i = 0; i < k; ++i) {
                K += static_cast<size_t>(j[i]) + 1;
                const Interval& f = variable_factor[i][static_cast<size_t>(alpha[i]) * span + static_cast<size_t>(j[i])];
                if (i == 0) factor = f; else mul(factor, factor, f);
            }
            size_t pattern = 0;
            for (size_t i = 0; i < k; ++i)
                if ((alpha[i] - j[i] + 1) % 2 != 0) pattern |= 1UL << i;
            mul(corner_sum, signed_sums[K - k][pattern], factor);
            add(total, total, corner_sum);
            // next j (odometer over j_i = 0..alpha_i)
            size_t i = 0;
            while (i < k && j[i] == alpha[i]) j[i++] = 0;
            if (i == k) break;
            ++j[i];
        }
        Interval out(prec);
        round_into(out, total);
        results.push_back(std::move(out));
    }
    return results;
}

Interval integral_sign_affine_moment(const Interval& a0, const std::vector<Interval>& a, const std::vector<Interval>& r,
                                     const std::vector<int>& alpha, long q_num, long q_den, Precision prec, Precision work) {
    return integral_sign_affine_moments(a0, a, r, {alpha}, q_num, q_den, prec, work).front();
}

std::vector<Interval> integral_sign_affine_moments_in(const Interval& a0, const std::vector<Interval>& a,
                                                      const std::vector<int>& kept_index, const std::vector<Interval>& radius,
                                                      const std::vector<std::vector<int>>& alphas, long q_num, long q_den,
                                                      Precision prec, Precision work) {
    const size_t d = kept_index.size();
    if (radius.size() != d) throw std::invalid_argument("integral_sign_affine_moments_in: radius has the wrong size");
    std::vector<Interval> kept_radii(a.size(), Interval(prec));
    for (size_t i = 0; i < d; ++i)
        if (kept_index[i] >= 0) kept_radii.at(static_cast<size_t>(kept_index[i])) = radius[i];
    std::vector<std::vector<int>> kept_alphas;
    std::vector<size_t> which;          // the alpha each closed form belongs to
    std::vector<Interval> plain;        // its factor from the variables left out
    Interval t(prec);
    for (size_t q = 0; q < alphas.size(); ++q) {
        if (alphas[q].size() != d) throw std::invalid_argument("integral_sign_affine_moments_in: alpha has the wrong size");
        std::vector<int> alpha(a.size(), 0);
        Interval factor(1, prec);
        bool vanishes = false;
        for (size_t i = 0; i < d && !vanishes; ++i) {
            const int ai = alphas[q][i];
            if (kept_index[i] >= 0) {
                alpha[static_cast<size_t>(kept_index[i])] = ai;
            } else if (ai % 2 == 1) {
                vanishes = true;   // int_{-r}^{r} u^ai du = 0
            } else {
                pow_int(t, radius[i], ai + 1);
                mpfi_mul_si(t.raw(), t.raw(), 2);
                mpfi_div_si(t.raw(), t.raw(), ai + 1);
                mul(factor, factor, t);
            }
        }
        if (vanishes) continue;
        kept_alphas.push_back(std::move(alpha));
        which.push_back(q);
        plain.push_back(std::move(factor));
    }
    std::vector<Interval> out(alphas.size(), Interval(prec));   // exact 0 where a factor vanishes
    if (kept_alphas.empty()) return out;
    const std::vector<Interval> moments = integral_sign_affine_moments(a0, a, kept_radii, kept_alphas, q_num, q_den, prec, work);
    for (size_t q = 0; q < moments.size(); ++q) mul(out[which[q]], moments[q], plain[q]);
    return out;
}

std::optional<KeptSpread> kept_spread(const std::vector<Interval>& kept_slopes, const std::vector<Interval>& kept_radii,
                                      Precision prec) {
    KeptSpread out{Real(prec), Real(prec), prec};
    Real m(prec);
    mpfr_set_zero(out.largest.raw(), 1);
    mpfr_set_inf(out.smallest.raw(), 1);
    Interval term(prec);
    for (size_t i = 0; i < kept_slopes.size(); ++i) {
        mul(term, kept_slopes[i], kept_radii[i]);
        mignitude_down(m.raw(), term);
        mpfr_max(out.largest.raw(), out.largest.raw(), m.raw(), MPFR_RNDD);
        mpfr_min(out.smallest.raw(), out.smallest.raw(), m.raw(), MPFR_RNDD);
    }
    if (kept_slopes.empty() || mpfr_sgn(out.smallest.raw()) <= 0) return std::nullopt;
    const long spread = std::max<long>(0, mpfr_get_exp(out.largest.raw()) - mpfr_get_exp(out.smallest.raw()) + 1);
    out.work = Precision(prec.bits + 32 + spread * (static_cast<long>(kept_slopes.size()) + 2));
    return out;
}

Interval slab_fraction(mpfr_srcptr w, mpfr_srcptr largest, Precision prec) {
    Interval out(1, prec);
    Real ratio(prec);
    mpfr_div(ratio.raw(), w, largest, MPFR_RNDU);
    if (mpfr_cmp_ui(ratio.raw(), 1) < 0) mpfi_set_fr(out.raw(), ratio.raw());
    return out;
}

Interval other_sides(const std::vector<int>& kept_index, const std::vector<Interval>& radius, Precision prec) {
    Interval out(1, prec), two_r(prec);
    for (size_t i = 0; i < radius.size(); ++i) {
        if (kept_index[i] >= 0) continue;
        mul_2si(two_r, radius[i], 1);
        mul(out, out, two_r);
    }
    return out;
}

}  // namespace lpcert
