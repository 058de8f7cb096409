#pragma once
// int_B |h| on a box B where h changes sign, about an affine function fitted to the zero set of
// h's Taylor polynomial: the p = 1 crossing form of order four where the zero set is nearly
// flat (docs/math.md 5a, "p = 1 about the zero set's plane").
//
// With T the Taylor polynomial of h of degree 3 about B's centre (|h - T| <= R4 on B) and an
// affine L*(u) = g (u_k - z(u')) (u' the other variables, z affine, g != 0, all chosen: they
// only decide how tight the bound is), divide T - L* by u_k - z(u') as a polynomial in u_k:
//     T(u) - L*(u) = (u_k - z(u')) l(u) + rho(u'),   rho(u') = T(z(u'), u'),
// so |h - L*| <= alpha |L*| + beta on B with alpha = max_B |l| / |g| and beta = max |rho| + R4.
// rho is T on the plane L* = 0: where that plane follows the zero set of T, rho is small (zero
// up to the plane's curvature; exactly constant where the zero set is a plane, as for
// exp(x1 + x2 + x3) - c). Then, with alpha < 1 and w = beta / (1 - alpha):
// - where h and L* have one sign, |h| = sign(L*) h; where they differ, |L*| <= w and
//   |h| <= beta - (1 - alpha)|L*|, so 0 <= |h| - sign(L*) h <= 2 (1 - alpha) (w - |L*|)_+;
// - int_B sign(L*) h = sum_{|a| <= 3} h_a(m) int_B sign(L*) u^a + vol(B) R4' [-1, 1], with
//   vol R4' >= int_B |h - T| (the Lagrange terms h_a(xi) u^a integrate to at most
//   |h_a(B)| vol r^a / prod (a_i + 1)).
// Hence
//     int_B |h|  in  sum_{|a| <= 3} h_a(m) int_B sign(L*) u^a + vol R4' [-1, 1]
//                    + [0, 2 (1 - alpha) int_B (w - |L*|)_+],
// every integral a closed form (affine_power_integral.hpp). Against the centre's affine part
// (crossing_enclosure.hpp), whose band is as wide as the whole second-order range of h over
// B, this band is as wide as rho: the second-order terms along the normal of the zero set and
// the Taylor terms of the plane's constant drop out. Where h is monotone along u_k, the signs of h
// and L* differ on one side of the plane only, and half the tent (per line) bounds the band.

#include <optional>
#include <vector>

#include "quadrature/interval.hpp"
#include "quadrature/taylor_series.hpp"

namespace lpcert {

class ZeroSetPlane {
public:
    // `layout`: the layout of h's Taylor coefficients about the centre, of order 3.
    explicit ZeroSetPlane(const SeriesLayout& layout);

    // An enclosure of int_B |h| at prec (outward) from h's Taylor coefficients about B's centre
    // (`at_centre`, layout above), `tail` >= |h - T| on B and `tail_mean` with vol(B) tail_mean >=
    // int_B |h - T| (for the Lagrange form sum_{|a| = 4} h_a(xi) u^a: sum |h_a(B)| r^a and the same
    // with each term divided by prod_i (a_i + 1)), B's half-widths and volume; nullopt
    // where the form does not exist (no slope certainly nonzero, alpha >= 1/2, an overflow) or
    // its error per unit volume would exceed `worth_below` (the caller's cheaper form is then
    // as good; a choice, not a bound). `slopes_over_box`, when given, encloses d_i h over B
    // (i = 0..d-1): where d_k h has g's sign on all of B, h is monotone along u_k like L*, the
    // signs differ on one side of z(u') only, and the band is also at most
    // vol(B) / (2 r_k) beta^2 / ((1 - alpha) |g|) (the one-sided tent of each line, unclipped).
    std::optional<Interval> integral_abs(const Series& at_centre, const Interval& tail, const Interval& tail_mean,
                                         const std::vector<Interval>& radius, const Interval& vol, const Interval& worth_below,
                                         Precision prec, const std::vector<Interval>* slopes_over_box = nullptr) const;

private:
    SeriesLayout layout_;
    std::vector<int> index_;   // layout index by exponents packed in base 4 (degrees <= 3)
    int index_of(const std::array<std::uint8_t, SeriesLayout::kMaxDimension>& e) const;
};

}  // namespace lpcert
