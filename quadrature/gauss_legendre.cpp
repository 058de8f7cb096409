#include "quadrature/gauss_legendre.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "quadrature/abs_signs.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/evaluation.hpp"
#include "quadrature/real.hpp"
#include "quadrature/tape_runner.hpp"
#include "quadrature/taylor_series.hpp"

namespace lpcert {

namespace {

// ---- the rule -------------------------------------------------------------------------------------

// P_n(x) and P_{n-1}(x) by (k + 1) P_{k+1} = (2k + 1) x P_k - k P_{k-1} (intervals, outward).
void legendre(Interval& pn, Interval& pn1, const Interval& x, int n, Precision prec) {
    Interval prev(1, prec), cur(prec), next(prec), t(prec);
    mpfi_set(cur.raw(), x.raw());
    for (int k = 1; k < n; ++k) {
        mul(t, x, cur);
        mul_si(t, t, 2 * k + 1);
        mul_si(next, prev, k);
        sub(next, t, next);
        mpfi_div_si(next.raw(), next.raw(), k + 1);
        mpfi_set(prev.raw(), cur.raw());
        mpfi_set(cur.raw(), next.raw());
    }
    mpfi_set(pn.raw(), cur.raw());
    mpfi_set(pn1.raw(), prev.raw());
}

// P_n'(x) = n (x P_n - P_{n-1}) / (x^2 - 1), for x inside (-1, 1).
void legendre_derivative(Interval& out, const Interval& x, int n, Precision prec) {
    Interval pn(prec), pn1(prec), x2(prec);
    legendre(pn, pn1, x, n, prec);
    mul(out, x, pn);
    sub(out, out, pn1);
    mul_si(out, out, n);
    sqr(x2, x);
    add_si(x2, x2, -1);
    div(out, out, x2);
}

// An approximation of the i-th largest zero of P_n by Newton's method in MPFR (not a bound: the
// sign-change brackets below decide).
void approximate_zero(mpfr_ptr x, int i, int n) {
    const mpfr_prec_t wp = mpfr_get_prec(x);
    mpfr_t t, p0, p1, p2, d;
    mpfr_inits2(wp, t, p0, p1, p2, d, static_cast<mpfr_ptr>(nullptr));
    mpfr_const_pi(t, MPFR_RNDN);
    mpfr_mul_d(t, t, (i + 0.75) / (n + 0.5), MPFR_RNDN);   // a starting point only
    mpfr_cos(x, t, MPFR_RNDN);
    for (int iteration = 0; iteration < 100; ++iteration) {
        mpfr_set_si(p0, 1, MPFR_RNDN);
        mpfr_set(p1, x, MPFR_RNDN);
        for (int k = 1; k < n; ++k) {
            mpfr_mul(p2, x, p1, MPFR_RNDN);
            mpfr_mul_si(p2, p2, 2 * k + 1, MPFR_RNDN);
            mpfr_mul_si(t, p0, k, MPFR_RNDN);
            mpfr_sub(p2, p2, t, MPFR_RNDN);
            mpfr_div_si(p2, p2, k + 1, MPFR_RNDN);
            mpfr_set(p0, p1, MPFR_RNDN);
            mpfr_set(p1, p2, MPFR_RNDN);
        }
        // p1 = P_n, p0 = P_{n-1}; P_n' = n (x P_n - P_{n-1}) / (x^2 - 1)
        mpfr_mul(d, x, p1, MPFR_RNDN);
        mpfr_sub(d, d, p0, MPFR_RNDN);
        mpfr_mul_si(d, d, n, MPFR_RNDN);
        mpfr_sqr(t, x, MPFR_RNDN);
        mpfr_sub_si(t, t, 1, MPFR_RNDN);
        mpfr_div(d, d, t, MPFR_RNDN);
        mpfr_div(t, p1, d, MPFR_RNDN);
        mpfr_sub(x, x, t, MPFR_RNDN);
        if (!mpfr_regular_p(t) || !mpfr_regular_p(x) || mpfr_get_exp(t) < mpfr_get_exp(x) - wp + 4) break;
    }
    mpfr_clears(t, p0, p1, p2, d, static_cast<mpfr_ptr>(nullptr));
}

// The rule for even n. Nodes: approximations x~_i of the n/2 positive zeros (decreasing), each
// bracketed by X_i = [x~_i - delta, x~_i + delta], delta = 2^-(prec + 10), where P_n is certainly
// positive at one end and negative at the other (so X_i holds a zero); the X_i certainly > 0 and
// pairwise disjoint, and their mirror images -X_i, then hold n distinct zeros: all of them.
// (The interval Newton operator on X_i would need P_n'(X_i), whose three-term recurrence over an
// interval widens by about (1 + sqrt 2)^n: 2^81 at n = 64. Point evaluations only grow the
// rounding, and wp = prec + 100 bits absorb that.) Weights 2 / ((1 - x^2) P_n'(x)^2) with
// P_n'(x) in P_n'(x~) + P_n''(X) [-delta, delta] and, from Legendre's equation,
// P_n'' = (2x P_n' - n(n+1) P_n) / (1 - x^2): its wide enclosure over X only multiplies delta.
std::unique_ptr<GaussLegendreRule> make_rule(int n, Precision prec) {
    const Precision wp(prec.bits + 100);
    auto rule = std::make_unique<GaussLegendreRule>();
    mpfr_t x;
    mpfr_init2(x, wp.bits);
    Interval previous_lower(wp);
    for (int i = 0; i < n / 2; ++i) {
        approximate_zero(x, i, n);
        Interval point(wp), delta(wp), lo(wp), hi(wp), X(wp), P_lo(wp), P_hi(wp), scratch(wp);
        mpfi_set_fr(point.raw(), x);
        mpfi_set_si(delta.raw(), 1);
        mul_2si(delta, delta, -(prec.bits + 10));
        sub(lo, point, delta);
        add(hi, point, delta);
        legendre(P_lo, scratch, lo, n, wp);
        legendre(P_hi, scratch, hi, n, wp);
        const bool sign_change = (certainly_positive(P_lo) && certainly_negative(P_hi)) ||
                                 (certainly_negative(P_lo) && certainly_positive(P_hi));
        mpfi_interv_fr(X.raw(), lo.lower(), hi.upper());
        if (!sign_change || !certainly_positive(X) || (i > 0 && !certainly_less(X, previous_lower))) {
            mpfr_clear(x);
            return nullptr;
        }
        mpfi_set_fr(previous_lower.raw(), X.lower());
        // P_n'(X) in P_n'(x~) + P_n''(X) [-delta, delta]
        Interval dP(wp), dP_X(wp), P_X(wp), P1_X(wp), second(wp), one_minus(wp), spread(wp);
        legendre_derivative(dP, point, n, wp);
        legendre_derivative(dP_X, X, n, wp);
        legendre(P_X, P1_X, X, n, wp);
        sqr(one_minus, X);
        mpfi_si_sub(one_minus.raw(), 1, one_minus.raw());
        mul(second, X, dP_X);
        mul_si(second, second, 2);
        mul_si(P_X, P_X, static_cast<long>(n) * (n + 1));
        sub(second, second, P_X);
        div(second, second, one_minus);
        mpfi_interv_si(spread.raw(), -1, 1);
        mul(spread, spread, delta);
        mul(second, second, spread);
        add(dP, dP, second);
        Interval w(wp);
        sqr(w, dP);
        mul(w, w, one_minus);
        mpfi_si_div(w.raw(), 2, w.raw());
        if (!w.is_finite() || !certainly_positive(w)) {   // (only at a few bits)
            mpfr_clear(x);
            return nullptr;
        }
        Interval node(prec), weight(prec), minus(prec);
        round_into(node, X);
        round_into(weight, w);
        neg(minus, node);
        rule->nodes.push_back(node);
        rule->weights.push_back(weight);
        rule->nodes.push_back(minus);
        rule->weights.push_back(weight);
    }
    mpfr_clear(x);
    return rule;
}

// ---- the complex evaluator -----------------------------------------------------------------------

struct Complex {
    Interval re, im;
    explicit Complex(Precision p) : re(p), im(p) {}
};

// Rectangular complex intervals: every operation encloses the set of its results over the
// rectangles (each component by real interval arithmetic); an operation that is not continued
// holomorphically here, or a divisor whose rectangle may hold 0, stops the run (false).
struct ComplexDomain {
    using Value = Complex;
    Op current = Op::Constant;
    int current_slot = -1;
    const Complex& z;
    const std::vector<Interval>& params;
    const std::vector<Interval>& constants;
    // by slot: the sign s with |a| = s a on the real piece (abs_signs.hpp); abs is continued as
    // s a, and stops the run where s is 0 or there are no signs
    const std::vector<signed char>* abs_sign = nullptr;
    Interval t1, t2, t3, t4;

    ComplexDomain(const Complex& point, const std::vector<Interval>& p, const std::vector<Interval>& c, Precision prec)
        : z(point), params(p), constants(c), t1(prec), t2(prec), t3(prec), t4(prec) {}

    static void real(Complex& o, const Interval& v) {
        mpfi_set(o.re.raw(), v.raw());
        mpfi_set_si(o.im.raw(), 0);
    }
    void variable(Complex& o, long) {
        mpfi_set(o.re.raw(), z.re.raw());
        mpfi_set(o.im.raw(), z.im.raw());
    }
    void parameter(Complex& o, long i) { real(o, params.at(static_cast<size_t>(i))); }
    void constant(Complex& o, long i) { real(o, constants[static_cast<size_t>(i)]); }
    void pi(Complex& o) {
        set_pi(o.re);
        mpfi_set_si(o.im.raw(), 0);
    }
    void euler(Complex& o) {
        set_e(o.re);
        mpfi_set_si(o.im.raw(), 0);
    }
    void add(Complex& o, const Complex& a, const Complex& b) {
        lpcert::add(o.re, a.re, b.re);
        lpcert::add(o.im, a.im, b.im);
    }
    void sub(Complex& o, const Complex& a, const Complex& b) {
        lpcert::sub(o.re, a.re, b.re);
        lpcert::sub(o.im, a.im, b.im);
    }
    void neg(Complex& o, const Complex& a) {
        lpcert::neg(o.re, a.re);
        lpcert::neg(o.im, a.im);
    }
    // every input is read before o is written: o may be a or b
    void mul(Complex& o, const Complex& a, const Complex& b) {
        lpcert::mul(t1, a.re, b.re);
        lpcert::mul(t2, a.im, b.im);
        lpcert::mul(t3, a.re, b.im);
        lpcert::mul(t4, a.im, b.re);
        lpcert::sub(o.re, t1, t2);
        lpcert::add(o.im, t3, t4);
    }
    bool div(Complex& o, const Complex& a, const Complex& b) {
        // a / b = a conj(b) / |b|^2, with |b|^2 certainly > 0 (1/b holomorphic on the rectangle)
        Interval den(t1.precision());
        sqr(den, b.re);
        sqr(t1, b.im);
        lpcert::add(den, den, t1);
        if (!certainly_positive(den)) return false;
        lpcert::mul(t1, a.re, b.re);
        lpcert::mul(t2, a.im, b.im);
        lpcert::add(t1, t1, t2);
        lpcert::mul(t2, a.im, b.re);
        lpcert::mul(t3, a.re, b.im);
        lpcert::sub(t2, t2, t3);
        lpcert::div(o.re, t1, den);
        lpcert::div(o.im, t2, den);
        return true;
    }
    bool pow_int(Complex& o, const Complex& a, long n) {
        const Precision p = t1.precision();
        Complex result(p), base(p);
        real(result, Interval(1, p));
        mpfi_set(base.re.raw(), a.re.raw());
        mpfi_set(base.im.raw(), a.im.raw());
        unsigned long e = n < 0 ? static_cast<unsigned long>(-(n + 1)) + 1 : static_cast<unsigned long>(n);
        while (e > 0) {
            if (e & 1) mul(result, result, base);
            e >>= 1;
            if (e > 0) mul(base, base, base);
        }
        if (n >= 0) {
            mpfi_set(o.re.raw(), result.re.raw());
            mpfi_set(o.im.raw(), result.im.raw());
            return true;
        }
        Complex one(p);
        real(one, Interval(1, p));
        return div(o, one, result);
    }
    bool pow_real(Complex&, const Complex&, long) { return false; }
    bool min_max(Complex&, const Complex&, const Complex&, bool) { return false; }
    bool unary(Complex& o, Op op, const Complex& a) {
        switch (op) {
            case Op::Exp:   // e^x (cos y + i sin y)
                exp(t1, a.re);
                sin_cos(t3, t2, a.im);
                lpcert::mul(o.re, t1, t2);
                lpcert::mul(o.im, t1, t3);
                return true;
            case Op::Sin:   // sin x cosh y + i cos x sinh y
            case Op::Cos:   // cos x cosh y - i sin x sinh y
                sin_cos(t1, t2, a.re);
                mpfi_cosh(t3.raw(), a.im.raw());
                mpfi_sinh(t4.raw(), a.im.raw());
                if (op == Op::Sin) {
                    lpcert::mul(o.re, t1, t3);
                    lpcert::mul(o.im, t2, t4);
                } else {
                    lpcert::mul(o.re, t2, t3);
                    lpcert::mul(o.im, t1, t4);
                    lpcert::neg(o.im, o.im);
                }
                return true;
            case Op::Abs: {
                const signed char s = abs_sign == nullptr ? 0 : (*abs_sign)[static_cast<size_t>(current_slot)];
                if (s == 0) return false;
                if (s > 0) {
                    mpfi_set(o.re.raw(), a.re.raw());
                    mpfi_set(o.im.raw(), a.im.raw());
                } else {
                    neg(o, a);
                }
                return true;
            }
            default: return false;
        }
    }
};

// Upper bound of |g| over the rectangle z, or false where the run stops or a bound is not finite.
bool magnitude_over(mpfr_ptr M, const Expression& g, const Complex& z, const std::vector<Interval>& params,
                    const std::vector<Interval>& constants, std::vector<Complex>& slots, Precision prec,
                    const std::vector<signed char>* abs_sign = nullptr) {
    ComplexDomain dom(z, params, constants, prec);
    dom.abs_sign = abs_sign;
    try {
        if (!detail::run_tape(g, dom, slots)) return false;
    } catch (const DomainError&) {
        return false;   // an overflow or an undefined step: no bound from this rectangle
    }
    const Complex& v = slots.back();
    if (!v.re.is_finite() || !v.im.is_finite()) return false;
    Real im(prec);
    magnitude_up(M, v.re);
    magnitude_up(im.raw(), v.im);
    mpfr_sqr(M, M, MPFR_RNDU);
    mpfr_sqr(im.raw(), im.raw(), MPFR_RNDU);
    mpfr_add(M, M, im.raw(), MPFR_RNDU);
    mpfr_sqrt(M, M, MPFR_RNDU);
    return mpfr_number_p(M) != 0;
}

constexpr int kDegrees[] = {8, 12, 16, 24, 32, 48, 64};

}  // namespace

bool gauss_legendre_applies(const Expression& g) {
    for (const Instruction& ins : g.code()) {
        switch (ins.op) {
            case Op::Variable: case Op::Parameter: case Op::Constant: case Op::Pi: case Op::Euler:
            case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Neg: case Op::PowInt:
            case Op::Exp: case Op::Sin: case Op::Cos: case Op::Abs:   // abs: on pieces where its sign is settled
                break;
            default: return false;
        }
    }
    return !g.code().empty();
}

bool holomorphic_magnitude_bound(mpfr_ptr M, const Expression& g, const Interval& re, const Interval& im,
                                 const std::vector<Interval>& params, Precision prec,
                                 const std::vector<signed char>* abs_sign_by_slot) {
    if (!gauss_legendre_applies(g)) return false;
    if (abs_sign_by_slot != nullptr && abs_sign_by_slot->size() != g.code().size()) return false;
    const std::vector<Interval> constants = enclose_constants(g, prec);
    std::vector<Complex> slots(g.code().size(), Complex(prec));
    Complex z(prec);
    round_into(z.re, re);
    round_into(z.im, im);
    return magnitude_over(M, g, z, params, constants, slots, prec, abs_sign_by_slot);
}

const GaussLegendreRule* gauss_legendre_rule(int n, Precision prec) {
    static std::mutex mutex;
    static std::map<std::pair<int, long>, std::unique_ptr<GaussLegendreRule>> cache;   // null: not confirmed
    const std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find({n, prec.bits});
    if (it == cache.end()) {
        std::unique_ptr<GaussLegendreRule> rule;
        try {
            if (n % 2 == 0 && n >= 2) rule = make_rule(n, prec);
        } catch (const DomainError&) {
            // a divisor reaching 0 at a very low precision: no rule there
        }
        it = cache.emplace(std::make_pair(n, prec.bits), std::move(rule)).first;
    }
    return it->second.get();
}

std::optional<GaussLegendreEnclosure> gauss_legendre_integral(const Expression& g, const Dyadic& a, const Dyadic& b,
                                                              const std::vector<Interval>& params,
                                                              const std::string& relative_tolerance,
                                                              const std::string& absolute_floor, Precision prec,
                                                              const StopToken& stop, long max_pieces) {
    if (!gauss_legendre_applies(g) || !(a < b) || g.variables_used() > 1) return std::nullopt;
    const std::vector<Interval> constants = enclose_constants(g, prec);
    std::vector<Complex> slots(g.code().size(), Complex(prec));
    IntervalEvaluator real_ev(g, prec);
    const Interval tol = parse_decimal(relative_tolerance, Precision(64), "relative tolerance");
    const Interval floor_value = parse_decimal(absolute_floor, Precision(64), "absolute floor");
    const Dyadic length = b - a;
    GaussLegendreEnclosure out{Interval(prec)};
    Real M(prec), bound(prec), share(Precision(64)), w(Precision(64)), sum_shift(Precision(64));
    std::vector<Interval> argument(1, Interval(prec));   // the evaluator's box, reused
    AbsSigns abs_signs(g, prec);
    std::vector<signed char> abs_sign_by_slot(g.code().size(), 0);   // the piece's, for the complex evaluator
    // the rules at prec, each looked up (and built, the first time in the process) when a piece
    // first asks for its degree: a run that needs degree 12 does not build degree 64 (null: no
    // rule at this precision)
    std::map<int, const GaussLegendreRule*> rules;
    auto rule_of = [&](int n) {
        auto it = rules.find(n);
        if (it == rules.end()) it = rules.emplace(n, gauss_legendre_rule(n, prec)).first;
        return it->second;
    };
    // the rectangles R_rho (rho = 2^k, k = 1..4): A, B = (rho +- 1/rho) / 2 and (A - 1) / 2, exact
    std::vector<Interval> A_of, B_of;
    std::vector<Dyadic> half_gap_of;
    for (int k = 1; k <= 4; ++k) {
        const Dyadic rho = Dyadic::power_of_two(k), inv = Dyadic::power_of_two(-k);
        const Dyadic A = (rho + inv).times_power_of_two(-1), B = (rho - inv).times_power_of_two(-1);
        A_of.push_back(A.to_interval(prec));
        B_of.push_back(B.to_interval(prec));
        half_gap_of.push_back((A - Dyadic(1)).times_power_of_two(-1));
    }

    // The rule of degree n on one piece [m - r, m + r], r * sum_j w_j g(m + r x_j), plus
    // [-err, err]; false where a node evaluation fails. With `lipschitz` (L >= |d/dt g(m + r t)| for
    // |t| <= 1 + `reach`), g is evaluated at one point p_j of each node's position enclosure X_j
    // (sin and cos of a point take one MPFR call, of an interval two), and
    // r sum_j w_j |g(x_j) - g(p_j)| <= L sum_j w_j width(X_j) joins the error; a node whose
    // enclosure is wider than r * reach is evaluated over X_j. Without it, at the points p_j with
    // no such term: only for the estimate below, which chooses the goal and is never a bound.
    // `inside` (with abs settled on the piece, where g equals its continuation only on [lo, hi]):
    // a point outside [inside[0], inside[1]] (lo rounded up, hi rounded down) is not used, and that
    // node is evaluated over X_j instead.
    auto apply_rule = [&](Interval& value, const Interval& m, const Interval& r, int n, mpfr_srcptr err,
                          mpfr_srcptr lipschitz, mpfr_srcptr reach, const Real* inside = nullptr) {
        const GaussLegendreRule* rule = rule_of(n);
        if (rule == nullptr) return false;
        Interval x(prec), term(prec);
        Real shift(prec), dx(Precision(64)), limit(Precision(64));
        if (lipschitz != nullptr) mpfr_mul(limit.raw(), r.lower(), reach, MPFR_RNDD);
        mpfr_set_zero(sum_shift.raw(), 1);   // (a call that threw may have left a partial sum)
        mpfi_set_si(value.raw(), 0);
        try {
            for (size_t j = 0; j < rule->nodes.size(); ++j) {
                mul(x, r, rule->nodes[j]);
                add(x, x, m);
                Interval& at = argument[0];
                mpfi_set(at.raw(), x.raw());
                width_up(dx.raw(), x);
                midpoint(shift.raw(), x);   // a point of X_j
                const bool point_inside = inside == nullptr || (mpfr_greaterequal_p(shift.raw(), inside[0].raw()) &&
                                                                mpfr_lessequal_p(shift.raw(), inside[1].raw()));
                if ((lipschitz == nullptr || mpfr_lessequal_p(dx.raw(), limit.raw())) && point_inside) {
                    mpfi_set_fr(at.raw(), shift.raw());
                    if (lipschitz != nullptr) {
                        mpfr_mul(dx.raw(), dx.raw(), rule->weights[j].upper(), MPFR_RNDU);
                        mpfr_add(sum_shift.raw(), sum_shift.raw(), dx.raw(), MPFR_RNDU);
                    }
                }
                mul(term, rule->weights[j], real_ev.evaluate(argument, params));
                add(value, value, term);
            }
        } catch (const DomainError&) {
            return false;
        }
        out.evaluations += static_cast<long>(rule->nodes.size());
        mul(value, value, r);
        Real total(prec);
        mpfr_set(total.raw(), err, MPFR_RNDU);
        if (lipschitz != nullptr) {
            mpfr_mul(shift.raw(), sum_shift.raw(), lipschitz, MPFR_RNDU);
            mpfr_add(total.raw(), total.raw(), shift.raw(), MPFR_RNDU);
        }
        mpfr_sub(&value.raw()->left, &value.raw()->left, total.raw(), MPFR_RNDD);
        mpfr_add(&value.raw()->right, &value.raw()->right, total.raw(), MPFR_RNDU);
        return true;
    };

    // A real bound on the derivative as well, usually far below Cauchy's: r |g'| over the hull of
    // the rule's node positions m + r [-x_max, x_max], from a first-order series over it (abs
    // forced to the piece's settled branches, which hold on the piece), where that hull lies in
    // [lo, hi]. L keeps the smaller bound (both are bounds of |d/dt g(m + r t)| at every node
    // position and its point).
    SeriesLayout slope_layout(1, 1);
    SeriesEvaluator slope_ev(g, slope_layout, prec);
    std::vector<SeriesEvaluator::ForcedBranch> forced;
    auto tighten_lipschitz = [&](mpfr_ptr L, const Interval& m, const Interval& r, int n, const Dyadic& lo, const Dyadic& hi) {
        const GaussLegendreRule* rule = rule_of(n);
        if (rule == nullptr || rule->nodes.empty()) return;
        Interval hull(prec);
        mpfi_interv_fr(hull.raw(), rule->nodes[0].upper(), rule->nodes[0].upper());
        mpfr_neg(&hull.raw()->left, &hull.raw()->left, MPFR_RNDD);   // [-x_max, x_max]
        mul(hull, hull, r);
        add(hull, hull, m);
        if (mpfr_cmp(lo.to_interval(prec).upper(), hull.lower()) > 0 || mpfr_cmp(hull.upper(), hi.to_interval(prec).lower()) > 0) return;
        forced.clear();
        for (size_t k = 0; k < abs_sign_by_slot.size(); ++k)
            if (abs_sign_by_slot[k] != 0) forced.push_back({static_cast<int>(k), abs_sign_by_slot[k] > 0 ? 0 : 1, nullptr});
        slope_ev.force_branches(forced);
        try {
            const Series* series = slope_ev.evaluate({hull}, params);
            if (series == nullptr) return;
            Real bound_real(prec);
            if (series->degree >= 1) magnitude_up(bound_real.raw(), series->c[1]); else mpfr_set_zero(bound_real.raw(), 1);
            mpfr_mul(bound_real.raw(), bound_real.raw(), r.upper(), MPFR_RNDU);
            if (mpfr_number_p(bound_real.raw()) && mpfr_less_p(bound_real.raw(), L)) mpfr_set(L, bound_real.raw(), MPFR_RNDU);
        } catch (const DomainError&) {
            // g' undefined or unbounded there: Cauchy's bound stands
        }
    };

    bool precision_exhausted = false;
    // One piece to a goal (absolute, on its integral): the smallest degree, over rho = 2, 4, 8, 16,
    // whose bound is at most half of it, or the next degree up where that one's bound is at most
    // 2^-20 of it (results far inside the goal for one more step: a polynomial, an entire function
    // on a short piece, as the Taylor forms gave); none: false (bisect).
    auto enclose_piece = [&](Interval& value, const Dyadic& lo, const Dyadic& hi, mpfr_srcptr goal) {
        const Dyadic mid = (lo + hi).times_power_of_two(-1), rad = (hi - lo).times_power_of_two(-1);
        const Interval m = mid.to_interval(prec), r = rad.to_interval(prec);
        int best_n = 0, tight_n = 0;
        Real best_bound(prec), tight_bound(prec), half(Precision(64)), tiny(Precision(64));
        Real lipschitz(prec), cauchy(prec);
        int lipschitz_k = 0;   // the rectangle of the smallest Cauchy bound (0: none yet)
        mpfr_mul_2si(half.raw(), goal, -1, MPFR_RNDD);
        mpfr_mul_2si(tiny.raw(), goal, -20, MPFR_RNDD);
        Complex z(prec);
        Interval span(prec);
        for (int k = 1; k <= 4; ++k) {
            // R_rho: [m - r A, m + r A] x [-r B, r B]
            mpfi_interv_si(span.raw(), -1, 1);
            mul(z.re, span, r);
            mul(z.im, z.re, B_of[static_cast<size_t>(k - 1)]);
            mul(z.re, z.re, A_of[static_cast<size_t>(k - 1)]);
            add(z.re, z.re, m);
            if (best_n == kDegrees[0] && tight_n == kDegrees[0]) break;   // no rho can do better
            if (!magnitude_over(M.raw(), g, z, params, constants, slots, prec, &abs_sign_by_slot)) break;   // larger rectangles fail too
            // Cauchy's bound 2M/(A - 1) on the derivative from this rectangle; the smallest over
            // the rectangles is kept (a large rho has a far larger M: sin(20x) on [0, 1] gives
            // 6e6 at rho = 2 and 1e16 at rho = 4, which times a 64-bit node width is no longer small)
            {
                half_gap_of[static_cast<size_t>(k - 1)].to_mpfr(cauchy.raw(), MPFR_RNDD);
                mpfr_div(cauchy.raw(), M.raw(), cauchy.raw(), MPFR_RNDU);
                if (lipschitz_k == 0 || mpfr_less_p(cauchy.raw(), lipschitz.raw())) {
                    mpfr_set(lipschitz.raw(), cauchy.raw(), MPFR_RNDU);
                    lipschitz_k = k;
                }
            }
            for (int n : kDegrees) {
                if (tight_n != 0 && n >= tight_n) break;
                // r (16/3) M rho^(1 - 2n) / (rho - 1)
                mpfr_mul(bound.raw(), M.raw(), r.upper(), MPFR_RNDU);
                mpfr_mul_si(bound.raw(), bound.raw(), 16, MPFR_RNDU);
                mpfr_div_si(bound.raw(), bound.raw(), 3, MPFR_RNDU);
                mpfr_mul_2si(bound.raw(), bound.raw(), static_cast<long>(k) * (1 - 2L * n), MPFR_RNDU);
                mpfr_div_si(bound.raw(), bound.raw(), (1L << k) - 1, MPFR_RNDU);
                if (mpfr_greater_p(bound.raw(), half.raw())) continue;
                if (rule_of(n) == nullptr) continue;   // (only at a few bits)
                if (best_n == 0 || n < best_n) {
                    best_n = n;
                    mpfr_set(best_bound.raw(), bound.raw(), MPFR_RNDU);
                }
                if (mpfr_lessequal_p(bound.raw(), tiny.raw())) {
                    tight_n = n;
                    mpfr_set(tight_bound.raw(), bound.raw(), MPFR_RNDU);
                    break;
                }
            }
        }
        // the tight degree only when it is at most one step above the one the goal needs
        auto step = [](int n) {
            int i = 0;
            while (kDegrees[i] != n) ++i;
            return i;
        };
        if (tight_n != 0 && (best_n == 0 || step(tight_n) <= step(best_n) + 1)) {
            best_n = tight_n;
            mpfr_set(best_bound.raw(), tight_bound.raw(), MPFR_RNDU);
        }
        if (best_n == 0) return false;
        // Cauchy: a disc of radius (A - 1)/2 about any t with |t| <= 1 + (A - 1)/2 lies in R_rho
        // (A - 1 < B), so there |d/dt g(m + r t)| <= 2 M / (A - 1)
        // (any rectangle that gave a bound serves: the one with the smallest 2M/(A - 1), found above)
        Real reach(Precision(64));
        half_gap_of[static_cast<size_t>(lipschitz_k - 1)].to_mpfr(reach.raw(), MPFR_RNDD);
        tighten_lipschitz(lipschitz.raw(), m, r, best_n, lo, hi);
        const bool settled_abs = std::any_of(abs_sign_by_slot.begin(), abs_sign_by_slot.end(), [](signed char c) { return c != 0; });
        Real inside[2] = {Real(prec), Real(prec)};
        lo.to_mpfr(inside[0].raw(), MPFR_RNDU);
        hi.to_mpfr(inside[1].raw(), MPFR_RNDD);
        if (!apply_rule(value, m, r, best_n, best_bound.raw(), lipschitz.raw(), reach.raw(), settled_abs ? inside : nullptr)) return false;
        width_up(w.raw(), value);
        if (mpfr_lessequal_p(w.raw(), goal)) return true;
        // the bound took at most half the goal: the rest is rounding, which bisection does not cure
        mpfr_mul_2si(bound.raw(), best_bound.raw(), 1, MPFR_RNDD);
        mpfr_sub(w.raw(), w.raw(), bound.raw(), MPFR_RNDD);
        mpfr_mul_2si(bound.raw(), goal, -1, MPFR_RNDU);
        if (mpfr_greater_p(w.raw(), bound.raw())) precision_exhausted = true;
        return false;
    };

    // A piece bisected onto todo, the lower half on top; the settled signs hold on every part.
    auto push_halves = [](std::vector<SignedPiece>& todo, const SignedPiece& piece) {
        const Dyadic mid = (piece.lo + piece.hi).times_power_of_two(-1);
        todo.push_back(SignedPiece{mid, piece.hi, piece.signs});
        todo.push_back(SignedPiece{piece.lo, mid, piece.signs});
    };
    // The natural extension on [lo, hi]: (hi - lo) g([lo, hi]); false where g is undefined there.
    auto natural_enclosure = [&](Interval& value, const Dyadic& lo, const Dyadic& hi) {
        Interval x(prec);
        mpfi_union(x.raw(), lo.to_interval(prec).raw(), hi.to_interval(prec).raw());
        try {
            value = real_ev.evaluate({x}, params);
        } catch (const DomainError&) {
            return false;
        }
        mul(value, value, (hi - lo).to_interval(prec));
        return true;
    };
    // Every abs of g settled on the piece (abs_signs.hpp), or what is done instead: the piece's
    // parts pushed to todo (a middle piece around a zero enclosed by the natural extension and
    // added to the result), the whole piece so enclosed when that meets its share, or bisected.
    enum class Settling { Settled, Enclosed, Replaced, Failed };
    auto settle_abs_signs = [&](SignedPiece& current, std::vector<SignedPiece>& todo, Interval& value, mpfr_srcptr goal) {
        bool settled = false;
        try {
            settled = abs_signs.settle_by_range(current, params);
        } catch (const DomainError&) {
            // g is undefined somewhere on the piece: no sign from its range
        }
        while (!settled) {
            AbsSigns::Split split;
            switch (abs_signs.settle_by_monotonicity(current, split, params)) {
                case AbsSigns::Outcome::Settled:
                    settled = std::find(current.signs.begin(), current.signs.end(), 0) == current.signs.end();
                    continue;
                case AbsSigns::Outcome::Split: {
                    if (split.has_right) todo.push_back(std::move(split.right));
                    // the middle by the natural extension where that meets its share of the goal
                    // (goal (t2 - t1) / (hi - lo)), else split again (at a few bits t2 - t1 is up
                    // to a quarter of the piece)
                    Real middle_goal(Precision(64)), scratch(Precision(64));
                    (split.middle_hi - split.middle_lo).to_mpfr(middle_goal.raw(), MPFR_RNDD);
                    mpfr_mul(middle_goal.raw(), middle_goal.raw(), goal, MPFR_RNDD);
                    (current.hi - current.lo).to_mpfr(scratch.raw(), MPFR_RNDU);
                    mpfr_div(middle_goal.raw(), middle_goal.raw(), scratch.raw(), MPFR_RNDD);
                    bool enclosed = natural_enclosure(value, split.middle_lo, split.middle_hi);
                    if (enclosed) {
                        width_up(w.raw(), value);
                        enclosed = mpfr_lessequal_p(w.raw(), middle_goal.raw()) != 0;
                    }
                    if (enclosed) {
                        add(out.value, out.value, value);
                        ++out.final_pieces;
                    } else if (split.middle_lo < split.middle_hi) {
                        todo.push_back(SignedPiece{split.middle_lo, split.middle_hi, current.signs});
                    } else {
                        return Settling::Failed;   // (a point: its enclosure is 0 unless g is undefined there)
                    }
                    if (split.has_left) todo.push_back(std::move(split.left));
                    return Settling::Replaced;
                }
                case AbsSigns::Outcome::None: {
                    if (natural_enclosure(value, current.lo, current.hi)) {
                        width_up(w.raw(), value);
                        if (mpfr_lessequal_p(w.raw(), goal)) return Settling::Enclosed;
                    }
                    push_halves(todo, current);
                    return Settling::Replaced;
                }
            }
        }
        return Settling::Settled;
    };

    // A first goal from a 16-point estimate without its bound (a choice, not a bound); when the
    // finished enclosure shows it was too optimistic, one more pass with the enclosure's own lower end.
    Interval estimate(prec);
    {
        const Interval m = ((a + b).times_power_of_two(-1)).to_interval(prec), r = (length.times_power_of_two(-1)).to_interval(prec);
        Real zero(prec);
        if (!apply_rule(estimate, m, r, 16, zero.raw(), nullptr, nullptr)) return std::nullopt;
    }
    Real scale(Precision(64));
    // the contract's scale is the signed lower end (integration.hpp): a negative integral meets
    // its goal only through the floor
    mpfr_set(scale.raw(), estimate.lower(), MPFR_RNDD);
    for (int pass = 0; pass < 2; ++pass) {
        Real goal_total(Precision(64));
        mpfr_max(goal_total.raw(), scale.raw(), floor_value.lower(), MPFR_RNDD);
        mpfr_mul(goal_total.raw(), goal_total.raw(), tol.lower(), MPFR_RNDD);
        mpfr_mul_2si(goal_total.raw(), goal_total.raw(), -1, MPFR_RNDD);   // room for the check below
        if (mpfr_sgn(goal_total.raw()) <= 0) return std::nullopt;
        mpfi_set_si(out.value.raw(), 0);
        out.final_pieces = 0;
        std::vector<SignedPiece> todo{abs_signs.unsettled(a, b)};
        Interval piece(prec);
        while (!todo.empty()) {
            if (stop.stop_requested() || ++out.pieces > max_pieces) return std::nullopt;
            SignedPiece current = std::move(todo.back());
            todo.pop_back();
            // the piece's share of the goal: goal_total (hi - lo) / (b - a), rounded down
            (current.hi - current.lo).to_mpfr(share.raw(), MPFR_RNDD);
            mpfr_mul(share.raw(), share.raw(), goal_total.raw(), MPFR_RNDD);
            length.to_mpfr(w.raw(), MPFR_RNDU);
            mpfr_div(share.raw(), share.raw(), w.raw(), MPFR_RNDD);
            if (abs_signs.has_abs()) {
                switch (settle_abs_signs(current, todo, piece, share.raw())) {
                    case Settling::Settled: break;
                    case Settling::Enclosed:   // by the natural extension
                        add(out.value, out.value, piece);
                        ++out.final_pieces;
                        continue;
                    case Settling::Replaced: continue;   // by the pieces pushed to todo
                    case Settling::Failed: return std::nullopt;
                }
                abs_signs.signs_by_slot(current, abs_sign_by_slot);
            }
            if (enclose_piece(piece, current.lo, current.hi, share.raw())) {
                add(out.value, out.value, piece);
                ++out.final_pieces;
                continue;
            }
            if (precision_exhausted) return std::nullopt;
            push_halves(todo, current);
        }
        // the contract: width <= tol * max(|value|'s lower end, floor)
        Real limit(Precision(64));
        mpfr_set(limit.raw(), out.value.lower(), MPFR_RNDD);
        mpfr_max(limit.raw(), limit.raw(), floor_value.lower(), MPFR_RNDD);
        mpfr_mul(limit.raw(), limit.raw(), tol.lower(), MPFR_RNDD);
        width_up(w.raw(), out.value);
        if (mpfr_lessequal_p(w.raw(), limit.raw())) return out;
        mpfr_set(scale.raw(), out.value.lower(), MPFR_RNDD);
    }
    return std::nullopt;
}

}  // namespace lpcert
