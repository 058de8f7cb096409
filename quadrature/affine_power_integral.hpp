#pragma once
// The integral of |L|^p over a centred box for an affine L, in closed form: the exact part of the
// quadrature's enclosure on pieces where the integrand |h|^p is not smooth because h changes sign
// (crossing_enclosure.hpp).
//
//     int_{prod_i [-r_i, r_i]} |a_0 + sum_i a_i u_i|^p du
//         = (1 / prod_i |a_i|) sum_{e in {-1,1}^k} (prod_i e_i) F_k(a_0 + sum_i e_i |a_i| r_i)
//
// for p >= 1 and every a_i != 0, where F_k is the k-th iterated antiderivative of |t|^p:
//     F_k(t) = sign(t)^k |t|^(p+k) / ((p+1)(p+2)...(p+k)),
// a C^k function on the whole line (docs/math.md, "Integrals across a sign change"). Substituting
// t_i = a_i u_i turns the box into prod_i [-|a_i| r_i, |a_i| r_i], and each one-dimensional
// integral of F_{j-1}(c + t) over [-s, s] is F_j(c + s) - F_j(c - s).

#include <optional>
#include <vector>

#include "quadrature/interval.hpp"
#include "quadrature/real.hpp"

namespace lpcert {

// Enclosure of the integral above with p = m/n (integers n >= 1, m > -n), slopes `a` (enclosures
// none of which contains 0) and half-widths `r` (same length, k <= 16; k >= 1 for p < 1). For
// -1 < p < 0 the integrand is unbounded on the zero set but integrable, and F_k (k >= 1) is
// still continuous, so the formula holds (the bound of the crossing form's remainder for
// 1 < p < 2 integrates |L|^(p-2)). Computed at prec + 64 bits (the corner sum cancels: its terms
// are up to (|a_0| + sum s_i)^k / prod s_i times larger than the result) and returned at prec,
// rounded outward. Throws std::invalid_argument for a slope containing 0, k > 16 or p out of range.
Interval integral_abs_affine_power(const Interval& a0, const std::vector<Interval>& a, const std::vector<Interval>& r,
                                   long m, long n, Precision prec);

// The integral of the tent (w - |L|)_+ of half-width w >= 0 over a centred box, in closed form:
// the one-sided band term of the p = 1 crossing form (crossing_enclosure.hpp; docs/math.md 5a).
// With ramp(t) = max(t, 0), (w - |t|)_+ = ramp(t + w) - 2 ramp(t) + ramp(t - w), and
// G_k(t) = ramp(t)^(k+1) / (k+1)! is a k-th antiderivative of ramp on the whole line, so
//
//     int_{prod_i [-r_i, r_i]} (w - |a_0 + sum_i a_i u_i|)_+ du
//         = (1 / prod_i |a_i|) sum_{e in {-1,1}^k} (prod_i e_i) [G_k(c_e + w) - 2 G_k(c_e) + G_k(c_e - w)],
//     c_e = a_0 + sum_i e_i |a_i| r_i,
//
// for every a_i != 0 (the corner formula of integral_abs_affine_power). The corner sum cancels
// (terms up to (|a_0| + sum_i |a_i| r_i + w)^(k+1) / ((k+1)! prod_i |a_i|)); it is evaluated at
// `work` bits and returned at prec, rounded outward. Slopes: enclosures none of which contains 0;
// 1 <= k <= 16. Throws std::invalid_argument otherwise or for a w that may be negative.
Interval integral_affine_tent(const Interval& a0, const std::vector<Interval>& a, const std::vector<Interval>& r,
                              const Interval& w, Precision prec, Precision work);

// The moments of sign(L) |L|^q (q = q_num/q_den >= 0) over a centred box, in closed form: the
// correction terms of the crossing form (crossing_enclosure.hpp; q = p - 1),
//
//     int_{prod_i [-r_i, r_i]} G(a_0 + sum_i a_i u_i) u^alpha du,   G(t) = sign(t) |t|^q,
//         = sum_{e in {-1,1}^k} sum_{j <= alpha} prod_i [ (-1)^j_i alpha_i! / (alpha_i - j_i)!
//               (e_i r_i)^(alpha_i - j_i) e_i / a_i^(j_i + 1) ] S_K(a_0 + sum_i e_i a_i r_i),
//
// K = sum_i (j_i + 1), with S_K(t) = sign(t)^(K+1) |t|^(q+K) / ((q+1)...(q+K)) the K-th iterated
// antiderivative of G (continuous for K >= 1, so integration by parts holds across t = 0; for
// q = 0, S_K(t) = |t| t^(K-1) / K!). It is the one-variable rule
//     int_{-r}^{r} u^n G(c + a u) du = sum_{j=0}^{n} (-1)^j n!/(n-j)! [u^(n-j) G^(-(j+1))(c + a u)]_{-r}^{r} / a^(j+1)
// (n integrations by parts) applied to each variable in turn. Slopes: enclosures none of which
// contains 0; k <= 8, alpha_i <= kMaxMomentExponent. Computed at `work` bits and returned at prec, rounded
// outward: the corner sum cancels (its terms are up to (max_i |a_i| r_i / min_i |a_i| r_i)^(k +
// |alpha|) times the result), so the caller chooses how many bits it can lose (the enclosure is
// true at any precision, only wider). Throws std::invalid_argument on a slope containing 0 or
// sizes out of range.
constexpr int kMaxMomentExponent = 12;   // alpha_i! fits a long

Interval integral_sign_affine_moment(const Interval& a0, const std::vector<Interval>& a, const std::vector<Interval>& r,
                                     const std::vector<int>& alpha, long q_num, long q_den, Precision prec, Precision work);

// The same for several alpha at once (the corner values S_K are shared): one enclosure per alpha.
std::vector<Interval> integral_sign_affine_moments(const Interval& a0, const std::vector<Interval>& a,
                                                   const std::vector<Interval>& r, const std::vector<std::vector<int>>& alphas,
                                                   long q_num, long q_den, Precision prec, Precision work);

// The same moments over a centred box in d variables of which only some enter L: kept_index[i] is
// variable i's position among the slopes `a`, or -1 for a variable L does not depend on, which
// factors out as int_{-r_i}^{r_i} u_i^alpha_i du_i = 2 r_i^(alpha_i+1) / (alpha_i+1) (0 for odd
// alpha_i). `radius` and each alpha cover all d variables. Same contract otherwise.
std::vector<Interval> integral_sign_affine_moments_in(const Interval& a0, const std::vector<Interval>& a,
                                                      const std::vector<int>& kept_index, const std::vector<Interval>& radius,
                                                      const std::vector<std::vector<int>>& alphas, long q_num, long q_den,
                                                      Precision prec, Precision work);

// The largest and smallest of the terms |a_i| r_i of an affine function's kept slopes (rounded
// down), and the working precision of the corner sums above, which lose about
// (k + 2) log2(max/min |a_i| r_i) bits: prec + 32 + (k + 2)(that spread's binary exponent).
// nullopt where a term may be 0 (or there is none).
struct KeptSpread {
    Real largest, smallest;
    Precision work;
};
std::optional<KeptSpread> kept_spread(const std::vector<Interval>& kept_slopes, const std::vector<Interval>& kept_radii,
                                      Precision prec);

// min(1, w / largest), rounded up: with `largest` <= some kept term |a_i| r_i (KeptSpread::largest),
// an upper bound of vol{|L| <= w} / vol(B) (for fixed other coordinates, |L| <= w is an interval
// of u_i of length <= 2 w / |a_i|, out of 2 r_i). The crossing forms' slab bounds.
Interval slab_fraction(mpfr_srcptr w, mpfr_srcptr largest, Precision prec);

// The product of the sides 2 r_i of the variables an affine function leaves out (kept_index[i] < 0),
// which multiplies its closed forms over the kept variables; rounded outward at prec.
Interval other_sides(const std::vector<int>& kept_index, const std::vector<Interval>& radius, Precision prec);

}  // namespace lpcert
