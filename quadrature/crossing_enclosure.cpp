#include "quadrature/crossing_enclosure.hpp"

#include <gmp.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "quadrature/affine_power_integral.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/rational_power.hpp"
#include "quadrature/real.hpp"
#include "quadrature/taylor_series.hpp"
#include "quadrature/zero_set_plane.hpp"

namespace lpcert {

struct CrossingEnclosure::Impl {
    Expression h;              // the inner function of g = |h|^p
    long m, n;                 // p = m/n
    Precision prec;
    // The correction (docs/math.md 5a) takes second- and third-order coefficients at the centre
    // and fourth-order ones over the box: the degree of its Lagrange remainder. Where h is only
    // twice differentiable, the first-order form alone.
    static constexpr int kTailDegree = 4;
    SeriesLayout point_layout, box_layout, second_order_layout, first_order_point_layout;
    // h about the centre and over the box for the correction; over the box to second order and
    // about the centre to first order for the first-order form alone (h twice differentiable)
    SeriesEvaluator point, box, box_second_order, point_first_order;
    // p = 1: the form about the zero set's plane first (zero_set_plane.hpp)
    ZeroSetPlane plane;
    // For each second-order monomial u^a of box_layout: its index there and in point_layout, and
    // the indices of u^(a + e_i) (third order) in box_layout, i = 0..d-1.
    struct SecondOrder {
        int box_index, point_index;
        std::vector<int> up;
        std::vector<int> exponent;   // a_i
    };
    std::vector<SecondOrder> second;

    Impl(Expression inner, int d, long pm, long pn, Precision p)
        : h(std::move(inner)), m(pm), n(pn), prec(p), point_layout(d, kTailDegree - 1), box_layout(d, kTailDegree),
          second_order_layout(d, 2), first_order_point_layout(d, 1),
          point(h, point_layout, p), box(h, box_layout, p), box_second_order(h, second_order_layout, p),
          point_first_order(h, first_order_point_layout, p), plane(point_layout) {
        auto find = [d](const SeriesLayout& layout, const std::vector<int>& e) {
            for (int k = 0; k < layout.size(); ++k) {
                bool same = true;
                for (int i = 0; i < d; ++i) same = same && layout.exponents(k)[static_cast<size_t>(i)] == e[static_cast<size_t>(i)];
                if (same) return k;
            }
            return -1;
        };
        for (int k = 0; k < box_layout.size(); ++k) {
            if (box_layout.degree(k) != 2) continue;
            SecondOrder so;
            so.box_index = k;
            for (int i = 0; i < d; ++i) so.exponent.push_back(box_layout.exponents(k)[static_cast<size_t>(i)]);
            so.point_index = find(point_layout, so.exponent);
            for (int i = 0; i < d; ++i) {
                std::vector<int> e = so.exponent;
                e[static_cast<size_t>(i)]++;
                so.up.push_back(find(box_layout, e));
            }
            second.push_back(std::move(so));
        }
    }
};

namespace {

// sum_{|a| = degree} |c_a| r^a over a series' coefficients of one degree; with `mean`, each term
// divided by prod_i (a_i + 1): then vol(B) times it bounds int_B |sum_a c_a(xi_u) u^a| du
// (int_B |u^a| = vol(B) r^a / prod_i (a_i + 1)), where the plain sum bounds the sup.
void degree_bound(Interval& out, const Series& s, const SeriesLayout& layout, int degree, const std::vector<Interval>& radius,
                  bool mean = false) {
    Interval term(out.precision()), mag(out.precision());
    mpfi_set_si(out.raw(), 0);
    for (int k = 0; k < layout.size(); ++k) {
        if (layout.degree(k) != degree) continue;
        abs(mag, s.c[static_cast<size_t>(k)]);
        mpfi_set_si(term.raw(), 1);
        const auto& e = layout.exponents(k);
        long divisor = 1;
        for (int i = 0; i < layout.dimension(); ++i) {
            for (int j = 0; j < e[static_cast<size_t>(i)]; ++j) mul(term, term, radius[static_cast<size_t>(i)]);
            divisor *= e[static_cast<size_t>(i)] + 1;
        }
        mul(term, term, mag);
        if (mean) mpfi_div_si(term.raw(), term.raw(), divisor);
        add(out, out, term);
    }
}

}  // namespace

CrossingEnclosure::CrossingEnclosure(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CrossingEnclosure::~CrossingEnclosure() = default;

std::unique_ptr<CrossingEnclosure> CrossingEnclosure::detect(const Expression& g, int d, Precision prec) {
    const auto& code = g.code();
    if (code.empty() || d < 1 || d > SeriesLayout::kMaxDimension) return nullptr;
    const Instruction& top = code.back();
    int abs_slot = -1;
    long m = 1, n = 1;
    if (top.op == Op::Abs) {
        abs_slot = g.result_slot();
    } else if (top.op == Op::PowInt && top.index >= 1) {
        abs_slot = top.a;
        m = top.index;
    } else if (top.op == Op::PowReal) {
        abs_slot = top.a;
        mpq_srcptr q = g.constants().at(static_cast<size_t>(top.index)).value();
        // p = m/n >= 1 with both small enough for the exact powers of rational_power.hpp
        if (mpq_cmp_ui(q, 1, 1) < 0 || mpz_sizeinbase(mpq_numref(q), 2) > 40 || mpz_sizeinbase(mpq_denref(q), 2) > 40)
            return nullptr;
        m = mpz_get_si(mpq_numref(q));
        n = mpz_get_si(mpq_denref(q));
    } else {
        return nullptr;
    }
    if (abs_slot < 0 || code.at(static_cast<size_t>(abs_slot)).op != Op::Abs) return nullptr;
    Expression inner = g.prefix(code.at(static_cast<size_t>(abs_slot)).a);
    return std::unique_ptr<CrossingEnclosure>(
        new CrossingEnclosure(std::make_unique<Impl>(std::move(inner), d, m, n, prec)));
}

namespace {

// p (p - 1) / 2 for p = pm/pn, enclosed (pm and pn may each have 40 bits: their products would
// overflow a long).
Interval half_p_times_p_minus_1(long pm, long pn, Precision prec) {
    Interval p(prec), out(prec);
    mpfi_set_si(p.raw(), pm);
    mpfi_div_si(p.raw(), p.raw(), pn);
    mpfi_sub_si(out.raw(), p.raw(), 1);
    mul(out, out, p);
    mul_2si(out, out, -1);
    return out;
}

// A shift c and a bound w >= max_B |Q(u) - c| for the centre's quadratic part
// Q(u) = sum_{|a| = 2} h_a(m) u^a on the centred box prod [-r_i, r_i] (Q has no constant or
// linear terms). Always available: Q lies in [Lo, U] with
//     U  = sum_i max(0, q_ii) r_i^2 + sum_{i<j} |q_ij| r_i r_j,
//     Lo = sum_i min(0, q_ii) r_i^2 - sum_{i<j} |q_ij| r_i r_j.
// Tighter for d <= 4 where every q_ii is certainly >= 0 (or every one <= 0: the same for -Q):
// - Q is then convex in each variable alone, so its maximum over the box is at a vertex;
// - the symmetric matrix A of Q (a_ii = q_ii, a_ij = q_ij / 2) pivoted on a certainly positive
//   a_kk gives Q = a_kk (u_k + sum_{j>k} a_kj u_j / a_kk)^2 + Q'(u_{>k}) with Q' the Schur
//   complement, so min Q >= min Q'; a pivot that may be <= 0 contributes min(0, a_kk) r_k^2 -
//   2 r_k sum_{j>k} |a_kj| r_j instead (and is not eliminated).
// On Q = (u_1 + ... + u_d)^2 (a rank-one Hessian) this gives [0, (sum r_i)^2] where the bound
// above gives [-sum_{i<j} 2 r_i r_j, ...]. c = (U + Lo)/2 (a point), w = max(U - c, c - Lo).
struct QuadraticRange {
    Interval c, w;
};
QuadraticRange quadratic_range(const SeriesLayout& layout, const Series& at_centre, const std::vector<Interval>& radius,
                               Precision prec) {
    const int d = static_cast<int>(radius.size());
    std::vector<Interval> A(static_cast<size_t>(d * d), Interval(prec));   // a_ij, row-major
    for (int k = 0; k < layout.size(); ++k) {
        if (layout.degree(k) != 2) continue;
        const auto& e = layout.exponents(k);
        int i = -1, j = -1;
        for (int v = 0; v < d; ++v)
            for (int t = 0; t < e[static_cast<size_t>(v)]; ++t) (i < 0 ? i : j) = v;
        const Interval& q = at_centre.c[static_cast<size_t>(k)];
        if (i == j) {
            A[static_cast<size_t>(i * d + i)] = q;
        } else {
            mul_2si(A[static_cast<size_t>(i * d + j)], q, -1);
            A[static_cast<size_t>(j * d + i)] = A[static_cast<size_t>(i * d + j)];
        }
    }
    auto a = [&](int i, int j) -> Interval& { return A[static_cast<size_t>(i * d + j)]; };
    Real U(prec), Lo(prec), t(prec), m(prec);
    Interval term(prec), rr(prec);
    // the bound that always holds
    mpfr_set_zero(U.raw(), 1);
    mpfr_set_zero(Lo.raw(), 1);
    for (int i = 0; i < d; ++i)
        for (int j = i; j < d; ++j) {
            mul(rr, radius[static_cast<size_t>(i)], radius[static_cast<size_t>(j)]);
            mul(term, a(i, j), rr);
            if (i != j) mul_2si(term, term, 1);
            if (i == j) {
                if (mpfr_sgn(term.upper()) > 0) mpfr_add(U.raw(), U.raw(), term.upper(), MPFR_RNDU);
                if (mpfr_sgn(term.lower()) < 0) mpfr_add(Lo.raw(), Lo.raw(), term.lower(), MPFR_RNDD);
            } else {
                magnitude_up(m.raw(), term);
                mpfr_add(U.raw(), U.raw(), m.raw(), MPFR_RNDU);
                mpfr_sub(Lo.raw(), Lo.raw(), m.raw(), MPFR_RNDD);
            }
        }
    int sign = 0;   // +1: every q_ii certainly >= 0; -1: every one <= 0
    if (d <= 4) {
        bool nonnegative = true, nonpositive = true;
        for (int i = 0; i < d; ++i) {
            nonnegative = nonnegative && mpfr_sgn(a(i, i).lower()) >= 0;
            nonpositive = nonpositive && mpfr_sgn(a(i, i).upper()) <= 0;
        }
        sign = nonnegative ? 1 : (nonpositive ? -1 : 0);
    }
    if (sign != 0) {
        if (sign < 0)
            for (auto& v : A) neg(v, v);
        // the maximum of (the sign times) Q at the 2^d vertices
        Real top(prec);
        mpfr_set_inf(top.raw(), -1);
        Interval value(prec), x(prec);
        for (unsigned long vertex = 0; vertex < (1UL << d); ++vertex) {
            mpfi_set_si(value.raw(), 0);
            for (int i = 0; i < d; ++i)
                for (int j = i; j < d; ++j) {
                    mul(x, radius[static_cast<size_t>(i)], radius[static_cast<size_t>(j)]);
                    if (((vertex >> i) ^ (vertex >> j)) & 1UL) neg(x, x);
                    mul(x, x, a(i, j));
                    if (i != j) mul_2si(x, x, 1);
                    add(value, value, x);
                }
            mpfr_max(top.raw(), top.raw(), value.upper(), MPFR_RNDU);
        }
        // the minimum from below by pivoting
        Real bottom(prec);
        mpfr_set_zero(bottom.raw(), 1);
        Interval factor(prec), update(prec);
        for (int k = 0; k < d; ++k) {
            if (certainly_positive(a(k, k))) {
                for (int i = k + 1; i < d; ++i)
                    for (int j = k + 1; j < d; ++j) {
                        div(factor, a(i, k), a(k, k));
                        mul(update, factor, a(k, j));
                        sub(a(i, j), a(i, j), update);
                    }
                continue;
            }
            // min(0, a_kk) r_k^2 - 2 r_k sum_{j>k} |a_kj| r_j
            sqr(term, radius[static_cast<size_t>(k)]);
            mul(term, term, a(k, k));
            if (mpfr_sgn(term.lower()) < 0) mpfr_add(bottom.raw(), bottom.raw(), term.lower(), MPFR_RNDD);
            for (int j = k + 1; j < d; ++j) {
                mul(term, a(k, j), radius[static_cast<size_t>(j)]);
                mul(term, term, radius[static_cast<size_t>(k)]);
                magnitude_up(m.raw(), term);
                mpfr_mul_2ui(m.raw(), m.raw(), 1, MPFR_RNDU);
                mpfr_sub(bottom.raw(), bottom.raw(), m.raw(), MPFR_RNDD);
            }
        }
        // for the sign times Q: [bottom, top]; keep the tighter ends
        if (sign > 0) {
            mpfr_min(U.raw(), U.raw(), top.raw(), MPFR_RNDU);
            mpfr_max(Lo.raw(), Lo.raw(), bottom.raw(), MPFR_RNDD);
        } else {
            mpfr_neg(t.raw(), top.raw(), MPFR_RNDD);      // -top <= min Q
            mpfr_max(Lo.raw(), Lo.raw(), t.raw(), MPFR_RNDD);
            mpfr_neg(t.raw(), bottom.raw(), MPFR_RNDU);   // -bottom >= max Q
            mpfr_min(U.raw(), U.raw(), t.raw(), MPFR_RNDU);
        }
    }
    QuadraticRange out{Interval(prec), Interval(prec)};
    mpfr_add(t.raw(), U.raw(), Lo.raw(), MPFR_RNDN);
    mpfr_div_2ui(t.raw(), t.raw(), 1, MPFR_RNDN);
    mpfi_set_fr(out.c.raw(), t.raw());   // a point: any c is valid, w is taken against it
    mpfr_sub(m.raw(), U.raw(), t.raw(), MPFR_RNDU);
    mpfr_sub(t.raw(), t.raw(), Lo.raw(), MPFR_RNDU);
    mpfr_max(m.raw(), m.raw(), t.raw(), MPFR_RNDU);
    mpfi_set_fr(out.w.raw(), m.raw());
    return out;
}

// An upper bound (as an enclosure whose upper end is used) of int_B (|L'| + R'')^q, q = qm/qn >= 0,
// over the box B (`sides` the product of the sides L' does not depend on, `vol` B's volume),
// with M >= |L'| + R'' on B: the smaller of vol M^q and, from (x + y)^q <= max(1, 2^(q-1)) (x^q + y^q),
// max(1, 2^(q-1)) (int_B |L'|^q + vol R''^q); for an integer q the binomial sum
// sum_j C(q, j) R''^(q-j) int_B |L'|^j exactly (q <= 4). Every int_B |L'|^j in closed form
// (integral_abs_affine_power). q = 0: vol.
Interval power_spread_integral(const Interval& a0, const std::vector<Interval>& kept_slopes, const std::vector<Interval>& kept_radii,
                               const Interval& sides, const Interval& vol, const Interval& Rb, const Interval& M, long qm, long qn,
                               Precision prec) {
    if (qm == 0) return vol;
    Interval uniform = rational_power_outward(M, qm, qn, prec);
    mul(uniform, uniform, vol);
    Interval pointwise(prec), term(prec);
    try {
        if (qn == 1 && qm <= 4) {
            long binomial = 1;   // C(q, j)
            for (long j = 0; j <= qm; ++j) {
                if (j == 0) {
                    term = vol;
                } else {
                    term = integral_abs_affine_power(a0, kept_slopes, kept_radii, j, 1, prec);
                    mul(term, term, sides);
                }
                if (j < qm) mul(term, term, rational_power_outward(Rb, qm - j, 1, prec));
                mpfi_mul_si(term.raw(), term.raw(), binomial);
                add(pointwise, pointwise, term);
                binomial = binomial * (qm - j) / (j + 1);
            }
        } else {
            pointwise = integral_abs_affine_power(a0, kept_slopes, kept_radii, qm, qn, prec);
            mul(pointwise, pointwise, sides);
            term = rational_power_outward(Rb, qm, qn, prec);
            mul(term, term, vol);
            add(pointwise, pointwise, term);
            if (qm > qn) mul(pointwise, pointwise, rational_power_outward(Interval(2, prec), qm - qn, qn, prec));   // 2^(q-1)
        }
    } catch (const DomainError&) {
        return uniform;   // (an overflow at a few bits)
    }
    if (pointwise.is_finite() && mpfr_less_p(pointwise.upper(), uniform.upper())) return pointwise;
    return uniform;
}

// The sign correction (docs/math.md 5a) about the centred affine part
//     L'(u) = L(u) + c,   c = sum_i h_(2 e_i)(m) r_i^2 / 2   (the midpoint of Q's square terms),
// with Q(u) = sum_{2 <= |a| <= 3} h_a(m) u^a the centre's second- and third-order terms. Then
//     e' = h - L' = (Q(u) - c) + (dropped slopes) + T(u),   |T| <= R4 = sum_{|a| = 4} |h_a(B)| r^a,
//     |e'| <= R'' = sum_i |h_(2 e_i)(m)| r_i^2 / 2 + sum_{other a} |h_a(m)| r^a + D + R4
// (a square term q u_i^2 - q r_i^2 / 2 lies in q [-r_i^2/2, r_i^2/2]; every other term is odd in
// some u_i). With phi(t) = |t|^p, phi'(t) = p sign(t)|t|^(p-1) and rho = phi(h) - phi(L') - phi'(L') e',
//     int_B |h|^p in int_B |L'|^p + p sum_{2 <= |a| <= 3} h_a(m) int_B G(L') u^a - p c int_B G(L')
//                    + vol p M^(p-1) (R4' + D/2) [-1, 1] + int_B rho,   G(t) = sign(t)|t|^(p-1),
// every integral a closed form (affine_power_integral.hpp), M = |a_0 + c| + sum |a_i| r_i + R''
// (at least |L'| and |h| on B), and
//   p = 1:     0 <= rho <= 2 (R'' - |L'|)_+ (rho = |h| - sign(L') h: 0 where h and L' have one
//              sign; where they differ, |h| = |e'| - |L'|), int_B of the tent in closed form
//              (integral_affine_tent), or at most 2 R'' vol min(1, R'' / max_k |a_k| r_k);
//   1 < p < 2: |rho| <= 2^(2-p) R''^p (phi' is (p-1)-Hoelder) everywhere, and where |L'| > 2R''
//              (one sign between L' and h, |xi| >= |L'|/2) |rho| <= p(p-1)/2 (|L'|/2)^(p-2) R''^2:
//              int_B |rho| <= 2^(2-p) R''^p vol min(1, 2R''/max_k |a_k| r_k)
//                             + p(p-1)/2 2^(2-p) R''^2 int_B |L'|^(p-2)  (closed form, p-2 > -1);
//   p >= 2:    |rho| <= p(p-1)/2 (|L'| + R'')^(p-2) R''^2 (rho = e'^2 int_0^1 (1 - s) phi''(L' + s e') ds
//              and |phi''(t)| = p(p-1) |t|^(p-2) grows with |t| <= |L'| + R''), integrated by
//              power_spread_integral (at most vol M^(p-2)).
// Width O(vol r^3) where the slope is not small (O(vol r^(2p)) at worst for 1 < p < 2); the
// intersection with the first-order form is the caller's. `tail` is R4 (`tail_mean` its mean
// form: vol tail_mean >= int_B |h - T|, T the Taylor polynomial of degree 3); `first_order` (per
// unit volume) decides whether the moments are worth computing.
std::optional<Interval> sign_corrected(const SeriesLayout& layout, Precision prec, long pm, long pn, const Series& at_centre,
                                       const Interval& tail, const Interval& tail_mean, const Interval& dropped,
                                       const Interval& first_order,
                                       const std::vector<Interval>& kept_slopes, const std::vector<Interval>& kept_radii,
                                       const std::vector<int>& kept_index, const std::vector<Interval>& radius, const Box& box) {
    const int d = static_cast<int>(radius.size());
    const auto spread = kept_spread(kept_slopes, kept_radii, prec);
    if (!spread) return std::nullopt;
    // c, R'' and the moments' exponents
    Interval c(prec), Rb(prec), term(prec), mag(prec);
    std::vector<std::vector<int>> alphas{std::vector<int>(static_cast<size_t>(d), 0)};   // alpha = 0 first
    std::vector<int> which{-1};
    for (int k = 0; k < layout.size(); ++k) {
        if (layout.degree(k) != 2 && layout.degree(k) != 3) continue;
        const auto& e = layout.exponents(k);
        alphas.emplace_back(e.begin(), e.begin() + d);
        which.push_back(k);
        if (layout.degree(k) != 3) continue;   // the quadratic part: quadratic_range below
        abs(mag, at_centre.c[static_cast<size_t>(k)]);
        mpfi_set_si(term.raw(), 1);
        for (int i = 0; i < d; ++i)
            for (int j = 0; j < e[static_cast<size_t>(i)]; ++j) mul(term, term, radius[static_cast<size_t>(i)]);
        mul(term, term, mag);
        add(Rb, Rb, term);   // a third-order term is odd in some u_i: its midpoint is 0
    }
    {
        const QuadraticRange quadratic = quadratic_range(layout, at_centre, radius, prec);
        c = quadratic.c;
        add(Rb, Rb, quadratic.w);
    }
    Interval E(prec);
    add(E, tail, dropped);
    add(Rb, Rb, E);
    // the integral of |T + dropped terms| is at most vol (tail_mean + D/2) (int_{-r}^{r} |u| = r^2)
    mul_2si(E, dropped, -1);
    add(E, E, tail_mean);
    // R'' bounds a modulus: only its upper end is used (at low precision an enclosure of a
    // radius may reach below 0, and so may the lower end of this sum)
    if (!Rb.is_finite()) return std::nullopt;
    if (mpfr_sgn(Rb.lower()) < 0) mpfr_set_zero(&Rb.raw()->left, 1);
    Interval a0(prec);
    add(a0, at_centre.c[0], c);
    const Interval sides = other_sides(kept_index, radius, prec);
    const Interval vol = box.volume(prec);
    // M >= |L'|, |h| on B, and p M^(p-1) (times R4' + D/2)
    Interval M(prec);
    abs(M, a0);
    for (size_t i = 0; i < kept_slopes.size(); ++i) {
        mul(term, kept_slopes[i], kept_radii[i]);
        abs(term, term);
        add(M, M, term);
    }
    add(M, M, Rb);
    if (pm != pn) {
        mul(E, E, rational_power_outward(M, pm - pn, pn, prec));
        mpfi_mul_si(E.raw(), E.raw(), pm);
        mpfi_div_si(E.raw(), E.raw(), pn);
    }
    // rho's bound over B: [0, rho_upper] for p = 1 (one-sided), [-rho_upper, rho_upper] otherwise
    Interval rho(prec);
    if (pm == pn) {
        rho = integral_affine_tent(a0, kept_slopes, kept_radii, Rb, prec, spread->work);
        mul(rho, rho, sides);
        mul_2si(rho, rho, 1);
        Interval slab = slab_fraction(Rb.upper(), spread->largest.raw(), prec);
        mul(slab, slab, Rb);
        mul_2si(slab, slab, 1);
        mul(slab, slab, vol);
        if (!rho.is_finite() || mpfr_less_p(slab.upper(), rho.upper())) rho = slab;
    } else if (pm < 2 * pn) {
        const Interval two_power = rational_power_outward(Interval(2, prec), 2 * pn - pm, pn, prec);   // 2^(2-p)
        rho = rational_power_outward(Rb, pm, pn, prec);
        mul(rho, rho, two_power);
        mul(rho, rho, vol);
        Real twice(prec);
        mpfr_mul_2ui(twice.raw(), Rb.upper(), 1, MPFR_RNDU);
        Interval slab = slab_fraction(twice.raw(), spread->largest.raw(), prec), tail_part(prec);
        mul(slab, slab, rho);
        tail_part = integral_abs_affine_power(a0, kept_slopes, kept_radii, pm - 2 * pn, pn, prec);
        mul(tail_part, tail_part, sides);
        sqr(term, Rb);
        mul(tail_part, tail_part, term);
        mul(tail_part, tail_part, two_power);
        mul(tail_part, tail_part, half_p_times_p_minus_1(pm, pn, prec));
        add(slab, slab, tail_part);
        if (slab.is_finite() && mpfr_less_p(slab.upper(), rho.upper())) rho = slab;
    } else {
        // |rho| <= p(p-1)/2 R''^2 (|L'| + R'')^(p-2) pointwise: int_B of the last factor
        sqr(rho, Rb);
        mul(rho, rho, half_p_times_p_minus_1(pm, pn, prec));
        mul(rho, rho, power_spread_integral(a0, kept_slopes, kept_radii, sides, vol, Rb, M, pm - 2 * pn, pn, prec));
    }
    // worth the moments only when the error is well below the first-order one (a choice)
    Interval per_volume(prec);
    div(per_volume, rho, vol);
    add(per_volume, per_volume, E);
    if (!per_volume.is_finite() ||
        mpfr_get_d(per_volume.upper(), MPFR_RNDU) > 0.25 * mpfr_get_d(first_order.upper(), MPFR_RNDU))
        return std::nullopt;
    mul(E, E, vol);
    // int |L'|^p + p [sum_a h_a(m) int G(L') u^a - c int G(L')]
    Interval out = integral_abs_affine_power(a0, kept_slopes, kept_radii, pm, pn, prec);
    mul(out, out, sides);
    const std::vector<Interval> moments =
        integral_sign_affine_moments_in(a0, kept_slopes, kept_index, radius, alphas, pm - pn, pn, prec, spread->work);
    Interval C(prec);
    mul(C, moments[0], c);
    neg(C, C);
    for (size_t q = 1; q < moments.size(); ++q) {
        mul(term, moments[q], at_centre.c[static_cast<size_t>(which[q])]);
        add(C, C, term);
    }
    mpfi_mul_si(C.raw(), C.raw(), pm);   // phi' = p G
    mpfi_div_si(C.raw(), C.raw(), pn);
    add(out, out, C);
    Real e_mag(prec);
    magnitude_up(e_mag.raw(), E);
    mpfr_sub(&out.raw()->left, out.lower(), e_mag.raw(), MPFR_RNDD);
    mpfr_add(&out.raw()->right, out.upper(), e_mag.raw(), MPFR_RNDU);
    magnitude_up(e_mag.raw(), rho);
    if (pm != pn) mpfr_sub(&out.raw()->left, out.lower(), e_mag.raw(), MPFR_RNDD);   // p = 1: rho >= 0
    mpfr_add(&out.raw()->right, out.upper(), e_mag.raw(), MPFR_RNDU);
    return out;
}

}  // namespace

bool CrossingEnclosure::enclose(Interval& out, const Box& box, const std::vector<Interval>& centre,
                                const std::vector<Interval>& radius, const std::vector<Interval>& params) {
    Impl& s = *impl_;
    const int d = box.dimension();
    const Precision prec = s.prec;
    const Series* at_centre = nullptr;
    const Series* over_box = nullptr;
    try {
        over_box = s.box.evaluate(box.sides(), params);
        // where h is twice but not four times differentiable on B: the first-order form alone
        const bool third_order = over_box != nullptr;
        if (over_box == nullptr) over_box = s.box_second_order.evaluate(box.sides(), params);
        if (over_box == nullptr) return false;
        // R = sum_{|a| = 2} |h_a(B)| r^a (and the tail sum_{|a| = kTailDegree}), kept before the
        // next evaluation reuses the series
        Interval R(prec), tail(prec), tail_mean(prec);
        // d_i h over B (p = 1's plane form): where one of them has one sign, h is monotone along
        // that axis
        const SeriesLayout& over_box_layout = third_order ? s.box_layout : s.second_order_layout;
        std::vector<Interval> slopes_over_box;
        if (s.m == s.n)
            for (int i = 0; i < d; ++i) slopes_over_box.push_back(over_box->c[static_cast<size_t>(over_box_layout.variable_index(i))]);
        degree_bound(R, *over_box, over_box_layout, 2, radius);
        if (third_order) {
            degree_bound(tail, *over_box, s.box_layout, Impl::kTailDegree, radius);
            degree_bound(tail_mean, *over_box, s.box_layout, Impl::kTailDegree, radius, true);
        }
        // another evaluator: over_box stays valid
        const SeriesLayout& point_layout = third_order ? s.point_layout : s.first_order_point_layout;
        at_centre = (third_order ? s.point : s.point_first_order).evaluate(centre, params);
        if (at_centre == nullptr) return false;
        // With h three times differentiable, each second-order coefficient over B also lies in its
        // centred form h_a(m) + sum_i (a_i + 1) h_(a+e_i)(B) [-r_i, r_i] (mean value theorem on
        // the coefficient function h_a = d^a h / a!, whose i-th derivative is (a_i + 1) h_(a+e_i)).
        // Where h is a difference f(x + s) - f(x), h_a(B) = f_a(B + s) - f_a(B) is O(r) wide
        // while h_a is O(|s|): the centred form keeps R' near its true size. Both are true; R
        // is the smaller of the direct sum and the sum over the intersections.
        if (third_order) {
            Interval R_centred(prec), c(prec), t(prec), unit(prec);
            mpfi_interv_si(unit.raw(), -1, 1);
            for (const auto& so : s.second) {
                mpfi_set_si(c.raw(), 0);
                for (int i = 0; i < d; ++i) {
                    mul(t, over_box->c[static_cast<size_t>(so.up[static_cast<size_t>(i)])], radius[static_cast<size_t>(i)]);
                    mpfi_mul_si(t.raw(), t.raw(), so.exponent[static_cast<size_t>(i)] + 1);
                    mul(t, t, unit);
                    add(c, c, t);
                }
                add(c, c, at_centre->c[static_cast<size_t>(so.point_index)]);
                const Interval& direct = over_box->c[static_cast<size_t>(so.box_index)];
                if (!overlaps(c, direct)) throw std::logic_error("crossing form: two enclosures of a coefficient's range do not meet");
                intersect_with(c, direct);
                abs(t, c);
                for (int i = 0; i < d; ++i)
                    for (int j = 0; j < so.exponent[static_cast<size_t>(i)]; ++j) mul(t, t, radius[static_cast<size_t>(i)]);
                add(R_centred, R_centred, t);
            }
            if (mpfr_less_p(R_centred.upper(), R.upper())) R = R_centred;
        }

        // slopes and their terms |a_i| r_i; the largest decides which slopes the closed form keeps
        std::vector<Interval> slope_terms(static_cast<size_t>(d), Interval(prec));
        Real largest_value(Precision(64)), threshold_value(Precision(64));   // choices, not bounds
        mpfr_ptr largest = largest_value.raw();
        mpfr_ptr threshold = threshold_value.raw();
        for (int i = 0; i < d; ++i) {
            abs(slope_terms[static_cast<size_t>(i)], at_centre->c[static_cast<size_t>(point_layout.variable_index(i))]);
            mul(slope_terms[static_cast<size_t>(i)], slope_terms[static_cast<size_t>(i)], radius[static_cast<size_t>(i)]);
            mpfr_max(largest, largest, slope_terms[static_cast<size_t>(i)].lower(), MPFR_RNDD);
        }
        mpfr_div_2ui(threshold, largest, 24, MPFR_RNDD);
        std::vector<Interval> kept_slopes, kept_radii;
        std::vector<int> kept_index(static_cast<size_t>(d), -1);   // position among the kept slopes
        Interval M(prec), dropped(prec);
        abs(M, at_centre->c[0]);
        for (int i = 0; i < d; ++i) {
            const Interval& a = at_centre->c[static_cast<size_t>(point_layout.variable_index(i))];
            const Interval& t = slope_terms[static_cast<size_t>(i)];
            add(M, M, t);
            const bool keep = mpfr_sgn(largest) > 0 && (certainly_positive(a) || certainly_negative(a)) &&
                              mpfr_greaterequal_p(t.lower(), threshold);
            if (keep) {
                kept_index[static_cast<size_t>(i)] = static_cast<int>(kept_slopes.size());
                kept_slopes.push_back(a);
                kept_radii.push_back(radius[static_cast<size_t>(i)]);
            } else {
                add(R, R, t);   // |h - L_kept| <= R + |a_i| r_i
                add(dropped, dropped, t);
            }
        }
        if (kept_slopes.empty()) return false;
        add(M, M, R);

        // J = (prod of the other sides) int |a_0 + sum_kept a_i u_i|^p
        Interval J = integral_abs_affine_power(at_centre->c[0], kept_slopes, kept_radii, s.m, s.n, prec);
        mul(J, J, other_sides(kept_index, radius, prec));
        // E = vol p M^(p-1) R' [-1, 1]
        Interval E(prec);
        mpfi_set(E.raw(), R.raw());
        if (s.m != s.n) {
            Interval Mp = rational_power_outward(M, s.m - s.n, s.n, prec);
            mul(E, E, Mp);
            mpfi_mul_si(E.raw(), E.raw(), s.m);
            mpfi_div_si(E.raw(), E.raw(), s.n);
        }
        const Interval first_order = E;   // per unit volume
        mul(E, E, box.volume(prec));
        Real e_mag_value(prec);
        mpfr_ptr e_mag = e_mag_value.raw();
        magnitude_up(e_mag, E);
        mpfr_sub(&out.raw()->left, J.lower(), e_mag, MPFR_RNDD);
        mpfr_add(&out.raw()->right, J.upper(), e_mag, MPFR_RNDU);
        if (third_order) {
            // an overflow in the correction (a DomainError from the interval operations) leaves
            // the first-order form, which is already a true enclosure
            std::optional<Interval> corrected;
            try {
                if (s.m == s.n) {
                    Interval worth_below(prec);
                    mul_2si(worth_below, first_order, -2);
                    corrected = s.plane.integral_abs(*at_centre, tail, tail_mean, radius, box.volume(prec), worth_below, prec,
                                                     &slopes_over_box);
                }
                if (!corrected)
                    corrected = sign_corrected(s.point_layout, prec, s.m, s.n, *at_centre, tail, tail_mean, dropped, first_order, kept_slopes,
                                           kept_radii, kept_index, radius, box);
            } catch (const DomainError&) {
                corrected.reset();
            }
            if (corrected) {
                // two true enclosures of one integral: they meet, and their intersection is one too
                if (!overlaps(out, *corrected)) throw std::logic_error("crossing form: two enclosures of one integral do not meet");
                intersect_with(out, *corrected);
            }
        }
        if (mpfr_sgn(out.lower()) < 0) mpfr_set_zero(&out.raw()->left, 1);   // |h|^p >= 0
        return out.is_finite();
    } catch (const DomainError&) {
        return false;   // h or a derivative undefined somewhere on B: no form here
    }
}

}  // namespace lpcert
