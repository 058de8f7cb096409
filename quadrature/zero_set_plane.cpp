#include "quadrature/zero_set_plane.hpp"

#include <mpfr.h>

#include <stdexcept>

#include "quadrature/affine_power_integral.hpp"
#include "quadrature/real.hpp"

namespace lpcert {

namespace {

using Exponents = std::array<std::uint8_t, SeriesLayout::kMaxDimension>;

int packed(const Exponents& e, int d) {
    int key = 0;
    for (int i = d - 1; i >= 0; --i) key = key * 4 + e[static_cast<size_t>(i)];
    return key;
}

// sum_b p_b range(u^b): an enclosure of the polynomial p's range over the box.
Interval polynomial_range(const std::vector<Interval>& p, const std::vector<Interval>& ranges, Precision prec) {
    Interval out(prec), scratch(prec);
    for (size_t b = 0; b < p.size(); ++b) add_product(out, p[b], ranges[b], scratch);
    return out;
}

}  // namespace

ZeroSetPlane::ZeroSetPlane(const SeriesLayout& layout) : layout_(layout) {
    if (layout.order() != 3) throw std::invalid_argument("ZeroSetPlane: the layout must have order 3");
    const int d = layout.dimension();
    index_.assign(static_cast<size_t>(1) << (2 * d), -1);
    for (int b = 0; b < layout.size(); ++b) index_[static_cast<size_t>(packed(layout.exponents(b), d))] = b;
}

int ZeroSetPlane::index_of(const Exponents& e) const {
    return index_[static_cast<size_t>(packed(e, layout_.dimension()))];
}

std::optional<Interval> ZeroSetPlane::integral_abs(const Series& at_centre, const Interval& tail, const Interval& tail_mean,
                                                   const std::vector<Interval>& radius,
                                                   const Interval& vol, const Interval& worth_below, Precision prec,
                                                   const std::vector<Interval>* slopes_over_box) const {
    const SeriesLayout& layout = layout_;
    const int d = layout.dimension();
    const size_t size = static_cast<size_t>(layout.size());
    const auto& T = at_centre.c;
    if (T.size() < size || radius.size() != static_cast<size_t>(d)) throw std::invalid_argument("ZeroSetPlane: sizes differ");

    // ---- choices (round to nearest; they decide how tight the bound is, not whether it holds) ----
    // the axis k with the largest |T_(e_k)| r_k among the slopes certainly nonzero
    Real chosen(prec), term(prec), r_k(prec), t(prec), f(prec), fp(prec), scratch(prec);
    int k = -1;
    for (int i = 0; i < d; ++i) {
        const Interval& slope = T[static_cast<size_t>(layout.variable_index(i))];
        if (!certainly_positive(slope) && !certainly_negative(slope)) continue;
        midpoint(term.raw(), slope);
        midpoint(scratch.raw(), radius[static_cast<size_t>(i)]);
        mpfr_mul(term.raw(), term.raw(), scratch.raw(), MPFR_RNDN);
        mpfr_abs(term.raw(), term.raw(), MPFR_RNDN);
        if (k < 0 || mpfr_greater_p(term.raw(), chosen.raw())) {
            mpfr_set(chosen.raw(), term.raw(), MPFR_RNDN);
            k = i;
        }
    }
    if (k < 0) return std::nullopt;
    const size_t ku = static_cast<size_t>(k);
    midpoint(r_k.raw(), radius[ku]);
    // the centre's coefficients (midpoints)
    std::vector<Real> c;
    c.reserve(size);
    for (size_t b = 0; b < size; ++b) {
        c.emplace_back(prec);
        midpoint(c.back().raw(), T[b]);
    }
    auto axis_index = [&](int n) {   // the monomial u_k^n
        Exponents e{};
        e[ku] = static_cast<std::uint8_t>(n);
        return static_cast<size_t>(index_of(e));
    };
    // a zero t of T along the axis through the centre: Newton from -T_0 / T_(e_k), kept within
    // twice the box
    const Real& c1 = c[axis_index(1)];
    mpfr_div(t.raw(), c[0].raw(), c1.raw(), MPFR_RNDN);
    mpfr_neg(t.raw(), t.raw(), MPFR_RNDN);
    for (int iteration = 0; iteration < 4; ++iteration) {
        mpfr_set_zero(f.raw(), 1);
        mpfr_set_zero(fp.raw(), 1);
        for (int n = 3; n >= 0; --n) {   // Horner for T(t e_k) and its derivative
            mpfr_mul(fp.raw(), fp.raw(), t.raw(), MPFR_RNDN);
            mpfr_add(fp.raw(), fp.raw(), f.raw(), MPFR_RNDN);
            mpfr_mul(f.raw(), f.raw(), t.raw(), MPFR_RNDN);
            mpfr_add(f.raw(), f.raw(), c[axis_index(n)].raw(), MPFR_RNDN);
        }
        if (mpfr_zero_p(fp.raw()) || !mpfr_number_p(fp.raw())) break;
        mpfr_div(f.raw(), f.raw(), fp.raw(), MPFR_RNDN);
        mpfr_sub(t.raw(), t.raw(), f.raw(), MPFR_RNDN);
    }
    if (!mpfr_number_p(t.raw())) return std::nullopt;
    mpfr_mul_2ui(scratch.raw(), r_k.raw(), 1, MPFR_RNDN);
    if (mpfr_cmpabs(t.raw(), scratch.raw()) > 0) mpfr_copysign(t.raw(), scratch.raw(), t.raw(), MPFR_RNDN);
    // the gradient of T at t e_k: d_i T = sum over monomials in u_i and u_k alone
    std::vector<Real> gradient;
    for (int i = 0; i < d; ++i) gradient.emplace_back(prec);
    for (size_t b = 0; b < size; ++b) {
        const Exponents& e = layout.exponents(static_cast<int>(b));
        int other = -1, others = 0;
        for (int i = 0; i < d; ++i)
            if (i != k && e[static_cast<size_t>(i)] > 0) {
                other = i;
                others += e[static_cast<size_t>(i)];
            }
        const int n = e[ku];
        if (others == 0 && n >= 1) {   // n T_b t^(n-1) into d_k T
            mpfr_pow_ui(term.raw(), t.raw(), static_cast<unsigned long>(n - 1), MPFR_RNDN);
            mpfr_mul(term.raw(), term.raw(), c[b].raw(), MPFR_RNDN);
            mpfr_mul_ui(term.raw(), term.raw(), static_cast<unsigned long>(n), MPFR_RNDN);
            mpfr_add(gradient[ku].raw(), gradient[ku].raw(), term.raw(), MPFR_RNDN);
        } else if (others == 1) {   // T_b t^n into d_other T
            mpfr_pow_ui(term.raw(), t.raw(), static_cast<unsigned long>(n), MPFR_RNDN);
            mpfr_mul(term.raw(), term.raw(), c[b].raw(), MPFR_RNDN);
            mpfr_add(gradient[static_cast<size_t>(other)].raw(), gradient[static_cast<size_t>(other)].raw(), term.raw(),
                     MPFR_RNDN);
        }
    }
    const Real& g = gradient[ku];
    if (mpfr_zero_p(g.raw()) || !mpfr_number_p(g.raw())) return std::nullopt;
    // z(u') = z0 + sum_{i != k} zeta_i u_i, zeta_i = -d_i T / d_k T; a slope term below 2^-24 of
    // the axis' is left out of L* (it then lies in rho)
    mpfr_mul(chosen.raw(), g.raw(), r_k.raw(), MPFR_RNDN);
    mpfr_abs(chosen.raw(), chosen.raw(), MPFR_RNDN);
    mpfr_div_2ui(chosen.raw(), chosen.raw(), 24, MPFR_RNDN);
    std::vector<Real> zeta;
    for (int i = 0; i < d; ++i) zeta.emplace_back(prec);
    for (int i = 0; i < d; ++i) {
        if (i == k) continue;
        const size_t iu = static_cast<size_t>(i);
        midpoint(scratch.raw(), radius[iu]);
        mpfr_mul(term.raw(), gradient[iu].raw(), scratch.raw(), MPFR_RNDN);
        if (mpfr_cmpabs(term.raw(), chosen.raw()) < 0) continue;
        mpfr_div(zeta[iu].raw(), gradient[iu].raw(), g.raw(), MPFR_RNDN);
        mpfr_neg(zeta[iu].raw(), zeta[iu].raw(), MPFR_RNDN);
        if (!mpfr_number_p(zeta[iu].raw())) return std::nullopt;
    }
    Real z0(prec);
    mpfr_set(z0.raw(), t.raw(), MPFR_RNDN);

    // ---- bounds (outward) ----
    const std::vector<Interval> ranges = monomial_ranges(layout, radius, prec);
    Interval product(prec);
    // T = sum_n P_n(u') u_k^n: P_n's coefficients (indexed by the monomial u'^b)
    std::vector<std::vector<const Interval*>> P_terms(4, std::vector<const Interval*>(size, nullptr));
    for (size_t a = 0; a < size; ++a) {
        Exponents base = layout.exponents(static_cast<int>(a));
        const int n = base[ku];
        base[ku] = 0;
        P_terms[static_cast<size_t>(n)][static_cast<size_t>(index_of(base))] = &T[a];
    }
    // rho(u') = T(z(u'), u') = P_0 + z (P_1 + z (P_2 + z P_3)) (Horner in u_k; degree <= 3, so
    // nothing is truncated), as a polynomial in u', and its range over the box
    std::vector<Interval> q(size, Interval(prec)), next(size, Interval(prec));
    std::vector<size_t> shift(size * static_cast<size_t>(d), 0);   // index of u^b u_i, for |b| <= 2
    for (size_t b = 0; b < layout.size_through_degree(2); ++b)
        for (int i = 0; i < d; ++i) {
            Exponents e = layout.exponents(static_cast<int>(b));
            ++e[static_cast<size_t>(i)];
            shift[b * static_cast<size_t>(d) + static_cast<size_t>(i)] = static_cast<size_t>(index_of(e));
        }
    std::vector<Interval> zeta_interval;
    for (int i = 0; i < d; ++i) {
        zeta_interval.emplace_back(prec);
        mpfi_set_fr(zeta_interval.back().raw(), zeta[static_cast<size_t>(i)].raw());
    }
    Interval offset_interval(prec);
    auto rho_range = [&](const Real& offset) {
        mpfi_set_fr(offset_interval.raw(), offset.raw());
        for (auto& v : q) mpfi_set_si(v.raw(), 0);
        for (int n = 3; n >= 0; --n) {
            // next = P_n + z q, q of degree <= 2 - n (0 before the first step)
            for (auto& v : next) mpfi_set_si(v.raw(), 0);
            const size_t top = n == 3 ? 0 : layout.size_through_degree(2 - n);   // q's monomials
            for (size_t b = 0; b < top; ++b) {
                if (mpfr_zero_p(q[b].lower()) && mpfr_zero_p(q[b].upper())) continue;
                add_product(next[b], q[b], offset_interval, product);
                for (int i = 0; i < d; ++i)
                    if (i != k && !mpfr_zero_p(zeta[static_cast<size_t>(i)].raw()))
                        add_product(next[shift[b * static_cast<size_t>(d) + static_cast<size_t>(i)]], q[b], zeta_interval[static_cast<size_t>(i)], product);
            }
            for (size_t b = 0; b < size; ++b)
                if (P_terms[static_cast<size_t>(n)][b] != nullptr) add(next[b], next[b], *P_terms[static_cast<size_t>(n)][b]);
            std::swap(q, next);
        }
        return polynomial_range(q, ranges, prec);
    };
    Interval rho = rho_range(z0);
    if (!rho.is_finite()) return std::nullopt;
    {   // shift the plane by the middle of rho's range (about -mid / g along u_k) and keep the better
        Real shifted(prec);
        midpoint(term.raw(), rho);
        mpfr_div(term.raw(), term.raw(), g.raw(), MPFR_RNDN);
        mpfr_sub(shifted.raw(), z0.raw(), term.raw(), MPFR_RNDN);
        const Interval again = rho_range(shifted);
        Real before(prec), after(prec);
        magnitude_up(before.raw(), rho);
        magnitude_up(after.raw(), again);
        if (again.is_finite() && mpfr_less_p(after.raw(), before.raw())) {
            rho = again;
            mpfr_set(z0.raw(), shifted.raw(), MPFR_RNDN);
        }
    }
    // l(u) = P_1 + P_2 (u_k + z) + P_3 (u_k^2 + u_k z + z^2) - g with T = sum_n P_n(u') u_k^n,
    // enclosed over the box; alpha = max |l| / |g|
    std::vector<Interval> P(4, Interval(prec));
    for (int n = 1; n <= 3; ++n)
        for (size_t b = 0; b < size; ++b)
            if (P_terms[static_cast<size_t>(n)][b] != nullptr) add_product(P[static_cast<size_t>(n)], *P_terms[static_cast<size_t>(n)][b], ranges[b], product);
    Interval Z(prec), U(prec), l(prec), x(prec), y(prec), gi(prec);
    mpfi_set_fr(Z.raw(), z0.raw());
    for (int i = 0; i < d; ++i) {
        if (i == k) continue;
        mpfi_set_fr(x.raw(), zeta[static_cast<size_t>(i)].raw());
        add_product(Z, x, ranges[static_cast<size_t>(layout.variable_index(i))], product);
    }
    U = ranges[static_cast<size_t>(layout.variable_index(k))];
    add(x, U, Z);
    mul(l, P[2], x);           // P_2 (u_k + z)
    sqr(x, U);
    mul(y, U, Z);
    add(x, x, y);
    sqr(y, Z);
    add(x, x, y);
    mul(x, x, P[3]);           // P_3 (u_k^2 + u_k z + z^2)
    add(l, l, x);
    add(l, l, P[1]);
    mpfi_set_fr(gi.raw(), g.raw());
    sub(l, l, gi);
    Interval alpha(prec), beta(prec), one_minus_alpha(prec), w(prec);
    abs(alpha, l);
    abs(x, gi);
    div(alpha, alpha, x);
    mpfr_set(&alpha.raw()->left, alpha.upper(), MPFR_RNDD);   // its upper end is the bound
    if (!alpha.is_finite() || mpfr_cmp_d(alpha.upper(), 0.5) >= 0) return std::nullopt;
    abs(beta, rho);
    add(beta, beta, tail);
    mpfr_set(&beta.raw()->left, beta.upper(), MPFR_RNDD);
    mpfi_ui_sub(one_minus_alpha.raw(), 1, alpha.raw());
    div(w, beta, one_minus_alpha);

    // L*(u) = g (u_k - z(u')): a_0 = -g z0, a_k = g, a_i = -g zeta_i (the kept ones)
    std::vector<Interval> kept_slopes, kept_radii;
    std::vector<int> kept_index(static_cast<size_t>(d), -1);
    for (int i = 0; i < d; ++i) {
        const size_t iu = static_cast<size_t>(i);
        if (i != k && mpfr_zero_p(zeta[iu].raw())) continue;
        kept_index[iu] = static_cast<int>(kept_slopes.size());
        if (i == k) {
            kept_slopes.push_back(gi);
        } else {
            mpfi_set_fr(x.raw(), zeta[iu].raw());
            mul(x, x, gi);
            neg(x, x);
            kept_slopes.push_back(x);
        }
        kept_radii.push_back(radius[iu]);
    }
    Interval a0(prec);
    mpfi_set_fr(a0.raw(), z0.raw());
    mul(a0, a0, gi);
    neg(a0, a0);
    const auto spread = kept_spread(kept_slopes, kept_radii, prec);
    if (!spread) return std::nullopt;
    const Interval sides = other_sides(kept_index, radius, prec);

    // the band 2 (1 - alpha) int_B (w - |L*|)_+, or 2 beta vol min(1, w / max_i |a_i| r_i)
    Interval band = integral_affine_tent(a0, kept_slopes, kept_radii, w, prec, spread->work);
    mul(band, band, sides);
    mul(band, band, one_minus_alpha);
    mul_2si(band, band, 1);
    {
        Interval slab = slab_fraction(w.upper(), spread->largest.raw(), prec);
        mul(slab, slab, beta);
        mul_2si(slab, slab, 1);
        mul(slab, slab, vol);
        if (!band.is_finite() || mpfr_less_p(slab.upper(), band.upper())) band = slab;
    }
    // h monotone along u_k in L*'s direction: on each line u' = const, h and L* have opposite
    // signs only between z(u') and h's zero (or on one side of z where h has none), within
    // |u_k - z| <= w / |g|, where |h| <= beta - (1 - alpha) |g| |u_k - z|: the line's part of the
    // band is at most int_0^(w/|g|) 2 (beta - (1 - alpha) |g| s) ds = beta^2 / ((1 - alpha) |g|)
    if (slopes_over_box != nullptr &&
        (mpfr_sgn(g.raw()) > 0 ? certainly_positive((*slopes_over_box)[ku]) : certainly_negative((*slopes_over_box)[ku]))) {
        Interval one_sided(prec);
        sqr(one_sided, beta);
        div(one_sided, one_sided, one_minus_alpha);
        abs(x, gi);
        div(one_sided, one_sided, x);
        mul(one_sided, one_sided, vol);
        mul_2si(x, radius[ku], 1);
        div(one_sided, one_sided, x);   // times vol(B') = vol(B) / (2 r_k)
        if (one_sided.is_finite() && (!band.is_finite() || mpfr_less_p(one_sided.upper(), band.upper()))) band = one_sided;
    }
    if (!band.is_finite()) return std::nullopt;
    // worth the moments only below the caller's level (a choice)
    Interval per_volume(prec);
    div(per_volume, band, vol);
    add(per_volume, per_volume, tail_mean);
    if (!per_volume.is_finite() || mpfr_greater_p(per_volume.upper(), worth_below.upper())) return std::nullopt;

    // sum_a T_a int_B sign(L*) u^a + vol R4' [-1, 1] + [0, band]
    std::vector<std::vector<int>> alphas;
    alphas.reserve(size);
    for (size_t a = 0; a < size; ++a) {
        const Exponents& e = layout.exponents(static_cast<int>(a));
        alphas.emplace_back(e.begin(), e.begin() + d);
    }
    const std::vector<Interval> moments =
        integral_sign_affine_moments_in(a0, kept_slopes, kept_index, radius, alphas, 0, 1, prec, spread->work);
    Interval out(prec);
    for (size_t a = 0; a < size; ++a) add_product(out, T[a], moments[a], product);
    Real magnitude(prec);
    mul(x, tail_mean, vol);   // >= int_B |h - T|
    magnitude_up(magnitude.raw(), x);
    mpfr_sub(&out.raw()->left, out.lower(), magnitude.raw(), MPFR_RNDD);
    mpfr_add(&out.raw()->right, out.upper(), magnitude.raw(), MPFR_RNDU);
    magnitude_up(magnitude.raw(), band);
    mpfr_add(&out.raw()->right, out.upper(), magnitude.raw(), MPFR_RNDU);
    if (!out.is_finite()) return std::nullopt;
    return out;
}

}  // namespace lpcert
