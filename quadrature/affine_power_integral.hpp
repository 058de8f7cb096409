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

#include <vector>

#include "quadrature/interval.hpp"

namespace lpcert {

// Enclosure of the integral above with p = m/n (integers m >= n >= 1), slopes `a` (enclosures
// none of which contains 0) and half-widths `r` (same length, k <= 16). Computed at prec + 64
// bits (the corner sum cancels: its terms are up to (|a_0| + sum s_i)^k / prod s_i times larger
// than the result) and returned at prec, rounded outward. Throws std::invalid_argument for a
// slope containing 0 or k > 16.
Interval integral_abs_affine_power(const Interval& a0, const std::vector<Interval>& a, const std::vector<Interval>& r,
                                   long m, long n, Precision prec);

}  // namespace lpcert
