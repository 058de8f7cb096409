#define BOOST_TEST_MODULE modulus
#include <boost/test/unit_test.hpp>

#include "quadrature/lipschitz.hpp"
#include "quadrature/modulus.hpp"
#include "test_support.hpp"

using namespace lpcert;

namespace {

Interval modulus_lb(const std::string& f, int d, const std::string& p, long num, long den) {
    mpq_t delta;
    mpq_init(delta);
    mpq_set_si(delta, num, static_cast<unsigned long>(den));
    const auto r = certify_modulus_lower_bound(Expression::parse(f), d, Exponent::parse(p), delta, ModulusOptions(),
                                               Precision(128));
    mpq_clear(delta);
    return r.norm_at_best;
}

// lower <= truth (certified) and lower >= 0.9 truth (useful)
void check_near_below(const Interval& enclosure, const Interval& truth) {
    BOOST_CHECK_MESSAGE(certainly_less_equal(Interval(enclosure.precision()), truth), "");
    mpfr_t lb;
    mpfr_init2(lb, 128);
    mpfr_set(lb, enclosure.lower(), MPFR_RNDD);
    BOOST_CHECK_MESSAGE(mpfr_lessequal_p(lb, truth.upper()), "lower bound " << decimal_down(lb) << " above the truth "
                                                                            << to_string(truth));
    Interval ninety{Precision(128)};
    mpfi_mul_si(ninety.raw(), truth.raw(), 9);
    mpfi_div_si(ninety.raw(), ninety.raw(), 10);
    BOOST_CHECK_MESSAGE(mpfr_greaterequal_p(lb, ninety.upper()), "lower bound " << decimal_down(lb) << " is loose");
    mpfr_clear(lb);
}

}  // namespace

BOOST_AUTO_TEST_CASE(linear_function_has_the_known_modulus) {
    // f = x1: omega(delta)_p = delta (1 - delta)^(1/p) (shift along e1).
    check_near_below(modulus_lb("x1", 1, "2", 1, 4), test::ref("0.2165063509461096616909307926882340458895"));
    check_near_below(modulus_lb("x1", 1, "1", 1, 8), test::ref("0.109375"));
    check_near_below(modulus_lb("x1", 2, "2", 1, 4), test::ref("0.2165063509461096616909307926882340458895"));
}

BOOST_AUTO_TEST_CASE(unit_step_has_modulus_delta_to_the_one_over_p) {
    check_near_below(modulus_lb("floor(x1 + 0.7)", 1, "1", 1, 4), test::ref("0.25"));
    check_near_below(modulus_lb("floor(x1 + 0.7)", 1, "2", 1, 16), test::ref("0.25"));
    // in d = 2 a jump across x2 = 0.3 and a short delta: the difference lives on a slab of width
    // |h2| <= 1/256, which the ranking's sample points must see (a tensor grid would miss it)
    check_near_below(modulus_lb("floor(x2 + 0.7)", 2, "2", 1, 256), test::ref("0.0625"));
    // and in d = 3 (the slab is resolved by cutting along x2 only: BoxIntegrator::split_axis;
    // bisecting every side in turn needed ~10^6 boxes and gave 0)
    check_near_below(modulus_lb("floor(x2 + 0.7)", 3, "2", 1, 64), test::ref("0.125"));
}

BOOST_AUTO_TEST_CASE(short_shifts_are_found_for_oscillatory_functions) {
    // sin(2 pi x1 / delta) with delta = 1/8: the shift delta gives ~0, delta/2 gives the modulus
    // ||sin(y + pi) - sin(y)||_2 over most of [0,1] ~ 2 * sqrt(1/2) * sqrt(1 - delta/2).
    const Interval lb = modulus_lb("sin(16*pi*x1)", 1, "2", 1, 8);
    BOOST_CHECK(mpfr_cmp_si_2exp(lb.lower(), 13, -4) > 0);   // > 1.3
}

BOOST_AUTO_TEST_CASE(lipschitz_bounds_contain_the_constant) {
    const auto sine = bound_lipschitz_constant(Expression::parse("sin(2*pi*x1)"), 1, "1e-3", 5000, Precision(128));
    BOOST_REQUIRE(sine);
    const Interval two_pi = test::ref("6.283185307179586476925286766559005768394");
    BOOST_CHECK(mpfr_greaterequal_p(sine->bound.upper(), two_pi.upper()));
    BOOST_CHECK(mpfr_cmp_si(sine->bound.upper(), 7) < 0);
    const auto kink = bound_lipschitz_constant(Expression::parse("abs(x1 - 0.3) + 0.5*x2"), 2, "1e-3", 5000, Precision(128));
    BOOST_REQUIRE(kink);
    BOOST_CHECK(mpfr_greaterequal_p(kink->bound.upper(), test::ref("1.118033988749894848204586834365638117720").upper()));
    BOOST_CHECK(!bound_lipschitz_constant(Expression::parse("floor(x1 + 0.7)"), 1, "1e-3", 5000, Precision(128)));
}

BOOST_AUTO_TEST_CASE(a_recorded_search_answers_only_its_own_question) {
    const Expression f = Expression::parse("x1");
    const Exponent p = Exponent::parse("2");
    boost::multiprecision::mpq_rational quarter(1, 4), eighth(1, 8);
    const ModulusOptions o;
    const ModulusSearch s(f, 1, p, quarter.backend().data(), o, Precision(128));
    BOOST_CHECK(s.answers(f, 1, p, quarter.backend().data(), o, Precision(128)));
    // the recorded answer is the search's own (same shift, same enclosure)
    const ModulusLowerBound again = certify_modulus_lower_bound(f, 1, p, quarter.backend().data(), o, Precision(128), &s);
    BOOST_CHECK(mpfr_equal_p(again.norm_at_best.lower(), s.result().norm_at_best.lower()));
    // any difference in the question means a new search
    BOOST_CHECK(!s.answers(f, 1, p, eighth.backend().data(), o, Precision(128)));
    BOOST_CHECK(!s.answers(f, 2, p, quarter.backend().data(), o, Precision(128)));
    BOOST_CHECK(!s.answers(Expression::parse("x1^2"), 1, p, quarter.backend().data(), o, Precision(128)));
    BOOST_CHECK(!s.answers(f, 1, Exponent::parse("1"), quarter.backend().data(), o, Precision(128)));
    BOOST_CHECK(!s.answers(f, 1, p, quarter.backend().data(), o, Precision(192)));
    ModulusOptions finer = o;
    finer.integration.relative_tolerance = "1e-3";
    BOOST_CHECK(!s.answers(f, 1, p, quarter.backend().data(), finer, Precision(128)));
    ModulusOptions wider = o;
    wider.grid = 16;
    BOOST_CHECK(!s.answers(f, 1, p, quarter.backend().data(), wider, Precision(128)));
    const ModulusLowerBound fresh = certify_modulus_lower_bound(f, 1, p, eighth.backend().data(), o, Precision(128), &s);
    check_near_below(fresh.norm_at_best, test::ref("0.1169267933366856682994921478848921656799"));   // (1/8) (7/8)^(1/2)
}

BOOST_AUTO_TEST_CASE(a_sign_definite_difference_is_bounded_through_its_signed_integral) {
    // f = exp(x1), p = 1, delta = 1/64: ||f(.+h) - f||_1 = (e^h - 1)(e^(1-h) - 1), largest at
    // h = delta. |f(x+h) - f(x)| is not smooth where the difference's enclosure reaches 0 (boxes
    // wider than about h), so with 40 boxes its quadrature falls back to order 0 and stays
    // near 0; the signed integral (Hoelder: ||g||_p >= |int g| vol^(1/p - 1)) is smooth and tight.
    const Expression f = Expression::parse("exp(x1)");
    boost::multiprecision::mpq_rational delta(1, 64);
    ModulusOptions o;
    o.integration.max_boxes = 40;
    const auto r = certify_modulus_lower_bound(f, 1, Exponent::parse("1"), delta.backend().data(), o, Precision(128));
    check_near_below(r.norm_at_best, test::ref("0.02639534497788268155236212922425645743453"));
}
