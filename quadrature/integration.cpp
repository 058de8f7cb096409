#include "quadrature/integration.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <numeric>
#include <optional>

#include "quadrature/crossing_enclosure.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/evaluation.hpp"
#include "quadrature/gauss_legendre.hpp"
#include "quadrature/kink_enclosure.hpp"
#include "quadrature/real.hpp"
#include "quadrature/stop_token.hpp"
#include "quadrature/taylor_series.hpp"

namespace lpcert {

struct BoxIntegrator::Impl {
    int d, order;
    bool nonnegative;
    Precision prec;
    IntervalEvaluator natural;
    SeriesLayout box_layout, point_layout;
    SeriesEvaluator box_series, point_series;
    std::vector<Interval> centre, radius, sides;
    std::vector<std::vector<Interval>> radius_powers;   // r_i^k / (k + 1), k = 0..order
    Interval vol, sum, term, unit, nat, crossing_value;
    Real scratch_width{Precision(64)};
    // g = |h|^p: the closed form across h's sign changes where the Taylor form fails (null otherwise)
    std::unique_ptr<CrossingEnclosure> crossing;
    bool crossing_for_real_power;
    // g with a min/max/abs of piecewise-affine arguments (a ReLU network): the split form on
    // boxes crossed by one such kink (null otherwise)
    std::unique_ptr<KinkEnclosure> kink;
    Interval kink_value;
    Real half_scratch{Precision(64)};   // scratch of upper_half (a choice, not a bound)
    // g = |h|^p (abs at slot abs_slot, -1 otherwise) where the natural extension of h reaches 0:
    // h's centred form h(m) + sum_i dh/dx_i(B) [-r_i, r_i] may still show one sign on B (it does
    // where h = f(x + s) - f(x) of the modulus: its natural range is O(r) wide, h itself O(|s|)),
    // and there g agrees with its series with the abs forced to that branch (docs/math.md 5)
    int abs_slot = -1;
    std::optional<Expression> inner;                 // h
    std::optional<IntervalEvaluator> inner_natural;
    std::optional<SeriesLayout> slope_layout, curvature_layout;
    std::optional<SeriesEvaluator> inner_slopes, inner_point_slopes, inner_curvature, forced_box, forced_point;
    Interval centred, second_order;

    mpfr_srcptr upper_half(const Interval& x) {
        mpfr_div_2ui(half_scratch.raw(), x.upper(), 1, MPFR_RNDN);
        return half_scratch.raw();
    }

    Impl(const Expression& g, int dim, int n, bool nonneg, Precision p)
        : d(dim), order(n), nonnegative(nonneg), prec(p), natural(g, p),
          box_layout(dim, std::max(n, 1)), point_layout(dim, std::max(n - 1, 0)),
          box_series(g, box_layout, p), point_series(g, point_layout, p),
          vol(p), sum(p), term(p), unit(p), nat(p), crossing_value(p),
          crossing(n > 0 ? CrossingEnclosure::detect(g, dim, p) : nullptr),
          crossing_for_real_power(crossing != nullptr && g.code().back().op == Op::PowReal),
          kink(n >= 2 ? KinkEnclosure::detect(g, dim, n, p) : nullptr), kink_value(p), centred(p), second_order(p) {
        mpfi_interv_si(unit.raw(), -1, 1);
        if (crossing != nullptr && n > 0) {
            const Instruction& top = g.code().back();
            abs_slot = top.op == Op::Abs ? g.result_slot() : top.a;
            inner.emplace(g.prefix(g.code().at(static_cast<size_t>(abs_slot)).a));
            inner_natural.emplace(*inner, p);
            slope_layout.emplace(dim, 1);
            inner_slopes.emplace(*inner, *slope_layout, p);
            inner_point_slopes.emplace(*inner, *slope_layout, p);
            curvature_layout.emplace(dim, 2);
            inner_curvature.emplace(*inner, *curvature_layout, p);
            forced_box.emplace(g, box_layout, p);
            forced_point.emplace(g, point_layout, p);
        }
        radius_powers.assign(static_cast<size_t>(dim), std::vector<Interval>(static_cast<size_t>(std::max(n, 1)) + 1, Interval(p)));
    }

    // moment factor prod_i r_i^a_i / (a_i + 1) of monomial k of `layout`
    void moment(Interval& out, const SeriesLayout& layout, int k) {
        mpfi_set_si(out.raw(), 1);
        const auto& e = layout.exponents(k);
        for (int i = 0; i < d; ++i) mul(out, out, radius_powers[static_cast<size_t>(i)][e[static_cast<size_t>(i)]]);
    }

    static bool all_even(const SeriesLayout& layout, int k, int d) {
        const auto& e = layout.exponents(k);
        for (int i = 0; i < d; ++i)
            if (e[static_cast<size_t>(i)] % 2) return false;
        return true;
    }

    // The Taylor coefficients of g about `at`, or nullptr where they do not exist. It is only
    // called after the natural extension succeeded on the same box, so g itself is defined and
    // bounded there: a DomainError now comes from a derivative alone (the k-th derivative of
    // |u|^p involves |u|^(p-k), unbounded where u reaches 0) and means "no Taylor form on this
    // piece", never "no integral". The piece then uses the natural extension vol(B) g(B), which
    // is an enclosure on its own (docs/math.md, section 5).
    static const Series* series_or_null(SeriesEvaluator& ev, const std::vector<Interval>& at,
                                        const std::vector<Interval>& params) {
        try {
            return ev.evaluate(at, params);
        } catch (const DomainError&) {
            return nullptr;
        }
    }

    // The order-n Taylor form of the mean of g over `box` into `sum` (intersected with the natural
    // range nat), from the series of g over the box and about its centre (box_ev, point_ev: g's
    // evaluators, or ones with a forced branch where g agrees with that branch on the box); false
    // where a series does not exist. Sets centre and radius.
    bool taylor_form(SeriesEvaluator& box_ev, SeriesEvaluator& point_ev, const Box& box, const std::vector<Interval>& params) {
        const Series* sb = series_or_null(box_ev, box.sides(), params);
        if (sb == nullptr) return false;
        box.centre_and_radius(centre, radius, prec);
        const Series* sp = series_or_null(point_ev, centre, params);
        if (sp == nullptr) return false;
        for (int i = 0; i < d; ++i) {
            auto& pw = radius_powers[static_cast<size_t>(i)];
            mpfi_set_si(pw[0].raw(), 1);
            Interval r_k(1, prec);
            for (int k = 1; k <= order; ++k) {
                mul(r_k, r_k, radius[static_cast<size_t>(i)]);
                mpfi_div_si(pw[static_cast<size_t>(k)].raw(), r_k.raw(), k + 1);
            }
        }
        mpfi_set_si(sum.raw(), 0);
        for (int k = 0; k < point_layout.size(); ++k) {
            if (!all_even(point_layout, k, d)) continue;    // odd moments of a centred box vanish
            moment(term, point_layout, k);
            mul(term, term, sp->c[static_cast<size_t>(k)]);
            add(sum, sum, term);
        }
        for (int k = 0; k < box_layout.size(); ++k) {
            if (box_layout.degree(k) != order) continue;
            moment(term, box_layout, k);
            if (all_even(box_layout, k, d)) {
                mul(term, term, sb->c[static_cast<size_t>(k)]);
            } else {
                Interval m(prec);
                mpfr_t mag;
                mpfr_init2(mag, prec.bits);
                magnitude_up(mag, sb->c[static_cast<size_t>(k)]);
                set_hull(m, mag, mag);
                mpfr_clear(mag);
                mul(m, m, unit);
                mul(term, term, m);
            }
            add(sum, sum, term);
        }
        // The mean of g over B lies in g(B): keep the tighter of both.
        mpfi_intersect(sum.raw(), sum.raw(), nat.raw());
        if (mpfi_is_empty(sum.raw())) throw std::logic_error("BoxIntegrator: disjoint enclosures");
        return true;
    }

    // +1 or -1 when h (g = |h|^p) certainly has that sign on the whole box, by the mean value
    // theorem: h(m + u) = h(m) + sum_i d_i h(xi) u_i with xi in B, so h(B) lies in
    // h(m) + sum_i d_i h(B) [-r_i, r_i] (d_i h(B) from h's order-1 series over B). Where that
    // does not decide, by Taylor's theorem to second order: h(B) also lies in
    // h(m) + sum_i d_i h(m) [-r_i, r_i] + sum_{|a| = 2} h_a(B) range(u^a) (range(u_i^2) = [0, r_i^2],
    // range(u_i u_j) = [-r_i r_j, r_i r_j]). For h = f(x + s) - f(x) of the modulus, d_i h(B) =
    // d_i f(B + s) - d_i f(B) is O(r) wide while h is O(|s|): the first form needs r ~ |s|, the
    // second r ~ sqrt(|s|) (|exp(x1 + x2 + x3 + 1/16) - exp(x1 + x2 + x3)| to 1e-3: 1,757 boxes
    // -> 249). 0
    // otherwise, or where h is not differentiable on B. Sets centre and radius, and `centred`
    // (an enclosure of h(B)).
    int inner_sign(const Box& box, const std::vector<Interval>& params) {
        try {
            const Series* slopes = inner_slopes->evaluate(box.sides(), params);
            if (slopes == nullptr) return 0;
            box.centre_and_radius(centre, radius, prec);
            mpfi_set(centred.raw(), inner_natural->evaluate(centre, params).raw());
            for (int i = 0; i < d; ++i) {
                mul(term, slopes->c[static_cast<size_t>(slope_layout->variable_index(i))], radius[static_cast<size_t>(i)]);
                mul(term, term, unit);
                add(centred, centred, term);
            }
            if (certainly_positive(centred)) return 1;
            if (certainly_negative(centred)) return -1;
            const Series* curvature = inner_curvature->evaluate(box.sides(), params);
            if (curvature == nullptr) return 0;
            const SeriesLayout& layout = *curvature_layout;
            const std::vector<Interval> ranges = monomial_ranges(layout, radius, prec);
            mpfi_set_si(second_order.raw(), 0);
            for (int k = 0; k < layout.size(); ++k)   // sum_{|a| = 2} h_a(B) range(u^a), before the next evaluation
                if (layout.degree(k) == 2) add_product(second_order, curvature->c[static_cast<size_t>(k)], ranges[static_cast<size_t>(k)], term);
            const Series* at_centre = inner_point_slopes->evaluate(centre, params);
            if (at_centre == nullptr) return 0;
            add(second_order, second_order, at_centre->c[0]);
            for (int i = 0; i < d; ++i)
                add_product(second_order, at_centre->c[static_cast<size_t>(slope_layout->variable_index(i))],
                            ranges[static_cast<size_t>(layout.variable_index(i))], term);
            if (!overlaps(centred, second_order)) throw std::logic_error("BoxIntegrator: two enclosures of h(B) do not meet");
            intersect_with(centred, second_order);
        } catch (const DomainError&) {
            return 0;
        }
        if (certainly_positive(centred)) return 1;
        if (certainly_negative(centred)) return -1;
        return 0;
    }

    bool enclose(Interval& out, const Box& box, const std::vector<Interval>& params) {
        mpfi_set(vol.raw(), box.volume(prec).raw());
        mpfi_set(nat.raw(), natural.evaluate(box.sides(), params).raw());
        if (nonnegative) clip_nonnegative(nat);
        bool used_taylor = false;
        // where the natural extension met a kink (|h| with h reaching 0, a ReLU's max, a floor),
        // the Taylor form fails at that operation: it is not attempted
        if (order > 0 && natural.last_evaluation_smooth()) used_taylor = taylor_form(box_series, point_series, box, params);
        if (order > 0 && !used_taylor && abs_slot >= 0) {
            const int sign = inner_sign(box, params);
            if (sign != 0) {
                // the branch s h, with its values enclosed by the centred form: a real power of it
                // then has a base certainly > 0 on B
                if (sign < 0) neg(centred, centred);
                const std::vector<SeriesEvaluator::ForcedBranch> branch{{abs_slot, sign > 0 ? 0 : 1, &centred}};
                forced_box->force_branches(branch);
                forced_point->force_branches(branch);
                used_taylor = taylor_form(*forced_box, *forced_point, box, params);
            }
        }
        if (!used_taylor) mpfi_set(sum.raw(), nat.raw());
        mul(out, vol, sum);
        // a few flat kinks on B (the form's own series decide how many there are)
        if (!used_taylor && kink != nullptr && kink->worth_trying(natural.last_kink_slots())) {
            box.centre_and_radius(centre, radius, prec);
            if (kink->enclose(kink_value, box, centre, radius, params)) {
                mpfi_intersect(out.raw(), out.raw(), kink_value.raw());
                if (mpfi_is_empty(out.raw())) throw std::logic_error("BoxIntegrator: disjoint kink enclosures");
                used_taylor = true;
            }
        }
        // |h|^p with a non-integer p where h comes close to 0 on B (g's range reaches below half of
        // its top): the Taylor form holds but its remainder grows like |h|^(p - n) near the zero
        // set, and the crossing form (valid whether or not h changes sign) is far tighter there
        const bool near_real_power_zero = used_taylor && crossing_for_real_power && mpfr_sgn(nat.upper()) > 0 &&
                                          mpfr_cmp(nat.lower(), upper_half(nat)) < 0;
        if ((!used_taylor || near_real_power_zero) && crossing != nullptr) {
            box.centre_and_radius(centre, radius, prec);
            if (crossing->enclose(crossing_value, box, centre, radius, params)) {
                // both enclose the integral: keep the tighter of them
                mpfi_intersect(out.raw(), out.raw(), crossing_value.raw());
                if (mpfi_is_empty(out.raw())) throw std::logic_error("BoxIntegrator: disjoint crossing enclosures");
                used_taylor = true;
            }
        }
        return used_taylor;
    }

    // Sum of the widths of the natural enclosures of g on the two halves of `box` along axis i
    // (64 bits, rounded up: a comparison, not a bound).
    void halves_width(mpfr_ptr w, const Box& box, int i, const std::vector<Interval>& params) {
        const auto halves = box.bisect(i);
        mpfr_set_zero(w, 1);
        for (const Box* h : {&halves.first, &halves.second}) {
            mpfi_set(nat.raw(), natural.evaluate(h->sides(), params).raw());
            if (nonnegative) clip_nonnegative(nat);
            mpfr_sub(scratch_width.raw(), nat.upper(), nat.lower(), MPFR_RNDU);
            mpfr_add(w, w, scratch_width.raw(), MPFR_RNDU);
        }
    }

    // Bisecting the widest side is kept unless it makes no progress at all (both halves enclose
    // exactly as wide as the box: a jump or kink across a plane along that side) and another
    // axis makes real progress (its halves together at most 3/2 of the box's width, where a
    // useless cut gives 2): then the axis whose halves enclose narrowest. Without the second
    // condition, where the natural enclosure is poor along a curve (|f - c|^3.5 with smooth_2d
    // at level 0, the sine's full range in every half) it cut ever thinner slabs along a minor
    // term and spent the whole budget: the quick suite took 656 s instead of 48.
    int split_axis(const Box& box, const std::vector<Interval>& params) {
        const int widest = box.widest_axis();
        if (d == 1) return widest;
        int best = widest;
        mpfr_t w, parent, best_w;
        mpfr_inits2(64, w, parent, best_w, static_cast<mpfr_ptr>(nullptr));
        try {
            mpfi_set(nat.raw(), natural.evaluate(box.sides(), params).raw());
            if (nonnegative) clip_nonnegative(nat);
            mpfr_sub(parent, nat.upper(), nat.lower(), MPFR_RNDU);
            halves_width(w, box, widest, params);
            mpfr_mul_2ui(best_w, parent, 1, MPFR_RNDU);
            if (mpfr_sgn(parent) > 0 && mpfr_greaterequal_p(w, best_w)) {
                // a cut must take at least a quarter of the width away to be preferred
                mpfr_mul_ui(best_w, parent, 3, MPFR_RNDD);
                mpfr_div_2ui(best_w, best_w, 1, MPFR_RNDD);
                for (int i = 0; i < d; ++i) {
                    if (i == widest) continue;
                    halves_width(w, box, i, params);
                    if (mpfr_lessequal_p(w, best_w)) {
                        best = i;
                        mpfr_set(best_w, w, MPFR_RNDU);
                    }
                }
            }
        } catch (const DomainError&) {
            best = widest;
        }
        mpfr_clears(w, parent, best_w, static_cast<mpfr_ptr>(nullptr));
        return best;
    }

    static void clip_nonnegative(Interval& a) {
        if (mpfr_sgn(a.lower()) < 0) mpfr_set_zero(&a.raw()->left, 1);
        if (mpfr_sgn(a.upper()) < 0) throw std::logic_error("BoxIntegrator: a non-negative integrand enclosed below 0");
    }
};

BoxIntegrator::BoxIntegrator(const Expression& g, int dimension, int order, bool nonnegative, Precision prec)
    : impl_(std::make_unique<Impl>(g, dimension, order, nonnegative, prec)) {}
BoxIntegrator::~BoxIntegrator() = default;
BoxIntegrator::BoxIntegrator(BoxIntegrator&&) noexcept = default;

bool BoxIntegrator::enclose(Interval& out, const Box& box, const std::vector<Interval>& params) {
    return impl_->enclose(out, box, params);
}

int BoxIntegrator::split_axis(const Box& box, const std::vector<Interval>& params) {
    return impl_->split_axis(box, params);
}

int default_taylor_order(int /*d*/) { return 6; }

int single_domain_taylor_order(int d) { return d == 1 ? 12 : 6; }

namespace {

constexpr long kDefaultMaxBoxes = 4000000;

}  // namespace

namespace {

// Widths of the pieces' enclosures at 32 bits, rounded up: they only order the pieces.
std::vector<Real> piece_widths(const std::vector<Interval>& values) {
    std::vector<Real> widths;
    widths.reserve(values.size());
    for (const auto& v : values) {
        widths.emplace_back(Precision(32));
        mpfr_sub(widths.back().raw(), v.upper(), v.lower(), MPFR_RNDU);
    }
    return widths;
}

// The global goal's choice: pieces widest first (ties by index: deterministic) until they hold
// half of the total width, and at most `room` of them (the box budget).
std::vector<size_t> choose_widest(const std::vector<Real>& widths, mpfr_srcptr total_width, long room) {
    std::vector<size_t> index(widths.size()), chosen;
    std::iota(index.begin(), index.end(), 0);
    std::stable_sort(index.begin(), index.end(),
                     [&](size_t a, size_t b) { return mpfr_greater_p(widths[a].raw(), widths[b].raw()) != 0; });
    Real half(Precision(64)), cumulative(Precision(64));
    mpfr_div_2ui(half.raw(), total_width, 1, MPFR_RNDD);
    for (size_t k : index) {
        if (mpfr_sgn(widths[k].raw()) == 0) break;
        chosen.push_back(k);
        mpfr_add(cumulative.raw(), cumulative.raw(), widths[k].raw(), MPFR_RNDD);
        if (mpfr_greaterequal_p(cumulative.raw(), half.raw())) break;
        if (static_cast<long>(chosen.size()) >= room) break;
    }
    return chosen;
}

// The per-piece goal's choice: for every initial piece whose sub-pieces together are wider than
// piece_goal, its sub-pieces widest first until they hold half of that width.
std::vector<size_t> choose_per_piece(const std::vector<Real>& widths, const std::vector<int>& origin,
                                     mpfr_srcptr piece_goal) {
    std::vector<size_t> index(widths.size()), chosen;
    std::iota(index.begin(), index.end(), 0);
    std::stable_sort(index.begin(), index.end(), [&](size_t a, size_t b) {
        if (origin[a] != origin[b]) return origin[a] < origin[b];
        return mpfr_greater_p(widths[a].raw(), widths[b].raw()) != 0;
    });
    Real origin_width(Precision(32)), cumulative(Precision(64));
    for (size_t at = 0; at < index.size();) {
        size_t end = at;
        mpfr_set_zero(origin_width.raw(), 1);
        while (end < index.size() && origin[index[end]] == origin[index[at]]) {
            mpfr_add(origin_width.raw(), origin_width.raw(), widths[index[end]].raw(), MPFR_RNDU);
            ++end;
        }
        if (mpfr_greater_p(origin_width.raw(), piece_goal)) {
            mpfr_div_2ui(origin_width.raw(), origin_width.raw(), 1, MPFR_RNDD);
            mpfr_set_zero(cumulative.raw(), 1);
            for (size_t k = at; k < end; ++k) {
                chosen.push_back(index[k]);
                mpfr_add(cumulative.raw(), cumulative.raw(), widths[index[k]].raw(), MPFR_RNDD);
                if (mpfr_greaterequal_p(cumulative.raw(), origin_width.raw())) break;
            }
        }
        at = end;
    }
    return chosen;
}

// Progress only: the ratio of the width to the goal, capped at 10^6.
long width_to_goal(mpfr_srcptr width, mpfr_srcptr goal) {
    if (mpfr_sgn(goal) <= 0) return 1000000;
    Real q(Precision(32));
    mpfr_div(q.raw(), width, goal, MPFR_RNDU);
    return mpfr_cmp_si(q.raw(), 1000000) < 0 ? mpfr_get_si(q.raw(), MPFR_RNDU) : 1000000;
}

// The partition being refined: every piece, its enclosure, the initial piece it comes from, and
// whether the Taylor form held on it (where it failed, a chosen piece is cut where the
// integrator's split_axis says, else across its widest side).
struct Partition {
    std::vector<Piece> pieces;
    std::vector<Interval> values;
    std::vector<int> origin;
    std::vector<char> smooth;
};

}  // namespace

IntegralEnclosure enclose_integral(const Expression& integrand, std::vector<Piece> pieces,
                                   const std::vector<std::vector<Interval>>& parameter_sets,
                                   const IntegrationOptions& options, Precision prec) {
    IntegralEnclosure result{Interval(prec), 0, 0, IntegrationStatus::Converged, {}};
    if (pieces.empty()) return result;
    const int d = pieces.front().box.dimension();
    const long max_boxes = options.max_boxes > 0 ? options.max_boxes : kDefaultMaxBoxes;
    const Interval tol = parse_decimal(options.relative_tolerance, prec, "tolerance");
    const Interval floor_abs = parse_decimal(options.absolute_floor, prec, "tolerance floor");
    const bool per_piece = !options.piece_absolute_tolerance.empty();
    const Interval piece_goal = parse_decimal(per_piece ? options.piece_absolute_tolerance : "0", prec, "piece tolerance");

    // One 1-D domain with an integrand that continues holomorphically: Gauss-Legendre with its
    // error bound first (gauss_legendre.hpp, docs/math.md 5d); the Taylor-form bisection below
    // where it does not apply or gives up. Order 0 asks for the natural extension alone.
    // With abs, only at tight tolerances: each zero of abs's argument costs a split and pieces
    // near it (more where the argument is a difference of close values, as in the modulus
    // searches' f(x + t) - f(x)), and at 1e-2..1e-4 the Taylor forms with the crossing and kink
    // forms need fewer boxes (bench/README.md, twelfth session); from 1e-6 on Gauss-Legendre wins.
    bool has_abs = false;
    for (const Instruction& ins : integrand.code()) has_abs = has_abs || ins.op == Op::Abs;
    const bool tight = mpfr_lessequal_p(tol.upper(), parse_decimal("1e-6", prec, "tolerance").lower()) != 0;
    if (d == 1 && pieces.size() == 1 && !per_piece && options.taylor_order > 0 && options.gauss_legendre &&
        gauss_legendre_applies(integrand) && (!has_abs || tight)) {
        const Box& box = pieces.front().box;
        const std::vector<Interval> none;
        const auto& params = parameter_sets.empty() ? none : parameter_sets[static_cast<size_t>(pieces.front().parameter_set)];
        if (auto gl = gauss_legendre_integral(integrand, Dyadic::from_mpfr(box.side(0).lower()), Dyadic::from_mpfr(box.side(0).upper()),
                                              params, options.relative_tolerance, options.absolute_floor, prec, options.stop,
                                              std::min(max_boxes, 2000L))) {
            result.value = gl->value;
            if (options.nonnegative && mpfr_sgn(result.value.lower()) < 0) mpfr_set_zero(&result.value.raw()->left, 1);   // int of g >= 0
            result.boxes = gl->pieces;
            result.final_pieces = gl->final_pieces;
            result.per_initial_piece = {result.value};
            if (options.on_round) options.on_round(result.boxes, 0);
            return result;
        }
    }

    tbb::enumerable_thread_specific<BoxIntegrator> integrators(
        [&] { return BoxIntegrator(integrand, d, options.taylor_order, options.nonnegative, prec); });
    Partition P{std::move(pieces), {}, {}, {}};
    P.values.assign(P.pieces.size(), Interval(prec));
    P.origin.resize(P.pieces.size());
    std::iota(P.origin.begin(), P.origin.end(), 0);
    P.smooth.assign(P.pieces.size(), 1);
    const std::vector<Interval> no_parameters;
    auto parameters_of = [&](size_t k) -> const std::vector<Interval>& {
        // both branches lvalues: the parameter set is not copied per box
        return parameter_sets.empty() ? no_parameters : parameter_sets[static_cast<size_t>(P.pieces[k].parameter_set)];
    };
    auto enclose_piece = [&](BoxIntegrator& integrator, size_t k) {
        P.smooth[k] = integrator.enclose(P.values[k], P.pieces[k].box, parameters_of(k)) || options.taylor_order == 0;
    };

    // the first pass: no enclosure of the sum exists before every piece has one
    tbb::parallel_for(tbb::blocked_range<size_t>(0, P.pieces.size(), 16), [&](const tbb::blocked_range<size_t>& r) {
        auto& integrator = integrators.local();
        for (size_t k = r.begin(); k != r.end(); ++k) {
            options.stop.throw_if_stop_requested();
            enclose_piece(integrator, k);
        }
    });
    long evaluated = static_cast<long>(P.pieces.size());

    Real width(Precision(64)), goal(Precision(64));
    Interval total(prec);
    while (true) {
        mpfi_set_si(total.raw(), 0);
        for (const auto& v : P.values) add(total, total, v);   // serial, index order: deterministic
        width_up(width.raw(), total);
        // goal = tol * max(lower(total), floor), rounded down
        mpfr_max(goal.raw(), total.lower(), floor_abs.lower(), MPFR_RNDD);
        if (mpfr_sgn(goal.raw()) < 0) mpfr_set_zero(goal.raw(), 1);
        mpfr_mul(goal.raw(), goal.raw(), tol.lower(), MPFR_RNDD);
        if (options.on_round) options.on_round(evaluated, width_to_goal(width.raw(), goal.raw()));
        if (!per_piece && mpfr_lessequal_p(width.raw(), goal.raw())) {
            result.status = IntegrationStatus::Converged;
            break;
        }
        const std::vector<Real> widths = piece_widths(P.values);
        std::vector<size_t> chosen;
        if (per_piece) {
            chosen = choose_per_piece(widths, P.origin, piece_goal.lower());
            if (chosen.empty()) {
                result.status = IntegrationStatus::Converged;
                break;
            }
        }
        if (evaluated >= max_boxes || options.stop.stop_requested()) {
            result.status = options.stop.stop_requested() ? IntegrationStatus::Stopped : IntegrationStatus::BudgetSpent;
            break;
        }
        if (!per_piece) chosen = choose_widest(widths, width.raw(), max_boxes - evaluated);
        if (chosen.empty()) {
            result.status = IntegrationStatus::BudgetSpent;
            break;
        }

        // One round: cut every chosen piece in two, then enclose both halves.
        std::sort(chosen.begin(), chosen.end());
        std::vector<int> cut(chosen.size());
        tbb::parallel_for(tbb::blocked_range<size_t>(0, chosen.size(), 16), [&](const tbb::blocked_range<size_t>& r) {
            auto& integrator = integrators.local();
            for (size_t j = r.begin(); j != r.end(); ++j) {
                const size_t k = chosen[j];
                cut[j] = P.smooth[k] ? P.pieces[k].box.widest_axis() : integrator.split_axis(P.pieces[k].box, parameters_of(k));
            }
        });
        const size_t first_new = P.pieces.size();
        for (size_t j = 0; j < chosen.size(); ++j) {
            const size_t k = chosen[j];
            auto halves = P.pieces[k].box.bisect(cut[j]);
            const int params = P.pieces[k].parameter_set;
            P.pieces[k].box = std::move(halves.first);
            P.pieces.push_back(Piece{std::move(halves.second), params});
            P.origin.push_back(P.origin[k]);
            P.values.emplace_back(prec);
            P.smooth.push_back(1);
        }
        std::vector<char> done(chosen.size(), 0);
        tbb::parallel_for(tbb::blocked_range<size_t>(0, chosen.size(), 8), [&](const tbb::blocked_range<size_t>& r) {
            auto& integrator = integrators.local();
            for (size_t j = r.begin(); j != r.end(); ++j) {
                if (options.stop.stop_requested()) return;
                done[j] = 1;
                for (size_t k : {chosen[j], first_new + j}) enclose_piece(integrator, k);
            }
        });
        evaluated += 2 * static_cast<long>(std::count(done.begin(), done.end(), 1));
        // A stop request may end the round early. A skipped piece's slot still holds its parent's
        // enclosure, which covers both halves; its new sibling slot gets an exact 0, so the sum
        // stays an enclosure of the integral.
        for (size_t j = 0; j < chosen.size(); ++j) {
            if (!done[j]) mpfi_set_si(P.values[first_new + j].raw(), 0);
        }
    }

    result.value = total;
    result.boxes = evaluated;
    result.final_pieces = static_cast<long>(P.pieces.size());
    int initial = 0;
    for (int o : P.origin) initial = std::max(initial, o + 1);
    result.per_initial_piece.assign(static_cast<size_t>(initial), Interval(prec));
    for (size_t k = 0; k < P.values.size(); ++k) {
        auto& slot = result.per_initial_piece[static_cast<size_t>(P.origin[k])];
        add(slot, slot, P.values[k]);
    }
    return result;
}

}  // namespace lpcert
