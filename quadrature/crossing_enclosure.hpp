#pragma once
// The quadrature's enclosure of int_B |h|^p on a box B where h changes sign (or may: its
// enclosure over B contains 0), for p >= 1. There |h|^p has no Taylor form of order >= 1 (|t|^p
// is not smooth at 0), and the natural extension vol(B) |h|(B)^p is only O(vol r) wide: near the
// zero set of h the quadrature used to converge linearly (p = 1 was 320x slower than p = 2).
//
// With the affine part L(u) = h(m) + grad h(m) . u of h about B's centre m and the Taylor bound
//     |h(m + u) - L(u)| <= R = sum_{|a| = 2} |h_a(B)| r^a      (h_a: 2nd Taylor coefficients over B),
// the mean value theorem on t -> |t|^p (derivative at most p M^(p-1) in modulus on [-M, M]) gives
//     | |h|^p - |L|^p | <= p M^(p-1) R,   M = |h(m)| + sum_i |d_i h(m)| r_i + R >= |h|, |L| on B,
// and int_B |L|^p has a closed form (affine_power_integral.hpp). Hence
//     int_B |h|^p  in  int_B |L|^p + vol(B) p M^(p-1) R [-1, 1],
// a width O(vol r^2): pieces on the zero set converge quadratically. Where h is four times
// differentiable the correction is added (docs/math.md 5a): about the centred affine part
// L' = L + c (c the midpoint of the centre's square terms), with Q the centre's second- and
// third-order terms and G(t) = sign(t)|t|^(p-1),
//     int_B |h|^p in int |L'|^p + p sum_{2<=|a|<=3} h_a(m) int_B G(L') u^a - p c int_B G(L')
//                    + vol p M^(p-1) (R4' + D/2) [-1, 1] + int_B rho
// (closed forms, affine_power_integral.hpp; rho in [0, 2 int (R'' - |L'|)_+] for p = 1, a Hoelder
// slab and a Taylor term int |L'|^(p-2) for 1 < p < 2, p(p-1)/2 M^(p-2) R''^2 vol for p >= 2,
// R'' >= |h - L'| on B; R4' = sum_{|a| = 4} |h_a(B)| r^a / prod (a_i + 1), as vol R4' bounds the
// integral of the Lagrange terms' modulus): width O(vol r^3), intersected with the first-order form. A slope d_i h(m) whose
// enclosure contains 0, or whose term |d_i h(m)| r_i is below 2^-24 of the largest, is moved
// from L into R (it adds |d_i h(m)| r_i; the closed form divides by the slopes it keeps).
// For p = 1 the form about the zero set's plane (zero_set_plane.hpp) is tried before this
// correction: its band follows h on the plane that fits the zero set, not Q's whole range.

#include <memory>
#include <vector>

#include "quadrature/box.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/interval.hpp"

namespace lpcert {

class CrossingEnclosure {
public:
    // The form for the integrand g when g = |h|^p with p >= 1 rational (abs(h), abs(h)^n,
    // abs(h)^q for a constant q >= 1: every L^p integrand of lpcert with p not an even
    // integer); nullptr for any other g.
    static std::unique_ptr<CrossingEnclosure> detect(const Expression& g, int d, Precision prec);
    ~CrossingEnclosure();

    // Writes an enclosure of int_B g into `out` (rounded outward at prec) and returns true, or
    // returns false where the form does not exist on B (h not twice differentiable on B, every
    // slope 0 up to the threshold, an undefined value). `centre`/`radius`: B's, as given by
    // Box::centre_and_radius at prec.
    bool enclose(Interval& out, const Box& box, const std::vector<Interval>& centre,
                 const std::vector<Interval>& radius, const std::vector<Interval>& params);

private:
    struct Impl;
    explicit CrossingEnclosure(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lpcert
