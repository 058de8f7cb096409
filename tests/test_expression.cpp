#define BOOST_TEST_MODULE expression
#include <boost/test/unit_test.hpp>

#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/evaluation.hpp"
#include "quadrature/taylor_series.hpp"
#include "test_support.hpp"

using namespace lpcert;

namespace {

Interval eval_at(const std::string& text, std::vector<long> x_numerators, long denominator = 1, long bits = 128) {
    const Expression e = Expression::parse(text);
    IntervalEvaluator ev(e, Precision(bits));
    std::vector<Interval> box;
    for (long n : x_numerators) {
        Interval v(n, Precision(bits));
        mpfi_div_si(v.raw(), v.raw(), denominator);
        box.push_back(v);
    }
    return ev.evaluate(box);
}

std::string error_of(const std::string& text) {
    try {
        Expression::parse(text);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

const std::vector<std::pair<std::string, int>> kSamples = {
    {"x1", 1},
    {"sin(2*pi*x1)*cos(3*x2) - 0.1", 2},
    {"exp(-4*((x1-0.5)^2 + (x2-0.5)^2))", 2},
    {"abs(x1 - 0.3)^0.5 + sqrt(x2)", 2},
    {"log(x1) / (1 + x2^2)", 2},
    {"tanh(3*x1 - 1) + atan(x2 - x3)", 3},
    {"tan(x1) - x1^-2", 1},
    {"min(x1, 1 - x1) * max(x2, x3)", 3},
    {"floor(5*x1)/5 + x2", 2},
    {"x1^x2", 2},
    {"(x1 + x2 + x3 + x4)^3 - 2^-3", 4},
    {"e^x1 - exp(x1)", 1},
};

}  // namespace

BOOST_AUTO_TEST_CASE(precedence_and_associativity) {
    BOOST_CHECK_EQUAL(mpfr_cmp_si(eval_at("-x1^2", {3}).lower(), -9), 0);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(eval_at("2^3^2", {}).lower(), 512), 0);
    BOOST_CHECK_EQUAL(mpfr_cmp_si_2exp(eval_at("2^-1", {}).lower(), 1, -1), 0);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(eval_at("1-2-3", {}).lower(), -4), 0);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(eval_at("8/4/2", {}).lower(), 1), 0);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(eval_at("2*-3", {}).lower(), -6), 0);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(eval_at(" ( x1 +x2 ) * x3 ", {1, 2, 3}).lower(), 9), 0);
    // 0.1 * 10 encloses 1 tightly: literals are exact rationals enclosed outward.
    const Interval one = eval_at("0.1*10", {});
    BOOST_CHECK(contains_point(one, Interval(1, Precision(64)).lower()));
    BOOST_CHECK(!one.is_point() || mpfr_cmp_si(one.lower(), 1) == 0);
    BOOST_CHECK_EQUAL(Expression::parse("x3 + x1").variables_used(), 3);
}

BOOST_AUTO_TEST_CASE(errors_name_the_position) {
    BOOST_CHECK_EQUAL(error_of("sin(x1"), "expected ')' at column 7 in 'sin(x1'");
    BOOST_CHECK(error_of("x1 + foo").find("unknown identifier 'foo' at column 6") == 0);
    BOOST_CHECK(error_of("x1 +").find("at column 5") != std::string::npos);
    BOOST_CHECK(error_of("x1 $ 2").find("unexpected '$' at column 4") == 0);
    BOOST_CHECK(error_of("min(x1)").find("function 'min' takes 2 arguments at column 1") == 0);
    BOOST_CHECK(error_of("sin").find("needs an argument list") != std::string::npos);
    BOOST_CHECK(error_of("x0").find("unknown identifier 'x0'") == 0);
    BOOST_CHECK(error_of("").find("ends too early") != std::string::npos);
    BOOST_CHECK(error_of(std::string(300, '(') + "x1" + std::string(300, ')')).find("nested too deeply") != std::string::npos);
    BOOST_CHECK(error_of("1e2000000").find("exponent out of range") != std::string::npos);
    BOOST_CHECK(error_of("x1 + 1e10001").find("exponent out of range") != std::string::npos);
    BOOST_CHECK(error_of("x1 * 1e-10000").empty());
    // exact constant folding refuses what would not fit (this one would need 2^36 words)
    BOOST_CHECK(error_of("x1^(((7^4096)^4096)^4096)").find("constant too large at column") == 0);
    BOOST_CHECK(error_of("x1^((3^4096)^41/(3^4096)^41)").find("constant too large") == 0);
    BOOST_CHECK(error_of("x1^((3^4096)^40/(3^4096)^40)").empty());   // = x1^1
    BOOST_CHECK_THROW(Expression::parse("x3").require_dimension(2), InputError);
}

BOOST_AUTO_TEST_CASE(box_enclosures_contain_point_values) {
    auto& g = test::rng();
    std::uniform_real_distribution<double> unit(0.05, 0.95);   // test inputs only, made exact below
    const long precisions[] = {24, 53, 100, 200};
    int checked = 0;
    for (int iter = 0; iter < 40 * test::multiplier(); ++iter) {
        for (const auto& [text, d] : kSamples) {
            const Expression e = Expression::parse(text);
            const Precision prec(precisions[g() % 4]);
            std::vector<Interval> box;
            std::vector<std::pair<long, long>> ends;
            for (int i = 0; i < d; ++i) {
                // ends k/4096 exactly
                long a = 205 + static_cast<long>(g() % 3000), w = 1 + static_cast<long>(g() % 600);
                Interval s(prec);
                mpfi_interv_si(s.raw(), a, a + w);
                mpfi_div_2ui(s.raw(), s.raw(), 12);
                box.push_back(s);
                ends.emplace_back(a, w);
            }
            IntervalEvaluator ev(e, prec);
            Interval enclosure(prec);
            try {
                enclosure = ev.evaluate(box);
            } catch (const DomainError&) {
                continue;   // tan near a pole, etc.: a refusal is not a wrong answer
            }
            PointEvaluator pe(e, Precision(300));
            for (int k = 0; k < 5; ++k) {
                std::vector<Real> x;
                for (int i = 0; i < d; ++i) {
                    Real xi(Precision(300));
                    // a random interior point a + w * u, u in (0, 1) with 30 random bits
                    const long u = 1 + static_cast<long>(g() % ((1L << 30) - 1));
                    mpfr_set_si(xi.raw(), ends[static_cast<size_t>(i)].second * u, MPFR_RNDN);
                    mpfr_div_2ui(xi.raw(), xi.raw(), 30, MPFR_RNDN);
                    mpfr_add_si(xi.raw(), xi.raw(), ends[static_cast<size_t>(i)].first, MPFR_RNDN);
                    mpfr_div_2ui(xi.raw(), xi.raw(), 12, MPFR_RNDN);
                    x.push_back(xi);
                }
                const Real& v = pe.evaluate(x);
                if (mpfr_nan_p(v.raw())) continue;
                BOOST_CHECK_MESSAGE(contains_point(enclosure, v.raw()),
                                    text << " at prec " << prec.bits << ": " << to_string(enclosure) << " misses "
                                         << decimal_down(v.raw()));
                ++checked;
            }
        }
    }
    BOOST_CHECK_GT(checked, 1000);
}

BOOST_AUTO_TEST_CASE(derivative_enclosures_contain_finite_differences) {
    // Central differences at 600 bits with step 2^-100 approximate f' and f''/2 to ~2^-190,
    // far inside any enclosure width at 100 bits.
    auto& g = test::rng();
    const Precision hp(600);
    int checked = 0;
    for (int iter = 0; iter < 10 * test::multiplier(); ++iter) {
        for (const auto& [text, d] : kSamples) {
            const Expression e = Expression::parse(text);
            const SeriesLayout layout(d, 2);
            SeriesEvaluator se(e, layout, Precision(100));
            std::vector<Interval> box;
            std::vector<long> lo;
            for (int i = 0; i < d; ++i) {
                const long a = 205 + static_cast<long>(g() % 3000);
                Interval s{Precision(100)};
                mpfi_interv_si(s.raw(), a, a + 64);
                mpfi_div_2ui(s.raw(), s.raw(), 12);
                box.push_back(s);
                lo.push_back(a);
            }
            const Series* series = nullptr;
            try {
                series = se.evaluate(box);
            } catch (const DomainError&) {
                continue;
            }
            if (series == nullptr) continue;   // not twice differentiable on this box
            PointEvaluator pe(e, hp);
            std::vector<Real> x;
            for (int i = 0; i < d; ++i) {
                Real xi(hp);
                mpfr_set_si(xi.raw(), lo[static_cast<size_t>(i)] * 1024 + 1 + static_cast<long>(g() % 65534), MPFR_RNDN);
                mpfr_div_2ui(xi.raw(), xi.raw(), 22, MPFR_RNDN);
                x.push_back(xi);
            }
            Real f0 = pe.evaluate(x);
            for (int i = 0; i < d; ++i) {
                auto xp = x, xm = x;
                mpfr_t h;
                mpfr_init2(h, 600);
                mpfr_set_ui_2exp(h, 1, -100, MPFR_RNDN);
                mpfr_add(xp[static_cast<size_t>(i)].raw(), xp[static_cast<size_t>(i)].raw(), h, MPFR_RNDN);
                mpfr_sub(xm[static_cast<size_t>(i)].raw(), xm[static_cast<size_t>(i)].raw(), h, MPFR_RNDN);
                Real fp = pe.evaluate(xp), fm = pe.evaluate(xm);
                Real d1(hp), d2(hp);
                mpfr_sub(d1.raw(), fp.raw(), fm.raw(), MPFR_RNDN);
                mpfr_div_2si(d1.raw(), d1.raw(), -100 + 1, MPFR_RNDN);   // / (2h)
                mpfr_add(d2.raw(), fp.raw(), fm.raw(), MPFR_RNDN);
                mpfr_sub(d2.raw(), d2.raw(), f0.raw(), MPFR_RNDN);
                mpfr_sub(d2.raw(), d2.raw(), f0.raw(), MPFR_RNDN);
                mpfr_div_2si(d2.raw(), d2.raw(), -200 + 1, MPFR_RNDN);   // / (2 h^2): coefficient f''/2
                mpfr_clear(h);
                const int gi = layout.variable_index(i);
                BOOST_CHECK_MESSAGE(contains_point(series->c[static_cast<size_t>(gi)], d1.raw()),
                                    text << ": d/dx" << i + 1 << " " << to_string(series->c[static_cast<size_t>(gi)])
                                         << " misses " << decimal_down(d1.raw()));
                // the coefficient of u_i^2
                for (int k = 0; k < layout.size(); ++k) {
                    if (layout.degree(k) == 2 && layout.exponents(k)[static_cast<size_t>(i)] == 2) {
                        BOOST_CHECK_MESSAGE(contains_point(series->c[static_cast<size_t>(k)], d2.raw()),
                                            text << ": d2/dx" << i + 1 << "^2 / 2 misses");
                    }
                }
                ++checked;
            }
        }
    }
    BOOST_CHECK_GT(checked, 50);
}

BOOST_AUTO_TEST_CASE(undefined_functions_are_reported_with_the_box) {
    const Expression e = Expression::parse("log(x1)");
    IntervalEvaluator ev(e, Precision(64));
    std::vector<Interval> box{Interval(Precision(64))};
    mpfi_interv_si(box[0].raw(), 0, 1);
    try {
        ev.evaluate(box);
        BOOST_ERROR("log on [0,1] was not refused");
    } catch (const DomainError& err) {
        const std::string m = err.what();
        BOOST_CHECK(m.find("'log(x1)'") != std::string::npos);
        BOOST_CHECK(m.find("x1 in [0, 1]") != std::string::npos);
    }
    const Expression pole = Expression::parse("1/(x1-0.5)");
    IntervalEvaluator ev2(pole, Precision(64));
    BOOST_CHECK_THROW(ev2.evaluate(box), DomainError);
}

BOOST_AUTO_TEST_CASE(every_catalog_function_parses_in_its_dimensions) {
    for (const auto& entry : catalog()) {
        for (int d = entry.min_dimension; d <= std::min(entry.max_dimension, 4); ++d) {
            const Expression e = Expression::parse(entry.expression(d));
            BOOST_CHECK_NO_THROW(e.require_dimension(d));
        }
    }
}

BOOST_AUTO_TEST_CASE(decimal_constants_are_exact_rationals_with_their_sign) {
    struct Case { std::string text; long num, den; };
    for (const auto& c : std::vector<Case>{{"0.1", 1, 10}, {"-2.5", -5, 2}, {"+3e-2", 3, 100}, {"-12e1", -120, 1}, {"0", 0, 1}}) {
        const RationalConstant r(c.text);
        mpq_t want;
        mpq_init(want);
        mpq_set_si(want, c.num, static_cast<unsigned long>(c.den));
        mpq_canonicalize(want);
        BOOST_CHECK_MESSAGE(mpq_equal(r.value(), want) != 0, c.text);
        mpq_clear(want);
    }
    BOOST_CHECK_THROW(RationalConstant("1e999999999"), InputError);   // 10^(10^9) is never materialised
}
