#include "quadrature/kink_enclosure.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <tuple>

#include "quadrature/affine_power_integral.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/polygon_moments.hpp"
#include "quadrature/real.hpp"
#include "quadrature/taylor_series.hpp"

namespace lpcert {


namespace {

// Spread (in bits) of the kept terms |a_i| r_i beyond which the form is not tried: the corner sums
// of the closed form cancel by about that many bits per degree (a cost choice; such a box is cut).
constexpr long kMaxSlopeSpreadBits = 96;

// In the plane: at most this many kinks on one box (up to 2^3 regions; more is a cut).
constexpr size_t kMaxPlaneKinks = 6;

bool exactly_zero(const Interval& a) { return mpfr_zero_p(a.lower()) && mpfr_zero_p(a.upper()); }

bool all_even(const SeriesLayout& layout, int k) {
    const auto& e = layout.exponents(k);
    for (int i = 0; i < layout.dimension(); ++i)
        if (e[static_cast<size_t>(i)] % 2) return false;
    return true;
}

// dst := src coefficient by coefficient (same layout and precision: no allocation)
void assign(Series& dst, const Series& src) {
    for (size_t k = 0; k < dst.c.size(); ++k) mpfi_set(dst.c[k].raw(), src.c[k].raw());
    dst.degree = src.degree;
}

Series zero_series_like(const SeriesLayout& layout, Precision prec) {
    Series s;
    s.c.assign(static_cast<size_t>(layout.size()), Interval(prec));
    return s;
}

// Per slot, the first slot computing the same value by the same operations (constants compared
// by value, the operands of + and * in either order; min/max keep theirs, as their branches are
// named by position): repeated neurons of a network are one kink.
std::vector<int> canonical_slots(const Expression& g) {
    const auto& code = g.code();
    std::vector<int> canon(code.size());
    std::map<std::tuple<int, int, int, long, std::string>, int> seen;
    for (size_t k = 0; k < code.size(); ++k) {
        const Instruction& ins = code[k];
        int a = ins.a >= 0 ? canon[static_cast<size_t>(ins.a)] : -1;
        int b = ins.b >= 0 ? canon[static_cast<size_t>(ins.b)] : -1;
        const bool commutative = ins.op == Op::Add || ins.op == Op::Mul;
        if (commutative && a > b) std::swap(a, b);
        std::string value;
        long index = ins.index;
        if (ins.op == Op::Constant) {
            char* text = mpq_get_str(nullptr, 16, g.constants().at(static_cast<size_t>(ins.index)).value());
            value = text;
            void (*release)(void*, size_t);
            mp_get_memory_functions(nullptr, nullptr, &release);
            release(text, std::char_traits<char>::length(text) + 1);
            index = 0;
        }
        canon[k] = seen.emplace(std::make_tuple(static_cast<int>(ins.op), a, b, index, value), static_cast<int>(k)).first->second;
    }
    return canon;
}

}  // namespace

struct KinkEnclosure::Impl {
    Expression g;
    int d, n;
    Precision prec;
    std::vector<char> eligible;   // per slot: a min/max/abs of piecewise-affine arguments
    std::vector<std::vector<int>> twins;   // per eligible slot: every slot computing the same kink (itself included)
    struct Node {
        Polygon region;                                   // where the forced branches hold (u = x - m)
        std::vector<SeriesEvaluator::ForcedBranch> forced;
        int first_slot;                                   // the slots before it are the parent's
        size_t cuts;                                      // kink lines cut so far
    };
    // Accumulators of enclose_plane: the sum, and per degree-n monomial of odd exponents the
    // largest |c_a(B)| over the regions.
    struct PlaneSums {
        Interval total;
        std::vector<Real> odd_bound;
    };
    SeriesLayout box_layout, point_layout;
    SeriesEvaluator box, point;
    std::array<Series, 2> at_box, at_centre;   // the branches' series (copies: the evaluators are reused)
    // g = |h|^p with p = 1 (g's last operation is this abs) or an odd integer p (g = abs(h)^p):
    // the abs's slot and p; -1 when g is not of that form (see enclose_sign_split)
    int crossing_abs = -1;
    long crossing_power = 1;

    Impl(Expression e, int dim, int order, Precision p, std::vector<char> ok)
        : g(std::move(e)), d(dim), n(order), prec(p), eligible(std::move(ok)), twins(g.code().size()), box_layout(dim, order),
          point_layout(dim, order - 1), box(g, box_layout, p), point(g, point_layout, p),
          at_box{zero_series_like(box_layout, p), zero_series_like(box_layout, p)},
          at_centre{zero_series_like(point_layout, p), zero_series_like(point_layout, p)} {
        const std::vector<int> canon = canonical_slots(g);
        for (size_t k = 0; k < canon.size(); ++k)
            if (eligible[k]) twins[static_cast<size_t>(canon[k])].push_back(static_cast<int>(k));
        for (size_t k = 0; k < canon.size(); ++k)
            if (eligible[k] && canon[k] != static_cast<int>(k)) twins[k] = twins[static_cast<size_t>(canon[k])];
    }

    // `list` plus the kink at `slot` (and its twins) forced to `branch`
    std::vector<SeriesEvaluator::ForcedBranch> with_forced(std::vector<SeriesEvaluator::ForcedBranch> list, int slot, int branch) const {
        for (int t : twins[static_cast<size_t>(slot)]) list.push_back({t, branch});
        return list;
    }

    // delta's coefficient k in the series just computed by `ev` (a - b, or a for abs)
    static void delta_coefficient(Interval& out, const SeriesEvaluator& ev, const Instruction& ins, int k) {
        const Interval& a = ev.slot_series(ins.a).c[static_cast<size_t>(k)];
        if (ins.op == Op::Abs) {
            mpfi_set(out.raw(), a.raw());
        } else {
            sub(out, a, ev.slot_series(ins.b).c[static_cast<size_t>(k)]);
        }
    }

    // d != 2: one kink, the sign moments in closed form
    bool enclose_one_kink(Interval& out, const Box& B, const std::vector<Interval>& centre, const std::vector<Interval>& radius,
                          const std::vector<Interval>& params);
    // d == 2: up to kMaxPlaneKinks kinks, the box cut into convex polygons
    bool enclose_plane(Interval& out, const Box& B, const std::vector<Interval>& centre, const std::vector<Interval>& radius,
                       const std::vector<Interval>& params);
    // The kink at `slot` met by the box run just made (its operands are in both evaluators' slots
    // after the point run): delta affine on B, delta(m + u) = c + sum_i a_i u_i. False where delta
    // is not affine on B or the point run failed before `slot`.
    bool affine_delta(const Instruction& ins, int slot, int first_slot, const std::vector<Interval>& centre,
                      const std::vector<Interval>& params, Interval& c, std::vector<Interval>& a);
    // A region where g = |h|^p and h (smooth on B in the region's branches) changes sign: the
    // region split along the zero line of h's affine part L (docs/math.md 5b).
    bool enclose_sign_split(const Node& node, const Box& B, const std::vector<Interval>& centre,
                            const std::vector<Interval>& radius, const std::vector<Interval>& params, PlaneSums& sums);
};

KinkEnclosure::KinkEnclosure(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KinkEnclosure::~KinkEnclosure() = default;

std::unique_ptr<KinkEnclosure> KinkEnclosure::detect(const Expression& g, int d, int order, Precision prec) {
    const auto& code = g.code();
    if (code.empty() || d < 1 || d > SeriesLayout::kMaxDimension || order < 2) return nullptr;
    // constant: no dependence on x; affine: piecewise affine in x (affine between kinks)
    std::vector<char> constant(code.size(), 0), affine(code.size(), 0), eligible(code.size(), 0);
    bool any = false;
    for (size_t k = 0; k < code.size(); ++k) {
        const Instruction& ins = code[k];
        const auto A = [&](int s) { return affine[static_cast<size_t>(s)] != 0; };
        const auto C = [&](int s) { return constant[static_cast<size_t>(s)] != 0; };
        switch (ins.op) {
            case Op::Variable: affine[k] = 1; break;
            case Op::Parameter: case Op::Constant: case Op::Pi: case Op::Euler: constant[k] = affine[k] = 1; break;
            case Op::Add: case Op::Sub: case Op::Min: case Op::Max:
                constant[k] = C(ins.a) && C(ins.b);
                affine[k] = A(ins.a) && A(ins.b);
                break;
            case Op::Mul:
                constant[k] = C(ins.a) && C(ins.b);
                affine[k] = (A(ins.a) && C(ins.b)) || (C(ins.a) && A(ins.b));
                break;
            case Op::Div:
                constant[k] = C(ins.a) && C(ins.b);
                affine[k] = A(ins.a) && C(ins.b);
                break;
            case Op::Neg: case Op::Abs:
                constant[k] = C(ins.a);
                affine[k] = A(ins.a);
                break;
            default:   // any other operation of constants is a constant
                constant[k] = C(ins.a) && (ins.b < 0 || C(ins.b));
                affine[k] = constant[k];
                break;
        }
        if (ins.op == Op::Min || ins.op == Op::Max || ins.op == Op::Abs) {
            eligible[k] = affine[k] && !constant[k];
            any = any || eligible[k];
        }
    }
    if (!any) return nullptr;
    auto impl = std::make_unique<Impl>(g, d, order, prec, std::move(eligible));
    const Instruction& top = code.back();
    if (top.op == Op::Abs) {
        impl->crossing_abs = g.result_slot();
    } else if (top.op == Op::PowInt && top.index >= 1 && top.index % 2 == 1 && code[static_cast<size_t>(top.a)].op == Op::Abs) {
        impl->crossing_abs = top.a;
        impl->crossing_power = top.index;
    }
    return std::unique_ptr<KinkEnclosure>(new KinkEnclosure(std::move(impl)));
}

bool KinkEnclosure::worth_trying(const std::vector<int>& kink_slots) const {
    if (kink_slots.empty()) return false;
    const auto eligible = [&](int slot) {
        return slot >= 0 && static_cast<size_t>(slot) < impl_->eligible.size() && impl_->eligible[static_cast<size_t>(slot)];
    };
    if (!eligible(kink_slots.front())) return false;
    const size_t most = impl_->d == 2 ? kMaxPlaneKinks : 1;
    size_t distinct = 0;
    for (size_t i = 0; i < kink_slots.size(); ++i) {
        const int k = kink_slots[i];
        // a repeated kink's twins share one list: count the list once, at its first slot
        if (eligible(k) && impl_->twins[static_cast<size_t>(k)].front() != k) continue;
        if (++distinct > most) return false;
    }
    return true;
}

bool KinkEnclosure::enclose(Interval& out, const Box& box, const std::vector<Interval>& centre,
                            const std::vector<Interval>& radius, const std::vector<Interval>& params) {
    try {
        return impl_->d == 2 ? impl_->enclose_plane(out, box, centre, radius, params)
                             : impl_->enclose_one_kink(out, box, centre, radius, params);
    } catch (const DomainError&) {
        return false;   // a branch undefined somewhere on B: no form here (the natural extension stands)
    }
}

bool KinkEnclosure::Impl::enclose_one_kink(Interval& out, const Box& B, const std::vector<Interval>& centre,
                                           const std::vector<Interval>& radius, const std::vector<Interval>& params) {
    // 1. The first operation without a series on B must be an eligible kink.
    box.force_branches({});
    if (box.evaluate(B.sides(), params) != nullptr) return false;   // smooth on B: the Taylor form's case
    const int slot = box.failed_slot();
    if (slot < 0 || !eligible[static_cast<size_t>(slot)]) return false;
    const Instruction& ins = g.code()[static_cast<size_t>(slot)];
    const int s = ins.op == Op::Min ? -1 : 1;   // branch 0 wins where s delta > 0

    // 2. delta affine on B, delta(m + u) = a0 + sum a_i u_i (the point run without branches forced).
    Interval t(prec), u(prec), a0(prec);
    std::vector<Interval> slopes;
    point.force_branches({});
    if (!affine_delta(ins, slot, 0, centre, params, a0, slopes)) return false;

    // 3. Both branches smooth on B: their series over B and at the centre (the slots before the
    //    kink are those of the runs above).
    for (int j = 0; j < 2; ++j) {
        const auto forced = with_forced({}, slot, j);
        box.force_branches(forced);
        point.force_branches(forced);
        const Series* sb = box.evaluate_from(slot, B.sides(), params);
        if (sb == nullptr) return false;
        assign(at_box[static_cast<size_t>(j)], *sb);
        const Series* sp = point.evaluate_from(slot, centre, params);
        if (sp == nullptr) return false;
        assign(at_centre[static_cast<size_t>(j)], *sp);
    }

    // 4. Each slope exactly 0 (u_i factors out) or of one sign.
    std::vector<Interval> kept_slopes;
    std::vector<int> kept_index(static_cast<size_t>(d), -1);
    Real largest(Precision(64)), smallest(Precision(64)), m(Precision(64));
    mpfr_set_zero(largest.raw(), 1);
    mpfr_set_inf(smallest.raw(), 1);
    for (int i = 0; i < d; ++i) {
        Interval& slope = slopes[static_cast<size_t>(i)];
        if (exactly_zero(slope)) continue;
        if (!certainly_positive(slope) && !certainly_negative(slope)) return false;
        mul(t, slope, radius[static_cast<size_t>(i)]);
        mignitude_down(m.raw(), t);
        if (mpfr_zero_p(m.raw())) return false;
        mpfr_max(largest.raw(), largest.raw(), m.raw(), MPFR_RNDU);
        mpfr_min(smallest.raw(), smallest.raw(), m.raw(), MPFR_RNDD);
        kept_index[static_cast<size_t>(i)] = static_cast<int>(kept_slopes.size());
        kept_slopes.push_back(std::move(slope));
    }
    if (kept_slopes.empty()) return false;   // delta constant on B: no crossing to integrate
    const long spread = mpfr_get_exp(largest.raw()) - mpfr_get_exp(smallest.raw()) + 1;
    if (spread > kMaxSlopeSpreadBits) return false;

    // 5. The moments S_a = int_B sign(delta) u^a, |a| < n: closed forms in the kept variables
    //    times int u_i^a_i du_i over the others (0 for odd a_i).
    std::vector<std::vector<int>> alphas;
    for (int k = 0; k < point_layout.size(); ++k) {
        const auto& e = point_layout.exponents(k);
        alphas.emplace_back(e.begin(), e.begin() + d);
    }
    const long k_kept = static_cast<long>(kept_slopes.size());
    const Precision work(prec.bits + 32 + std::max<long>(spread, 0) * (k_kept + n));
    const std::vector<Interval> S = integral_sign_affine_moments_in(a0, kept_slopes, kept_index, radius, alphas, 0, 1, prec, work);

    // 6. The sum: E_a = vol prod_i r_i^a_i / (a_i + 1) (a even), and the remainder of degree n.
    const Interval vol = B.volume(prec);
    auto plain_moment = [&](Interval& o, const SeriesLayout& layout, int k) {   // E_|a| = int_B |u^a|
        mpfi_set(o.raw(), vol.raw());
        const auto& e = layout.exponents(k);
        for (int i = 0; i < d; ++i) {
            const int ai = e[static_cast<size_t>(i)];
            if (ai == 0) continue;
            pow_int(u, radius[static_cast<size_t>(i)], ai);
            mul(o, o, u);
            mpfi_div_si(o.raw(), o.raw(), ai + 1);
        }
    };
    Interval total(prec), half(prec), E(prec);
    for (int k = 0; k < point_layout.size(); ++k) {
        if (!all_even(point_layout, k)) continue;
        add(half, at_centre[0].c[static_cast<size_t>(k)], at_centre[1].c[static_cast<size_t>(k)]);
        mul_2si(half, half, -1);
        plain_moment(E, point_layout, k);
        mul(half, half, E);
        add(total, total, half);
    }
    for (size_t k = 0; k < S.size(); ++k) {
        sub(half, at_centre[0].c[k], at_centre[1].c[k]);
        mul_2si(half, half, -1);
        if (s < 0) neg(half, half);
        mul(half, half, S[k]);
        add(total, total, half);
    }
    Real mag(prec), mag1(prec);
    for (int k = 0; k < box_layout.size(); ++k) {
        if (box_layout.degree(k) != n) continue;
        const Interval& c0 = at_box[0].c[static_cast<size_t>(k)];
        const Interval& c1 = at_box[1].c[static_cast<size_t>(k)];
        plain_moment(E, box_layout, k);
        if (all_even(box_layout, k)) {
            mpfi_union(half.raw(), c0.raw(), c1.raw());   // each point's coefficient lies in one of them
        } else {
            magnitude_up(mag.raw(), c0);
            magnitude_up(mag1.raw(), c1);
            mpfr_max(mag.raw(), mag.raw(), mag1.raw(), MPFR_RNDU);
            mpfr_neg(mag1.raw(), mag.raw(), MPFR_RNDD);
            set_hull(half, mag1.raw(), mag.raw());
        }
        mul(half, half, E);
        add(total, total, half);
    }
    if (!total.is_finite()) return false;
    round_into(out, total);
    return true;
}

}  // namespace lpcert

namespace lpcert {

bool KinkEnclosure::Impl::affine_delta(const Instruction& ins, int slot, int first_slot, const std::vector<Interval>& centre,
                                       const std::vector<Interval>& params, Interval& c, std::vector<Interval>& a) {
    Interval t(prec);
    for (int k = 0; k < box_layout.size(); ++k) {   // second derivatives over B exactly 0
        if (box_layout.degree(k) != 2) continue;
        delta_coefficient(t, box, ins, k);
        if (!exactly_zero(t)) return false;
    }
    // the centre's series of delta's arguments only: the slots from the kink on are rerun by each branch
    if (!point.evaluate_range(first_slot, slot, centre, params)) return false;
    delta_coefficient(c, point, ins, 0);
    a.assign(static_cast<size_t>(d), Interval(prec));
    for (int i = 0; i < d; ++i) {
        delta_coefficient(a[static_cast<size_t>(i)], point, ins, point_layout.variable_index(i));
        delta_coefficient(t, box, ins, box_layout.variable_index(i));   // the same constant, enclosed over B
        mpfi_intersect(a[static_cast<size_t>(i)].raw(), a[static_cast<size_t>(i)].raw(), t.raw());
        if (mpfi_is_empty(a[static_cast<size_t>(i)].raw())) throw std::logic_error("KinkEnclosure: disjoint slope enclosures");
    }
    return true;
}

namespace {

// slab += vol(B) min(1, w / max_k |a_k| r_k), rounded up: the area of {u in B : |delta(u)| <= w}
// for delta = c + a . u (for fixed other coordinates, u_k runs over at most 2 w / |a_k| of 2 r_k).
void add_slab(Real& slab, const Box& B, const std::vector<Interval>& radius, const std::vector<Interval>& a, const Real& w) {
    const Precision p64(64);
    Real best(p64), m(p64), r(p64), frac(p64);
    mpfr_set_zero(best.raw(), 1);
    for (size_t k = 0; k < a.size(); ++k) {
        mignitude_down(m.raw(), a[k]);
        mpfr_set(r.raw(), radius[k].lower(), MPFR_RNDD);
        mpfr_mul(m.raw(), m.raw(), r.raw(), MPFR_RNDD);
        mpfr_max(best.raw(), best.raw(), m.raw(), MPFR_RNDD);
    }
    mpfr_set_ui(frac.raw(), 1, MPFR_RNDU);
    if (mpfr_sgn(best.raw()) > 0) {
        mpfr_div(m.raw(), w.raw(), best.raw(), MPFR_RNDU);
        mpfr_min(frac.raw(), frac.raw(), m.raw(), MPFR_RNDU);
    }
    const Interval vol = B.volume(Precision(64));
    mpfr_mul(frac.raw(), frac.raw(), vol.upper(), MPFR_RNDU);
    mpfr_add(slab.raw(), slab.raw(), frac.raw(), MPFR_RNDU);
}

}  // namespace

bool KinkEnclosure::Impl::enclose_plane(Interval& out, const Box& B, const std::vector<Interval>& centre,
                                        const std::vector<Interval>& radius, const std::vector<Interval>& params) {
    std::vector<Node> stack;
    stack.push_back(Node{centred_rectangle(radius[0], radius[1]), {}, 0, 0});
    const Precision work(prec.bits + 64);
    PlaneSums sums{Interval(prec), {}};
    Interval& total = sums.total;
    std::vector<Real>& odd_bound = sums.odd_bound;
    odd_bound.reserve(static_cast<size_t>(box_layout.size()));
    for (int k = 0; k < box_layout.size(); ++k) odd_bound.emplace_back(prec);
    Interval term(prec), c(prec);
    std::vector<Interval> a;
    Real mag(prec), slab(Precision(64)), heights(Precision(64));
    mpfr_set_zero(slab.raw(), 1);
    mpfr_set_zero(heights.raw(), 1);
    bool root = true, sign_split = false;
    while (!stack.empty()) {
        Node node = std::move(stack.back());
        stack.pop_back();
        box.force_branches(node.forced);
        point.force_branches(node.forced);
        const Series* sb = box.evaluate_from(node.first_slot, B.sides(), params);
        if (sb == nullptr) {
            // a kink on B: cut the region along it, each side with that branch forced
            const int slot = box.failed_slot();
            if (slot >= 0 && slot == crossing_abs && !eligible[static_cast<size_t>(slot)] && !root) {
                if (!enclose_sign_split(node, B, centre, radius, params, sums)) return false;
                sign_split = true;   // its leaves have no bound in `heights`: no slab term with them
                continue;
            }
            if (slot < 0 || !eligible[static_cast<size_t>(slot)] || node.cuts >= kMaxPlaneKinks) return false;
            const Instruction& ins = g.code()[static_cast<size_t>(slot)];
            if (!affine_delta(ins, slot, node.first_slot, centre, params, c, a)) return false;
            if (exactly_zero(a[0]) && exactly_zero(a[1])) return false;
            const int s = ins.op == Op::Min ? -1 : 1;   // branch 0 wins where s delta > 0
            // A vertex on the line up to the coefficients' rounding (a line through a box corner
            // whose constant is not dyadic, like x1 + x2 = 0.45 + 0.55) is kept on the line; the
            // difference from the exact regions then lies in {|delta| <= w} (w = 0: none).
            Real w(Precision(64));
            mpfr_set_zero(w.raw(), 1);
            for (int j = 1; j >= 0; --j) {
                auto part = cut(node.region, c, a[0], a[1], j == 0 ? s : -s, prec, w.raw());
                if (!part) return false;
                if (part->vertices.empty()) continue;
                stack.push_back(Node{std::move(*part), with_forced(node.forced, slot, j), slot, node.cuts + 1});
            }
            if (mpfr_sgn(w.raw()) > 0) add_slab(slab, B, radius, a, w);
            root = false;
            continue;
        }
        if (root) return false;   // smooth on B: the Taylor form's case
        const Series* sp = point.evaluate_from(node.first_slot, centre, params);
        if (sp == nullptr) return false;
        // this leaf's function over all of B: |h| <= sum_a |c_a(B)| r^a (for the slabs' term)
        for (size_t k = 0, count = box_layout.size_through_degree(sb->degree); k < count; ++k) {   // coefficients above degree are 0
            abs(term, sb->c[k]);
            const auto& e = box_layout.exponents(static_cast<int>(k));
            for (int i = 0; i < d; ++i)
                for (int j = 0; j < e[static_cast<size_t>(i)]; ++j) mul(term, term, radius[static_cast<size_t>(i)]);
            mpfr_add(heights.raw(), heights.raw(), term.upper(), MPFR_RNDU);
        }
        // the region's polynomial part and the remainder's even terms, in the region's moments
        const auto M = moments(node.region, n, prec, work);
        for (int k = 0; k < point_layout.size(); ++k) {
            const auto& e = point_layout.exponents(k);
            mul(term, sp->c[static_cast<size_t>(k)], M[e[0]][e[1]]);
            add(total, total, term);
        }
        for (int k = 0; k < box_layout.size(); ++k) {
            if (box_layout.degree(k) != n) continue;
            if (all_even(box_layout, k)) {
                const auto& e = box_layout.exponents(k);
                mul(term, sb->c[static_cast<size_t>(k)], M[e[0]][e[1]]);   // u^a >= 0: c_a(xi) u^a in c_a(B) u^a
                add(total, total, term);
            } else {
                magnitude_up(mag.raw(), sb->c[static_cast<size_t>(k)]);
                mpfr_max(odd_bound[static_cast<size_t>(k)].raw(), odd_bound[static_cast<size_t>(k)].raw(), mag.raw(), MPFR_RNDU);
            }
        }
    }
    // the odd remainder terms: sum over the regions of int_R c_a(xi) u^a is at most max |c_a| int_B |u^a|
    const Interval vol = B.volume(prec);
    Interval E(prec), u(prec);
    for (int k = 0; k < box_layout.size(); ++k) {
        if (box_layout.degree(k) != n || all_even(box_layout, k)) continue;
        mpfi_set(E.raw(), vol.raw());
        const auto& e = box_layout.exponents(k);
        for (int i = 0; i < d; ++i) {
            if (e[static_cast<size_t>(i)] == 0) continue;
            pow_int(u, radius[static_cast<size_t>(i)], e[static_cast<size_t>(i)]);
            mul(E, E, u);
            mpfi_div_si(E.raw(), E.raw(), e[static_cast<size_t>(i)] + 1);
        }
        mpfr_neg(mag.raw(), odd_bound[static_cast<size_t>(k)].raw(), MPFR_RNDD);
        set_hull(term, mag.raw(), odd_bound[static_cast<size_t>(k)].raw());
        mul(term, term, E);
        add(total, total, term);
    }
    // Where cuts kept vertices on their lines, the computed regions differ from the exact ones
    // only inside the slabs (total area <= slab). A point there lies in at most all the leaves'
    // regions, each adding its function (bounded over B in `heights`), and in one exact region,
    // where g is one leaf's function: at most 2 slab * heights. The odd remainder terms above
    // are bounded once over B, as if the regions did not overlap; their overlap lies in the
    // slabs too and adds at most slab * heights. Hence 4 slab * heights (docs/math.md 5b).
    if (mpfr_sgn(slab.raw()) > 0) {
        if (sign_split) return false;
        Real err(Precision(64));
        mpfr_mul(err.raw(), slab.raw(), heights.raw(), MPFR_RNDU);
        mpfr_mul_2si(err.raw(), err.raw(), 2, MPFR_RNDU);
        Real low(Precision(64));
        mpfr_neg(low.raw(), err.raw(), MPFR_RNDD);
        Interval e(prec);
        set_hull(e, low.raw(), err.raw());
        add(total, total, e);
    }
    if (!total.is_finite()) return false;
    round_into(out, total);
    return true;
}


bool KinkEnclosure::Impl::enclose_sign_split(const Node& node, const Box& B, const std::vector<Interval>& centre,
                                             const std::vector<Interval>& radius, const std::vector<Interval>& params,
                                             PlaneSums& sums) {
    // The box run with the region's branches stopped at the abs: h's series over B is there.
    // h(m + u) = L(u) + e(u), |e| <= R' = sum_{|a| = 2} |h_a(B)| r^a on B. Where sign(h) differs
    // from sign(L), |h| <= |e| <= R' and |L| <= R', so for an odd p
    //     | |h|^p - sign(L) h^p | <= 2 R'^p [|L| <= R'],
    // and int_R sign(L) h^p = int_{R, L >= 0} g_+ - int_{R, L <= 0} g_+ with g_+ = h^p the branch
    // abs -> +h: its Taylor polynomial over the two polygons, plus its remainder.
    const int h_slot = g.code()[static_cast<size_t>(crossing_abs)].a;
    Interval R(prec), t(prec), term(prec);
    {
        const Series& hb = box.slot_series(h_slot);
        Interval mag(prec);
        for (int k = 0; k < box_layout.size(); ++k) {
            if (box_layout.degree(k) != 2) continue;
            abs(mag, hb.c[static_cast<size_t>(k)]);
            const auto& e = box_layout.exponents(k);
            for (int i = 0; i < d; ++i)
                for (int j = 0; j < e[static_cast<size_t>(i)]; ++j) mul(mag, mag, radius[static_cast<size_t>(i)]);
            add(R, R, mag);
        }
    }
    if (!point.evaluate_range(node.first_slot, crossing_abs, centre, params)) return false;
    Interval c(prec);
    std::vector<Interval> a(static_cast<size_t>(d), Interval(prec));
    {
        const Series& hp = point.slot_series(h_slot);
        mpfi_set(c.raw(), hp.c[0].raw());
        for (int i = 0; i < d; ++i) mpfi_set(a[static_cast<size_t>(i)].raw(), hp.c[static_cast<size_t>(point_layout.variable_index(i))].raw());
    }
    // the slab {|L| <= R'} is at most vol(B) R' / max_i (|a_i| r_i) (a slab across u_i)
    Real best(Precision(64)), m(Precision(64));
    mpfr_set_zero(best.raw(), 1);
    for (int i = 0; i < d; ++i) {
        mul(t, a[static_cast<size_t>(i)], radius[static_cast<size_t>(i)]);
        mignitude_down(m.raw(), t);
        mpfr_max(best.raw(), best.raw(), m.raw(), MPFR_RNDD);
    }
    if (mpfr_sgn(best.raw()) <= 0) return false;
    // the branch abs -> +h on the region: g_+ = h^p over B and at the centre
    auto forced = node.forced;
    forced.push_back({crossing_abs, 0});
    box.force_branches(forced);
    point.force_branches(forced);
    const Series* sb = box.evaluate_from(crossing_abs, B.sides(), params);
    if (sb == nullptr) return false;
    const Series* sp = point.evaluate_from(crossing_abs, centre, params);
    if (sp == nullptr) return false;
    const auto plus = cut(node.region, c, a[0], a[1], 1, prec);
    const auto minus = cut(node.region, c, a[0], a[1], -1, prec);
    if (!plus || !minus) return false;
    const Precision work(prec.bits + 64);
    const auto Mp = moments(*plus, n, prec, work);
    const auto Mm = moments(*minus, n, prec, work);
    Interval& total = sums.total;
    Interval signed_moment(prec), abs_moment(prec), unit(prec);
    mpfi_interv_si(unit.raw(), -1, 1);
    for (int k = 0; k < point_layout.size(); ++k) {
        const auto& e = point_layout.exponents(k);
        sub(signed_moment, Mp[e[0]][e[1]], Mm[e[0]][e[1]]);
        mul(term, sp->c[static_cast<size_t>(k)], signed_moment);
        add(total, total, term);
    }
    Real mag(prec);
    for (int k = 0; k < box_layout.size(); ++k) {
        if (box_layout.degree(k) != n) continue;
        if (all_even(box_layout, k)) {
            // |int_R sign(L) c_a(xi) u^a| <= |c_a(B)| int_R u^a
            const auto& e = box_layout.exponents(k);
            add(abs_moment, Mp[e[0]][e[1]], Mm[e[0]][e[1]]);
            abs(term, sb->c[static_cast<size_t>(k)]);
            mul(term, term, abs_moment);
            mul(term, term, unit);
            add(total, total, term);
        } else {
            magnitude_up(mag.raw(), sb->c[static_cast<size_t>(k)]);
            mpfr_max(sums.odd_bound[static_cast<size_t>(k)].raw(), sums.odd_bound[static_cast<size_t>(k)].raw(), mag.raw(), MPFR_RNDU);
        }
    }
    // 2 R'^p vol(B) min(1, R' / best) [-1, 1]
    Interval rho(prec), fraction(1, prec);
    pow_int(rho, R, crossing_power);
    mul_2si(rho, rho, 1);
    Real ratio(prec);
    mpfr_div(ratio.raw(), R.upper(), best.raw(), MPFR_RNDU);
    if (mpfr_cmp_ui(ratio.raw(), 1) < 0) set_hull(fraction, ratio.raw(), ratio.raw());
    mul(rho, rho, fraction);
    mul(rho, rho, B.volume(prec));
    mul(rho, rho, unit);
    add(total, total, rho);
    return true;
}

}  // namespace lpcert
