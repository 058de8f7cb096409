#include "quadrature/box.hpp"

namespace lpcert {

Box Box::unit_cube(int d) {
    std::vector<Interval> sides;
    for (int i = 0; i < d; ++i) {
        Interval s{Precision(64)};
        mpfi_interv_si(s.raw(), 0, 1);
        sides.push_back(std::move(s));
    }
    return Box(std::move(sides));
}

Box Box::from_dyadics(const std::vector<Dyadic>& lo, const std::vector<Dyadic>& hi) {
    std::vector<Interval> sides;
    for (size_t i = 0; i < lo.size(); ++i) {
        // Enough bits for both ends exactly.
        const long bits = std::max<long>(64, std::max(lo[i].mantissa_bits(), hi[i].mantissa_bits()) + 2);
        mpfr_t a, b;
        mpfr_init2(a, bits);
        mpfr_init2(b, bits);
        lo[i].to_mpfr(a, MPFR_RNDD);
        hi[i].to_mpfr(b, MPFR_RNDU);
        Interval s{Precision(bits)};
        set_hull(s, a, b);
        mpfr_clear(a);
        mpfr_clear(b);
        sides.push_back(std::move(s));
    }
    return Box(std::move(sides));
}

Interval Box::volume(Precision prec) const {
    Interval v(1, prec), w(prec);
    mpfr_t lo;
    mpfr_init2(lo, prec.bits);
    for (const auto& s : sides_) {
        // width = b - a enclosed: [b - a rounded down, b - a rounded up]
        mpfr_sub(lo, s.upper(), s.lower(), MPFR_RNDD);
        mpfr_sub(&w.raw()->right, s.upper(), s.lower(), MPFR_RNDU);
        mpfr_set(&w.raw()->left, lo, MPFR_RNDD);
        mul(v, v, w);
    }
    mpfr_clear(lo);
    return v;
}

int Box::widest_axis() const {
    int best = 0;
    mpfr_t w, bw;
    mpfr_init2(w, 64);
    mpfr_init2(bw, 64);
    for (int i = 0; i < dimension(); ++i) {
        width_up(w, sides_[static_cast<size_t>(i)]);
        if (i == 0 || mpfr_greater_p(w, bw)) {
            mpfr_set(bw, w, MPFR_RNDU);
            best = i;
        }
    }
    mpfr_clear(w);
    mpfr_clear(bw);
    return best;
}

std::pair<Box, Box> Box::bisect(int axis) const {
    const Interval& s = sides_[static_cast<size_t>(axis)];
    mpfr_prec_t bits = mpfi_get_prec(s.raw());
    mpfr_t mid;
    mpfr_init2(mid, bits);
    while (true) {
        mpfr_add(mid, s.lower(), s.upper(), MPFR_RNDN);
        mpfr_div_2ui(mid, mid, 1, MPFR_RNDN);
        if (mpfr_less_p(s.lower(), mid) && mpfr_less_p(mid, s.upper())) break;
        bits += 32;   // no representable point strictly inside: use more bits
        mpfr_set_prec(mid, bits);
    }
    Interval left{Precision(bits)}, right{Precision(bits)};
    set_hull(left, s.lower(), mid);
    set_hull(right, mid, s.upper());
    mpfr_clear(mid);
    Box a = *this, b = *this;
    a.sides_[static_cast<size_t>(axis)] = std::move(left);
    b.sides_[static_cast<size_t>(axis)] = std::move(right);
    return {std::move(a), std::move(b)};
}

void Box::centre_and_radius(std::vector<Interval>& centre, std::vector<Interval>& radius, Precision prec) const {
    centre.assign(sides_.size(), Interval(prec));
    radius.assign(sides_.size(), Interval(prec));
    for (size_t i = 0; i < sides_.size(); ++i) {
        Interval a(prec), b(prec);
        set_exact_or_outward(a, sides_[i].lower());
        set_exact_or_outward(b, sides_[i].upper());
        add(centre[i], a, b);
        mul_2si(centre[i], centre[i], -1);
        sub(radius[i], b, a);
        mul_2si(radius[i], radius[i], -1);
    }
}

}  // namespace lpcert
