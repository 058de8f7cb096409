#define BOOST_TEST_MODULE stress
// Randomized soundness stress (fixed, printed seed: LPCERT_SEED; more rounds with
// LPCERT_TEST_MULTIPLIER). Every check is a containment that a correct implementation cannot
// violate, so one failure is a bug:
//  - random expressions of the grammar on random boxes at random precisions: the interval
//    enclosure meets the 1024-bit enclosure of f at random points of the box;
//  - first derivatives (Clarke gradients where abs/min/max appear) and second derivatives over a
//    box contain the finite differences inside it (mean value theorem: the difference quotient
//    is a derivative at some point of the segment);
//  - random small networks of the SPEC layouts: the interval forward pass over a box contains
//    the exact rational readouts (Floor-ReLU) and meets the point enclosures (sine-ReLU) at
//    random points of the box.
#include <boost/test/unit_test.hpp>

#include <boost/multiprecision/gmp.hpp>

#include "construction/builder.hpp"
#include "construction/forward.hpp"
#include "network_test_support.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/evaluation.hpp"
#include "quadrature/taylor_series.hpp"

using namespace lpcert;
using boost::multiprecision::mpq_rational;

namespace {

std::mt19937_64& g() { return test::rng(); }
long pick(long n) { return static_cast<long>(g()() % static_cast<unsigned long>(n)); }

// A random expression in x1..xd. smooth: only C^infinity operations (sqrt, log and division on
// arguments kept away from 0); otherwise also abs, min, max and (when allowed) floor.
std::string random_expression(int d, int depth, bool smooth, bool allow_floor) {
    if (depth == 0 || pick(4) == 0) {
        static const char* constants[] = {"0.5", "2", "pi", "1.25", "3", "0.1", "e"};
        return pick(3) == 0 ? constants[pick(7)] : "x" + std::to_string(1 + pick(d));
    }
    const std::string a = random_expression(d, depth - 1, smooth, allow_floor);
    const std::string b = random_expression(d, depth - 1, smooth, allow_floor);
    const int kinds = smooth ? 14 : (allow_floor ? 19 : 18);
    switch (pick(kinds)) {
        case 0: return "(" + a + " + " + b + ")";
        case 1: return "(" + a + " - " + b + ")";
        case 2: return "(" + a + " * " + b + ")";
        case 3: return "(" + a + ")^2";
        case 4: return "(" + a + ")^3";
        case 5: return "sin(" + a + ")";
        case 6: return "cos(" + a + ")";
        case 7: return "exp(" + a + " / 4)";
        case 8: return "tanh(" + a + ")";
        case 9: return "atan(" + a + ")";
        case 10: return "sqrt((" + a + ")^2 + 0.25)";
        case 11: return "log((" + a + ")^2 + 0.5)";
        case 12: return "1 / ((" + a + ")^2 + 0.5)";
        case 13: return "-(" + a + ")";
        case 14: return "abs(" + a + ")";
        case 15: return "min(" + a + ", " + b + ")";
        case 16: return "max(" + a + ", " + b + ")";
        case 17: return "abs(" + a + " - 0.3)";
        default: return "floor(2 * " + a + ")";
    }
}

// A random box inside [0,1]^d with dyadic corners, widths 2^-1 .. 2^-24.
std::vector<Interval> random_box(int d, Precision prec) {
    std::vector<Interval> box;
    for (int i = 0; i < d; ++i) {
        const long w_exp = 1 + pick(24);
        const long lo = pick(1L << 24);   // lo / 2^24, then the width, clipped to 1
        Interval side(prec);
        mpfr_set_si_2exp(&side.raw()->left, lo, -24, MPFR_RNDD);
        mpfr_set_si_2exp(&side.raw()->right, 1, -w_exp, MPFR_RNDU);
        mpfr_add(&side.raw()->right, &side.raw()->right, &side.raw()->left, MPFR_RNDU);
        if (mpfr_cmp_si(&side.raw()->right, 1) > 0) mpfr_set_si(&side.raw()->right, 1, MPFR_RNDU);
        box.push_back(side);
    }
    return box;
}

// A random dyadic point of the box (exact at 128 + 24 bits), as point intervals at `prec`.
std::vector<Interval> random_point(const std::vector<Interval>& box, Precision prec) {
    std::vector<Interval> x;
    for (const auto& side : box) {
        mpfr_t t;
        mpfr_init2(t, 256);
        mpfr_sub(t, side.upper(), side.lower(), MPFR_RNDN);   // a dyadic width: exact
        mpfr_mul_si(t, t, pick(1L << 20), MPFR_RNDN);
        mpfr_div_2si(t, t, 20, MPFR_RNDN);
        mpfr_add(t, t, side.lower(), MPFR_RNDN);
        Interval p(prec);
        set_exact_or_outward(p, t);
        mpfr_clear(t);
        x.push_back(p);
    }
    return x;
}

}  // namespace

BOOST_AUTO_TEST_CASE(random_expressions_enclose_their_point_values) {
    const int rounds = 3000 * test::multiplier();
    int checked = 0;
    for (int r = 0; r < rounds; ++r) {
        const int d = 1 + static_cast<int>(pick(3));
        const std::string text = random_expression(d, 4, pick(2) == 0, true);
        const Expression f = Expression::parse(text);
        const Precision prec(static_cast<long>(std::vector<long>{24, 53, 100, 200}[static_cast<size_t>(pick(4))]));
        const auto box = random_box(d, prec);
        IntervalEvaluator on_box(f, prec), at_point(f, Precision(1024));
        Interval enclosure(prec);
        try {
            enclosure = on_box.evaluate(box);
        } catch (const DomainError&) {
            continue;   // undefined somewhere on the box: refused, which is the contract
        }
        for (int k = 0; k < 8; ++k) {
            const Interval& v = at_point.evaluate(random_point(box, Precision(1024)));
            BOOST_CHECK_MESSAGE(overlaps(enclosure, v), "f = " << text << " at " << prec.bits << " bits: box enclosure "
                                                               << to_string(enclosure) << " misses " << to_string(v));
            ++checked;
        }
    }
    BOOST_TEST_MESSAGE(checked << " point values checked");
    BOOST_CHECK_GT(checked, rounds);
}

BOOST_AUTO_TEST_CASE(derivative_enclosures_contain_finite_differences) {
    const int rounds = 2000 * test::multiplier();
    int checked_first = 0, checked_second = 0;
    for (int r = 0; r < rounds; ++r) {
        const int d = 1 + static_cast<int>(pick(3));
        const bool smooth = pick(2) == 0;
        const std::string text = random_expression(d, 3, smooth, false);
        const Expression f = Expression::parse(text);
        const Precision prec(static_cast<long>(std::vector<long>{53, 100, 200}[static_cast<size_t>(pick(3))]));
        const auto box = random_box(d, prec);
        const int axis = static_cast<int>(pick(d));
        // two points of the box on a line parallel to the axis, and their midpoint
        auto a = random_point(box, Precision(1024)), b = a;
        b[static_cast<size_t>(axis)] = random_point(box, Precision(1024))[static_cast<size_t>(axis)];
        if (!certainly_less(a[static_cast<size_t>(axis)], b[static_cast<size_t>(axis)])) std::swap(a, b);
        if (!certainly_less(a[static_cast<size_t>(axis)], b[static_cast<size_t>(axis)])) continue;
        IntervalEvaluator fine(f, Precision(1024));
        Interval fa(Precision(1024)), fb(Precision(1024)), h(Precision(1024)), q(Precision(1024));
        try {
            fa = fine.evaluate(a);
            fb = fine.evaluate(b);
        } catch (const DomainError&) {
            continue;
        }
        sub(h, b[static_cast<size_t>(axis)], a[static_cast<size_t>(axis)]);
        sub(q, fb, fa);
        div(q, q, h);   // (f(b) - f(a)) / h = d_axis f(xi) for some xi on [a, b] (Clarke: in the gradient)
        {
            const SeriesLayout layout(d, 1);
            SeriesEvaluator ev(f, layout, prec, smooth ? Differentiability::Smooth : Differentiability::Lipschitz);
            const Series* s = nullptr;
            try {
                s = ev.evaluate(box);
            } catch (const DomainError&) {
            }
            if (s != nullptr) {
                const Interval& grad = s->c[static_cast<size_t>(layout.variable_index(axis))];
                BOOST_CHECK_MESSAGE(overlaps(grad, q), "f = " << text << ": d/dx" << axis + 1 << " over the box "
                                                              << to_string(grad) << " misses the difference quotient "
                                                              << to_string(q));
                ++checked_first;
            }
        }
        if (!smooth) continue;
        // second differences: (f(m+h) - 2 f(m) + f(m-h)) / h^2 = f''(xi) = 2 c_{2 e_axis}(xi)
        const SeriesLayout layout2(d, 2);
        SeriesEvaluator ev2(f, layout2, prec);
        const Series* s2 = nullptr;
        try {
            s2 = ev2.evaluate(box);
        } catch (const DomainError&) {
        }
        if (s2 == nullptr) continue;
        int k2 = -1;
        for (int k = 0; k < layout2.size(); ++k) {
            if (layout2.degree(k) == 2 && layout2.exponents(k)[static_cast<size_t>(axis)] == 2) k2 = k;
        }
        auto m = a;
        Interval mid(Precision(1024));
        add(mid, a[static_cast<size_t>(axis)], b[static_cast<size_t>(axis)]);
        mul_2si(mid, mid, -1);
        m[static_cast<size_t>(axis)] = mid;
        Interval fm(Precision(1024)), second(Precision(1024)), h2(Precision(1024)), c2(Precision(1024));
        fm = fine.evaluate(m);
        mul_2si(fm, fm, 1);
        add(second, fa, fb);
        sub(second, second, fm);
        mul_2si(h, h, -1);   // the half-step
        mul(h2, h, h);
        div(second, second, h2);
        mul_2si(c2, s2->c[static_cast<size_t>(k2)], 1);
        BOOST_CHECK_MESSAGE(overlaps(c2, second), "f = " << text << ": d2/dx" << axis + 1 << "^2 over the box " << to_string(c2)
                                                         << " misses the second difference " << to_string(second));
        ++checked_second;
    }
    BOOST_TEST_MESSAGE(checked_first << " first and " << checked_second << " second differences checked");
    BOOST_CHECK_GT(checked_first, rounds / 2);
    BOOST_CHECK_GT(checked_second, rounds / 10);
}

BOOST_AUTO_TEST_CASE(random_networks_enclose_their_exact_readouts) {
    const std::vector<test::Shape> shapes = {{1, 2, 4}, {1, 3, 3}, {2, 2, 3}, {2, 3, 2}, {3, 2, 2}};
    const int rounds = 30 * test::multiplier();
    int checked = 0;
    for (int r = 0; r < rounds; ++r) {
        for (const auto& s : shapes) {
            const Dyadic eta = Dyadic::power_of_two(-10);
            const CellValues v = test::random_values(s, eta);
            const bool sine = pick(2) == 0;
            const Dyadic S = Dyadic::power_of_two(8 + pick(16));
            const BuiltNetwork b = sine ? build_sin_relu(v, s.d, s.N, s.L, 16, S) : build_floor_relu(v, s.d, s.N, s.L, 16);
            const Precision prec(static_cast<long>(std::vector<long>{128, 256, 1024}[static_cast<size_t>(pick(3))]));
            IntervalForward box_pass(b.network, prec), point_pass(b.network, Precision(8192));
            const ExactForward exact(b.network);
            for (int k = 0; k < 4; ++k) {
                const auto box = random_box(s.d, prec);
                const std::vector<Interval> enclosure = box_pass.evaluate(box);
                for (int j = 0; j < 3; ++j) {
                    const auto x = random_point(box, Precision(256));
                    if (sine) {
                        const std::vector<Interval>& at = point_pass.evaluate(x);
                        for (size_t l = 0; l < at.size(); ++l) {
                            BOOST_CHECK_MESSAGE(overlaps(enclosure[l], at[l]), "sin-relu Phi_" << l << ": box " << to_string(enclosure[l])
                                                                                             << " misses " << to_string(at[l]));
                        }
                    } else {
                        std::vector<mpq_rational> q;
                        for (const auto& xi : x) {
                            mpq_rational qi;
                            mpfr_get_q(qi.backend().data(), xi.lower());   // x is a point: lower == upper
                            q.push_back(qi);
                        }
                        const auto phi = exact.readouts(q);
                        for (size_t l = 0; l < phi.size(); ++l) {
                            mpq_rational lo, hi;
                            mpfr_get_q(lo.backend().data(), enclosure[l].lower());
                            mpfr_get_q(hi.backend().data(), enclosure[l].upper());
                            BOOST_CHECK_MESSAGE(lo <= phi[l] && phi[l] <= hi, "floor-relu Phi_" << l << ": box "
                                                                                 << to_string(enclosure[l]) << " misses " << phi[l]);
                        }
                    }
                    ++checked;
                }
            }
        }
    }
    BOOST_TEST_MESSAGE(checked << " network points checked");
}
