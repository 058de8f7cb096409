#include "quadrature/abs_signs.hpp"

#include <algorithm>

#include "quadrature/errors.hpp"
#include "quadrature/real.hpp"

namespace lpcert {

namespace {

// +1 where the enclosure is >= 0, -1 where it is <= 0 (checked in that order), 0 otherwise.
signed char sign_of(const Interval& v) {
    if (mpfr_sgn(v.lower()) >= 0) return 1;
    if (mpfr_sgn(v.upper()) <= 0) return -1;
    return 0;
}

// floor(log2(x)) + 1 for a dyadic x > 0: x < 2^that.
long magnitude_exponent(const Dyadic& x) { return x.mantissa_bits() + x.exponent(); }

}  // namespace

AbsSigns::AbsSigns(const Expression& g, Precision prec) : g_(&g), prec_(prec), range_(g, prec), layout_(1, 1) {
    for (size_t k = 0; k < g.code().size(); ++k)
        if (g.code()[k].op == Op::Abs) slots_.push_back(static_cast<int>(k));
    if (!slots_.empty()) series_ = std::make_unique<SeriesEvaluator>(g, layout_, prec);
}

SignedPiece AbsSigns::unsettled(const Dyadic& lo, const Dyadic& hi) const { return SignedPiece{lo, hi, std::vector<signed char>(slots_.size(), 0)}; }

bool AbsSigns::settle_by_range(SignedPiece& piece, const std::vector<Interval>& params) {
    bool open = false;
    for (signed char s : piece.signs) open = open || s == 0;
    if (!open) return true;
    Interval x(prec_);
    mpfi_union(x.raw(), piece.lo.to_interval(prec_).raw(), piece.hi.to_interval(prec_).raw());
    range_.evaluate({x}, params);
    bool settled = true;
    for (size_t i = 0; i < slots_.size(); ++i) {
        if (piece.signs[i] != 0) continue;
        piece.signs[i] = sign_of(range_.slot_value(g_->code()[static_cast<size_t>(slots_[i])].a));
        settled = settled && piece.signs[i] != 0;
    }
    return settled;
}

bool AbsSigns::argument_series(const SignedPiece& piece, size_t which, const Interval& x, const std::vector<Interval>& params,
                               Interval& value, Interval& derivative) {
    std::vector<SeriesEvaluator::ForcedBranch> forced;
    for (size_t i = 0; i < which; ++i)
        if (piece.signs[i] != 0) forced.push_back({slots_[i], piece.signs[i] > 0 ? 0 : 1, nullptr});
    series_->force_branches(forced);
    const int argument = g_->code()[static_cast<size_t>(slots_[which])].a;
    try {
        if (!series_->evaluate_range(0, argument + 1, {x}, params)) return false;
    } catch (const DomainError&) {
        return false;
    }
    const Series& h = series_->slot_series(argument);
    value = h.c[0];
    if (h.degree >= 1) {
        derivative = h.c[1];
    } else {
        mpfi_set_si(derivative.raw(), 0);   // (coefficients above the degree are not stored)
    }
    return true;
}

AbsSigns::Outcome AbsSigns::settle_by_monotonicity(SignedPiece& piece, Split& split, const std::vector<Interval>& params) {
    size_t which = 0;
    while (which < piece.signs.size() && piece.signs[which] != 0) ++which;
    if (which == piece.signs.size()) return Outcome::Settled;
    Interval box(prec_), value(prec_), slope(prec_);
    mpfi_union(box.raw(), piece.lo.to_interval(prec_).raw(), piece.hi.to_interval(prec_).raw());
    if (!argument_series(piece, which, box, params, value, slope)) return Outcome::None;
    // the mean value form h(m) + h'(B) [-r, r] first: tighter than the natural range where h is a
    // difference of close values (f(x + t) - f(x) for a short shift t)
    {
        const Dyadic mid = (piece.lo + piece.hi).times_power_of_two(-1);
        Interval at_mid(prec_), unused(prec_), spread(prec_);
        if (argument_series(piece, which, mid.to_interval(prec_), params, at_mid, unused)) {
            mpfi_interv_si(spread.raw(), -1, 1);
            mul(spread, spread, ((piece.hi - piece.lo).times_power_of_two(-1)).to_interval(prec_));
            mul(spread, spread, slope);
            add(at_mid, at_mid, spread);
            const signed char s = sign_of(at_mid);
            if (s != 0) {
                piece.signs[which] = s;
                return Outcome::Settled;
            }
        }
    }
    const int dir = certainly_positive(slope) ? 1 : certainly_negative(slope) ? -1 : 0;
    if (dir == 0) return Outcome::None;
    // whether dir h(t) >= 0 (want > 0) or <= 0 (want < 0) certainly, from h's enclosure at the
    // point t (an exact 0 is both)
    auto directed_at = [&](const Dyadic& t, int want) {
        Interval v(prec_), dv(prec_);
        if (!argument_series(piece, which, t.to_interval(prec_), params, v, dv)) return false;
        return dir * want > 0 ? mpfr_sgn(v.lower()) >= 0 : mpfr_sgn(v.upper()) <= 0;
    };
    if (directed_at(piece.lo, 1)) {   // dir h >= 0 from lo on
        piece.signs[which] = static_cast<signed char>(dir);
        return Outcome::Settled;
    }
    if (directed_at(piece.hi, -1)) {   // dir h <= 0 up to hi
        piece.signs[which] = static_cast<signed char>(-dir);
        return Outcome::Settled;
    }

    // An approximation of the zero by Newton's method from the midpoint, kept inside the piece
    // (not a bound: the points t1, t2 below are certified by their own enclosures).
    const Dyadic length = piece.hi - piece.lo;
    const long top = magnitude_exponent(length);   // length < 2^top
    Real z(prec_), step(prec_), lo(prec_), hi(prec_);
    piece.lo.to_mpfr(lo.raw(), MPFR_RNDU);
    piece.hi.to_mpfr(hi.raw(), MPFR_RNDD);
    ((piece.lo + piece.hi).times_power_of_two(-1)).to_mpfr(z.raw(), MPFR_RNDN);
    for (int iteration = 0; iteration < 40; ++iteration) {
        Interval v(prec_), dv(prec_);
        Interval at(prec_);
        mpfi_set_fr(at.raw(), z.raw());
        if (!argument_series(piece, which, at, params, v, dv)) return Outcome::None;
        Real num(prec_), den(prec_);
        midpoint(num.raw(), v);
        midpoint(den.raw(), dv);
        if (mpfr_zero_p(den.raw())) break;
        mpfr_div(step.raw(), num.raw(), den.raw(), MPFR_RNDN);
        mpfr_sub(z.raw(), z.raw(), step.raw(), MPFR_RNDN);
        mpfr_max(z.raw(), z.raw(), lo.raw(), MPFR_RNDN);
        mpfr_min(z.raw(), z.raw(), hi.raw(), MPFR_RNDN);
        if (!mpfr_regular_p(step.raw()) || mpfr_get_exp(step.raw()) < top - static_cast<long>(prec_.bits) + 4) break;
    }
    const Dyadic zero = Dyadic::from_mpfr(z.raw());

    // t1 = zero - delta, t2 = zero + delta (clamped to the piece) with delta = 2^e, e from
    // prec - 24 bits below the piece's length (at least 4) up to 3 below, until both are certified
    const long last = top - 3;
    for (long e = top - std::max(4L, static_cast<long>(prec_.bits) - 24);; e = std::min(e + 12, last)) {
        const Dyadic delta = Dyadic::power_of_two(e);
        Dyadic t1 = zero - delta, t2 = zero + delta;
        if (t1 < piece.lo) t1 = piece.lo;
        if (piece.hi < t2) t2 = piece.hi;
        const bool left_ok = t1 == piece.lo || directed_at(t1, -1);
        const bool right_ok = t2 == piece.hi || directed_at(t2, 1);
        if (!left_ok || !right_ok) {
            if (e == last) break;
            continue;
        }
        split.has_left = piece.lo < t1;
        split.has_right = t2 < piece.hi;
        split.left = SignedPiece{piece.lo, t1, piece.signs};
        split.left.signs[which] = static_cast<signed char>(-dir);
        split.right = SignedPiece{t2, piece.hi, piece.signs};
        split.right.signs[which] = static_cast<signed char>(dir);
        split.middle_lo = t1;
        split.middle_hi = t2;
        return Outcome::Split;
    }
    return Outcome::None;
}

void AbsSigns::signs_by_slot(const SignedPiece& piece, std::vector<signed char>& by_slot) const {
    by_slot.assign(g_->code().size(), 0);
    for (size_t i = 0; i < slots_.size(); ++i) by_slot[static_cast<size_t>(slots_[i])] = piece.signs[i];
}

}  // namespace lpcert
