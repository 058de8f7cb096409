#define BOOST_TEST_MODULE gauss_legendre
// Gauss-Legendre quadrature with its rigorous error bound (quadrature/gauss_legendre.hpp) against
// independent references: the rule's moments against int_{-1}^{1} x^k = 2/(k+1) in exact
// rationals, and integrals against closed-form antiderivatives (exp, sin, the arctangent of a
// rational function with poles near the interval, exp(-x) cos 7x, polynomials in exact
// rationals), at 2..200 bits on random dyadic intervals.
#include <boost/test/unit_test.hpp>
#include <gmpxx.h>

#include <random>
#include <string>

#include "quadrature/gauss_legendre.hpp"
#include "quadrature/integration.hpp"
#include "quadrature/real.hpp"
#include "rational_reference.hpp"
#include "test_support.hpp"

using namespace lpcert;
using namespace lpcert::test;

BOOST_AUTO_TEST_CASE(the_rules_integrate_polynomials_of_degree_below_2n) {
    // sum_j w_j x_j^k must contain int_{-1}^{1} x^k exactly, for k = 0 .. 2n - 1
    for (long bits : {2L, 8L, 24L, 53L, 128L, 200L}) {
        for (int n : {8, 12, 16, 24, 32, 48, 64}) {
            const GaussLegendreRule* rule = gauss_legendre_rule(n, Precision(bits));
            if (rule == nullptr) {
                BOOST_CHECK_MESSAGE(bits < 53, "no rule for n = " << n << " at " << bits << " bits");
                continue;
            }
            BOOST_REQUIRE_EQUAL(static_cast<int>(rule->nodes.size()), n);
            for (int k = 0; k < 2 * n; ++k) {
                const Precision p(bits);
                Interval sum(p), term(p);
                for (int j = 0; j < n; ++j) {
                    pow_int(term, rule->nodes[static_cast<size_t>(j)], k);
                    mul(term, term, rule->weights[static_cast<size_t>(j)]);
                    add(sum, sum, term);
                }
                const mpq_class exact = k % 2 ? mpq_class(0) : mpq_class(2, k + 1);
                BOOST_CHECK_MESSAGE(contains_rational(sum, exact), "n = " << n << ", " << bits << " bits, x^" << k << ": "
                                                                          << to_string(sum) << " misses " << exact.get_d());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(integrals_against_closed_forms) {
    int enclosed = 0, cases = 0, enclosed_53 = 0, cases_53 = 0;   // the last two: at 53 bits and more
    for_each_case(400, [&](unsigned case_seed) {
        std::mt19937_64 g(case_seed);
        const long precisions[] = {2, 3, 8, 24, 53, 64, 100, 128, 200};
        const long bits = precisions[g() % 9];
        mpq_class a = random_dyadic(g, 8, 6), b = random_dyadic(g, 8, 6);
        if (a == b) return;
        if (b < a) std::swap(a, b);
        const int kind = static_cast<int>(g() % 6);
        const long c = 1 + static_cast<long>(g() % 12);
        const char* tols[] = {"1e-3", "1e-8", "1e-15", "1e-30"};
        const std::string tol = tols[g() % 4];
        std::string text;
        switch (kind) {
            case 0: text = "exp(" + std::to_string(c) + "*x1)"; break;
            case 1: text = "sin(" + std::to_string(c) + "*x1)"; break;
            case 2: text = "1/(1 + " + std::to_string(c * c) + "*x1^2)"; break;   // poles at +-i/c
            case 3: text = "exp(-x1)*cos(7*x1)"; break;
            case 4: text = "(sin(" + std::to_string(c) + "*x1) - 3/10)^2"; break;
            default: text = "x1^7 - " + std::to_string(c) + "*x1^2 + 1/3"; break;
        }
        const Precision ref(400);
        Interval A = exact_interval(a, ref), B = exact_interval(b, ref), exact(ref), t(ref), u(ref);
        switch (kind) {
            case 0: exact = scaled_difference([](Interval& o, const Interval& x) { exp(o, x); }, A, B, c); break;
            case 1: exact = scaled_difference([](Interval& o, const Interval& x) { cos(o, x); }, B, A, c); break;   // (cos ca - cos cb) / c
            case 2: exact = scaled_difference([](Interval& o, const Interval& x) { atan(o, x); }, A, B, c); break;
            case 3: {   // F(x) = e^{-x} (7 sin 7x - cos 7x) / 50
                auto F = [&](Interval& out, const Interval& x) {
                    Interval s(ref), co(ref), e(ref), x7(ref);
                    mul_si(x7, x, 7);
                    sin_cos(s, co, x7);
                    mul_si(s, s, 7);
                    sub(s, s, co);
                    neg(e, x);
                    exp(e, e);
                    mul(out, e, s);
                    mpfi_div_si(out.raw(), out.raw(), 50);
                };
                F(t, B);
                F(u, A);
                sub(exact, t, u);
                break;
            }
            case 4: {   // sin^2 = (1 - cos 2cx)/2: int = (b - a)(1/2 + 9/100) - (sin 2cb - sin 2ca)/(4c) + (3/5)(cos cb - cos ca)/c
                Interval s1(ref), s2(ref), c1(ref), c2(ref);
                mul_si(t, B, 2 * c); sin(s1, t);
                mul_si(t, A, 2 * c); sin(s2, t);
                mul_si(t, B, c); cos(c1, t);
                mul_si(t, A, c); cos(c2, t);
                sub(exact, B, A);
                mul(exact, exact, exact_interval(mpq_class(59, 100), ref));
                sub(t, s1, s2); mpfi_div_si(t.raw(), t.raw(), 4 * c); sub(exact, exact, t);
                sub(t, c1, c2); mul(t, t, exact_interval(mpq_class(3, 5), ref)); mpfi_div_si(t.raw(), t.raw(), c); add(exact, exact, t);
                break;
            }
            default: {
                auto P = [&](const mpq_class& x) -> mpq_class { return power(x, 8) / 8 - mpq_class(c) * power(x, 3) / 3 + x / 3; };
                exact = exact_interval(P(b) - P(a), ref);
                break;
            }
        }
        ++cases;
        if (bits >= 53 && certainly_positive(exact)) ++cases_53;   // (a negative integral meets its goal only through the floor)
        const auto result = gauss_legendre_integral(Expression::parse(text), to_dyadic(a), to_dyadic(b), {}, tol, "1e-40",
                                                    Precision(bits), StopToken());
        if (!result) return;   // allowed (too little precision for the goal, budget): the caller falls back
        ++enclosed;
        if (bits >= 53 && certainly_positive(exact)) ++enclosed_53;
        BOOST_CHECK_MESSAGE(contains(result->value, exact), text << " on [" << a.get_d() << ", " << b.get_d() << "], " << bits
                                                                  << " bits, tol " << tol << ": " << to_string(result->value, 25)
                                                                  << " misses " << to_string(exact, 25)
                                                                  << "; LPCERT_CASE_SEED=" << case_seed);
        // the contract (enclose_integral's): width <= tol * max(lower end, floor)
        Real w(Precision(64)), limit(Precision(64));
        width_up(w.raw(), result->value);
        mpfr_set(limit.raw(), result->value.lower(), MPFR_RNDU);
        const Interval tol_i = parse_decimal(tol, Precision(64));
        mpfr_mul(limit.raw(), limit.raw(), tol_i.upper(), MPFR_RNDU);
        mpfr_max(limit.raw(), limit.raw(), parse_decimal("1e-40", Precision(64)).upper(), MPFR_RNDU);
        BOOST_CHECK_MESSAGE(mpfr_lessequal_p(w.raw(), limit.raw()), text << ": width above the goal; LPCERT_CASE_SEED=" << case_seed);
    });
    BOOST_TEST_MESSAGE(enclosed << " of " << cases << " enclosed; " << enclosed_53 << " of " << cases_53 << " positive ones at 53 bits and more");
    BOOST_CHECK_GT(enclosed_53, cases_53 / 2);   // most cases are in reach there: the path is exercised
}

BOOST_AUTO_TEST_CASE(operations_without_a_holomorphic_continuation_are_left_to_the_taylor_forms) {
    for (const char* text : {"abs(x1 - 1/3)", "floor(3*x1)", "max(x1, 1/2)", "x1^(5/2)", "log(1 + x1)", "sqrt(1 + x1)", "tanh(x1)"}) {
        const Expression f = Expression::parse(text);
        BOOST_CHECK(!gauss_legendre_applies(f));
        BOOST_CHECK(!gauss_legendre_integral(f, Dyadic(0), Dyadic(1), {}, "1e-6", "0", Precision(128), StopToken()));
    }
    // a negative integral with floor 0: the contract's goal is 0 (the Taylor forms cannot meet it either)
    BOOST_CHECK(!gauss_legendre_integral(Expression::parse("-exp(x1)"), Dyadic(0), Dyadic(1), {}, "1e-6", "0", Precision(128), StopToken()));
    // with a floor it converges, and contains 1 - e
    const auto negative = gauss_legendre_integral(Expression::parse("-exp(x1)"), Dyadic(0), Dyadic(1), {}, "1e-6", "1", Precision(128), StopToken());
    BOOST_REQUIRE(negative);
    Interval one_minus_e(Precision(400));
    set_e(one_minus_e);
    mpfi_si_sub(one_minus_e.raw(), 1, one_minus_e.raw());
    BOOST_CHECK(contains(negative->value, one_minus_e));
    // negative powers and compositions: x^-3 on [1/2, 2] = (4 - 1/4)/2
    const auto inverse_cube = gauss_legendre_integral(Expression::parse("x1^-3 + exp(sin(x1)) - exp(sin(x1))"), Dyadic(1, -1), Dyadic(2), {}, "1e-20", "0",
                                                      Precision(128), StopToken());
    BOOST_REQUIRE(inverse_cube);
    BOOST_CHECK(contains_rational(inverse_cube->value, mpq_class(15, 8)));
    // a huge power: (2^1000001 - 1) / 1000001, if an answer comes at all
    const auto huge = gauss_legendre_integral(Expression::parse("(1 + x1)^1000000"), Dyadic(0), Dyadic(1), {}, "1e-6", "0", Precision(128),
                                              StopToken(), 100);
    if (huge) {
        Interval exact(Precision(400));
        mpfi_set_si(exact.raw(), 1);
        mul_2si(exact, exact, 1000001);
        add_si(exact, exact, -1);
        mpfi_div_si(exact.raw(), exact.raw(), 1000001);
        BOOST_CHECK(contains(huge->value, exact));
    }
    // a pole on the interval: no bound from any rectangle, and the Taylor forms say why
    BOOST_CHECK(!gauss_legendre_integral(Expression::parse("1/(x1 - 1/3)"), Dyadic(0), Dyadic(1), {}, "1e-6", "0", Precision(128),
                                         StopToken(), 50));
    // through enclose_integral: the 1-D path returns the same contract as the Taylor forms
    IntegrationOptions opt;
    opt.relative_tolerance = "1e-20";
    const IntegralEnclosure e = enclose_integral(Expression::parse("exp(x1)"), {Piece{Box::unit_cube(1), 0}}, {}, opt, Precision(128));
    Interval exact(Precision(400));
    set_e(exact);
    add_si(exact, exact, -1);
    BOOST_CHECK(contains(e.value, exact));
    BOOST_CHECK(e.status == IntegrationStatus::Converged);
    BOOST_CHECK_LE(e.boxes, 4);
}

BOOST_AUTO_TEST_CASE(the_magnitude_bound_holds_at_points_of_the_rectangle) {
    // |g(z)| at points z = x + iy of the rectangle from identities the evaluator does not use:
    // |e^(cz)| = e^(cx), |sin w|^2 = sin^2 u + sinh^2 v, |cos w|^2 = cos^2 u + sinh^2 v (w = u + iv),
    // |z^3| = |z|^3, |1/(1 + z^2)| = 1/|1 + z^2|
    for_each_case(200, [&](unsigned case_seed) {
        std::mt19937_64 g(case_seed);
        const long bits = 2 + static_cast<long>(g() % 150);
        const long c = 1 + static_cast<long>(g() % 6);
        const int kind = static_cast<int>(g() % 5);
        const char* texts[] = {"exp(C*x1)", "sin(C*x1)", "cos(C*x1)", "x1^3", "1/(1 + x1^2)"};
        std::string text = texts[kind];
        if (text.find('C') != std::string::npos) text.replace(text.find('C'), 1, std::to_string(c));
        mpq_class x0 = random_dyadic(g, 6, 4), x1 = random_dyadic(g, 6, 4), y0 = random_dyadic(g, 6, 5), y1 = random_dyadic(g, 6, 5);
        if (x1 < x0) std::swap(x0, x1);
        if (y1 < y0) std::swap(y0, y1);
        const Precision ref(300);
        Interval re = hull(exact_interval(x0, ref), exact_interval(x1, ref)), im = hull(exact_interval(y0, ref), exact_interval(y1, ref));
        Real M{Precision(bits)};
        if (!lpcert::holomorphic_magnitude_bound(M.raw(), Expression::parse(text), re, im, {}, Precision(bits))) {
            BOOST_CHECK_MESSAGE(kind == 4 || bits < 8, text << ": no bound; LPCERT_CASE_SEED=" << case_seed);   // a pole may be near
            return;
        }
        for (int k = 0; k < 9; ++k) {
            const mpq_class x = x0 + (x1 - x0) * (k % 3) / 2, y = y0 + (y1 - y0) * (k / 3) / 2;
            Interval X = exact_interval(x, ref), Y = exact_interval(y, ref), mag2(ref), t(ref), u(ref);
            switch (kind) {
                case 0: mul_si(t, X, c); exp(t, t); sqr(mag2, t); break;
                case 1: case 2:
                    mul_si(t, X, c); mul_si(u, Y, c);
                    if (kind == 1) sin(t, t); else cos(t, t);
                    sqr(t, t);
                    mpfi_sinh(u.raw(), u.raw());
                    sqr(u, u);
                    add(mag2, t, u);
                    break;
                case 3: sqr(t, X); sqr(u, Y); add(t, t, u); pow_int(mag2, t, 3); break;
                default: {   // 1 + z^2 = (1 + x^2 - y^2) + i 2xy
                    sqr(t, X); sqr(u, Y); sub(t, t, u); add_si(t, t, 1); sqr(t, t);
                    mul(u, X, Y); mul_si(u, u, 2); sqr(u, u);
                    add(t, t, u);
                    mpfi_si_div(mag2.raw(), 1, t.raw());
                    break;
                }
            }
            Real M2(ref);
            mpfr_sqr(M2.raw(), M.raw(), MPFR_RNDU);
            BOOST_CHECK_MESSAGE(mpfr_cmp(M2.raw(), mag2.lower()) >= 0, text << " at " << x.get_d() << " + i " << y.get_d() << ", "
                                                                            << bits << " bits: M^2 = " << mpfr_get_d(M2.raw(), MPFR_RNDU)
                                                                            << " below " << mpfr_get_d(mag2.lower(), MPFR_RNDD)
                                                                            << "; LPCERT_CASE_SEED=" << case_seed);
        }
    });
}

BOOST_AUTO_TEST_CASE(the_magnitude_bound_near_a_pole) {
    // 1/(1 + z^2) on [-1/4, 1/4] x [1/2, 7/8]: the pole i lies just above; at 7i/8 the value is
    // 1/(1 - 49/64) = 64/15
    const Precision p(128);
    Interval re(p), im(p);
    mpfi_interv_d(re.raw(), -0.25, 0.25);
    mpfi_interv_d(im.raw(), 0.5, 0.875);
    Real M{p};
    BOOST_REQUIRE(holomorphic_magnitude_bound(M.raw(), Expression::parse("1/(1 + x1^2)"), re, im, {}, p));
    BOOST_CHECK(mpfr_cmp_d(M.raw(), 64.0 / 15.0) >= 0);
    // a rectangle holding the pole has no bound
    mpfi_interv_d(im.raw(), 0.5, 1.5);
    BOOST_CHECK(!holomorphic_magnitude_bound(M.raw(), Expression::parse("1/(1 + x1^2)"), re, im, {}, p));
}

BOOST_AUTO_TEST_CASE(exact_polynomial_integrals_are_contained) {
    // a dyadic polynomial evaluates exactly at the node points p_j; the exact rational integral
    // must be inside at every precision. (The term for |g(x_j) - g(p_j)| is about 2^-8 of the
    // weights' own rounding here, so dropping it is not visible: it is there for the proof.)
    int enclosed = 0;
    for_each_case(200, [&](unsigned case_seed) {
        std::mt19937_64 g(case_seed);
        const long precisions[] = {24, 53, 64, 128, 200, 300};
        const long bits = precisions[g() % 6];
        mpq_class a = random_dyadic(g, 8, 6), b = random_dyadic(g, 8, 6);
        if (a == b) return;
        if (b < a) std::swap(a, b);
        const long c = 1 + static_cast<long>(g() % 9);
        const std::string text = "x1^9 - " + std::to_string(c) + "*x1^4 + 5";
        auto P = [&](const mpq_class& x) -> mpq_class { return power(x, 10) / 10 - mpq_class(c) * power(x, 5) / 5 + 5 * x; };
        const auto r = gauss_legendre_integral(Expression::parse(text), to_dyadic(a), to_dyadic(b), {}, "1e-12", "1e-30", Precision(bits),
                                               StopToken());
        if (!r) return;
        ++enclosed;
        BOOST_CHECK_MESSAGE(contains_rational(r->value, P(b) - P(a)), text << " on [" << a.get_d() << ", " << b.get_d() << "] at " << bits
                                                                            << " bits: " << to_string(r->value, 30)
                                                                            << "; LPCERT_CASE_SEED=" << case_seed);
    });
    BOOST_CHECK_GT(enclosed, 100);
}
