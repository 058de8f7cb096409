#include "quadrature/crossing_enclosure.hpp"

#include <gmp.h>

#include "quadrature/affine_power_integral.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/rational_power.hpp"
#include "quadrature/real.hpp"
#include "quadrature/taylor_series.hpp"

namespace lpcert {

struct CrossingEnclosure::Impl {
    Expression h;              // the inner function of g = |h|^p
    long m, n;                 // p = m/n
    Precision prec;
    SeriesLayout point_layout, box_layout;
    SeriesEvaluator point, box;

    Impl(Expression inner, int d, long pm, long pn, Precision p)
        : h(std::move(inner)), m(pm), n(pn), prec(p), point_layout(d, 1), box_layout(d, 2),
          point(h, point_layout, p), box(h, box_layout, p) {}
};

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

bool CrossingEnclosure::enclose(Interval& out, const Box& box, const std::vector<Interval>& centre,
                                const std::vector<Interval>& radius, const std::vector<Interval>& params) {
    Impl& s = *impl_;
    const int d = box.dimension();
    const Precision prec = s.prec;
    const Series* at_centre = nullptr;
    const Series* over_box = nullptr;
    try {
        over_box = s.box.evaluate(box.sides(), params);
        if (over_box == nullptr) return false;
        // R = sum_{|a| = 2} |h_a(B)| r^a, kept before the next evaluation reuses the series
        Interval R(prec), term(prec), mag(prec);
        for (int k = 0; k < s.box_layout.size(); ++k) {
            if (s.box_layout.degree(k) != 2) continue;
            abs(mag, over_box->c[static_cast<size_t>(k)]);
            mpfi_set_si(term.raw(), 1);
            const auto& e = s.box_layout.exponents(k);
            for (int i = 0; i < d; ++i)
                for (int j = 0; j < e[static_cast<size_t>(i)]; ++j) mul(term, term, radius[static_cast<size_t>(i)]);
            mul(term, term, mag);
            add(R, R, term);
        }
        at_centre = s.point.evaluate(centre, params);
        if (at_centre == nullptr) return false;

        // slopes and their terms |a_i| r_i; the largest decides which slopes the closed form keeps
        std::vector<Interval> slope_terms(static_cast<size_t>(d), Interval(prec));
        Real largest_value(Precision(64)), threshold_value(Precision(64));   // choices, not bounds
        mpfr_ptr largest = largest_value.raw();
        mpfr_ptr threshold = threshold_value.raw();
        for (int i = 0; i < d; ++i) {
            abs(slope_terms[static_cast<size_t>(i)], at_centre->c[static_cast<size_t>(s.point_layout.variable_index(i))]);
            mul(slope_terms[static_cast<size_t>(i)], slope_terms[static_cast<size_t>(i)], radius[static_cast<size_t>(i)]);
            mpfr_max(largest, largest, slope_terms[static_cast<size_t>(i)].lower(), MPFR_RNDD);
        }
        mpfr_div_2ui(threshold, largest, 24, MPFR_RNDD);
        std::vector<Interval> kept_slopes, kept_radii;
        Interval M(prec), other_sides(1, prec), two_r(prec);
        abs(M, at_centre->c[0]);
        for (int i = 0; i < d; ++i) {
            const Interval& a = at_centre->c[static_cast<size_t>(s.point_layout.variable_index(i))];
            const Interval& t = slope_terms[static_cast<size_t>(i)];
            add(M, M, t);
            const bool keep = mpfr_sgn(largest) > 0 && (certainly_positive(a) || certainly_negative(a)) &&
                              mpfr_greaterequal_p(t.lower(), threshold);
            if (keep) {
                kept_slopes.push_back(a);
                kept_radii.push_back(radius[static_cast<size_t>(i)]);
            } else {
                add(R, R, t);   // |h - L_kept| <= R + |a_i| r_i
                mul_2si(two_r, radius[static_cast<size_t>(i)], 1);
                mul(other_sides, other_sides, two_r);
            }
        }
        if (kept_slopes.empty()) return false;
        add(M, M, R);

        // J = (prod of the other sides) int |a_0 + sum_kept a_i u_i|^p
        Interval J = integral_abs_affine_power(at_centre->c[0], kept_slopes, kept_radii, s.m, s.n, prec);
        mul(J, J, other_sides);
        // E = vol p M^(p-1) R' [-1, 1]
        Interval E(prec);
        mpfi_set(E.raw(), R.raw());
        if (s.m != s.n) {
            Interval Mp = rational_power_outward(M, s.m - s.n, s.n, prec);
            mul(E, E, Mp);
            mpfi_mul_si(E.raw(), E.raw(), s.m);
            mpfi_div_si(E.raw(), E.raw(), s.n);
        }
        mul(E, E, box.volume(prec));
        Real e_mag_value(prec);
        mpfr_ptr e_mag = e_mag_value.raw();
        magnitude_up(e_mag, E);
        mpfr_sub(&out.raw()->left, J.lower(), e_mag, MPFR_RNDD);
        mpfr_add(&out.raw()->right, J.upper(), e_mag, MPFR_RNDU);
        if (mpfr_sgn(out.lower()) < 0) mpfr_set_zero(&out.raw()->left, 1);   // |h|^p >= 0
        return out.is_finite();
    } catch (const DomainError&) {
        return false;   // h or a derivative undefined somewhere on B: no form here
    }
}

}  // namespace lpcert
