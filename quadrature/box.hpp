#pragma once
// Box: an axis-parallel box prod_i [a_i, b_i] with EXACT binary endpoints (each side is an
// Interval whose ends are the box's ends, stored at a precision that holds them exactly).
// Bisection splits at an exactly representable point, so two children cover their parent
// exactly: integrals over a partition add up with no gap and no overlap.

#include <vector>

#include "quadrature/dyadic.hpp"
#include "quadrature/interval.hpp"

namespace lpcert {

class Box {
public:
    Box() = default;
    explicit Box(std::vector<Interval> sides) : sides_(std::move(sides)) {}
    // The unit cube [0,1]^d.
    static Box unit_cube(int d);
    // prod_i [lo_i, hi_i] with exact dyadic ends.
    static Box from_dyadics(const std::vector<Dyadic>& lo, const std::vector<Dyadic>& hi);

    int dimension() const { return static_cast<int>(sides_.size()); }
    const Interval& side(int i) const { return sides_[static_cast<size_t>(i)]; }
    const std::vector<Interval>& sides() const { return sides_; }

    // Enclosure of the volume, rounded outward at prec.
    Interval volume(Precision prec) const;
    // The axis of the longest side (first one on ties).
    int widest_axis() const;
    // Splits along `axis` at an exactly representable point near the middle.
    std::pair<Box, Box> bisect(int axis) const;
    // Enclosures of the centre m and the half-widths r (x = m + u, |u_i| <= r_i), at prec.
    void centre_and_radius(std::vector<Interval>& centre, std::vector<Interval>& radius, Precision prec) const;

private:
    std::vector<Interval> sides_;
};

}  // namespace lpcert
