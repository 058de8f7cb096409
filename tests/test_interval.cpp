#define BOOST_TEST_MODULE interval
#include <boost/test/unit_test.hpp>
#include <tbb/parallel_for.h>

#include "quadrature/errors.hpp"
#include "quadrature/interval.hpp"
#include "test_support.hpp"

using namespace lpcert;

BOOST_AUTO_TEST_CASE(one_third_is_bracketed_at_every_precision) {
    for (long bits : {2L, 3L, 10L, 53L, 64L, 200L, 1000L}) {
        Interval a(1, Precision(bits)), b(3, Precision(bits));
        Interval q{Precision(bits)};
        div(q, a, b);
        // 3 * lower < 1 < 3 * upper, checked exactly with rationals.
        mpq_t lo, hi, third;
        mpq_inits(lo, hi, third, nullptr);
        mpfr_get_q(lo, q.lower());
        mpfr_get_q(hi, q.upper());
        mpq_set_ui(third, 1, 3);
        BOOST_CHECK(mpq_cmp(lo, third) < 0);
        BOOST_CHECK(mpq_cmp(third, hi) < 0);
        mpq_clears(lo, hi, third, nullptr);
        BOOST_CHECK_EQUAL(q.precision().bits, bits);
    }
}

BOOST_AUTO_TEST_CASE(decimal_output_is_outward) {
    Interval a(1, Precision(128)), b(3, Precision(128)), q{Precision(128)};
    div(q, a, b);
    const std::string lo = decimal_down(q.lower(), 10), hi = decimal_up(q.upper(), 10);
    BOOST_CHECK_EQUAL(lo, "3.333333333e-1");
    BOOST_CHECK_EQUAL(hi, "3.333333334e-1");
    // Parsing the printed bounds back gives an enclosure of 1/3.
    const Interval back_lo = parse_decimal(lo, Precision(256)), back_hi = parse_decimal(hi, Precision(256));
    mpq_t third, l, h;
    mpq_inits(third, l, h, nullptr);
    mpq_set_ui(third, 1, 3);
    mpfr_get_q(l, back_lo.upper());
    mpfr_get_q(h, back_hi.lower());
    BOOST_CHECK(mpq_cmp(l, third) <= 0);
    BOOST_CHECK(mpq_cmp(third, h) <= 0);
    mpq_clears(third, l, h, nullptr);
    Interval neg_third{Precision(128)};
    neg(neg_third, q);
    BOOST_CHECK_EQUAL(decimal_down(neg_third.lower(), 5), "-3.3334e-1");
    BOOST_CHECK_EQUAL(decimal_up(neg_third.upper(), 5), "-3.3333e-1");
}

BOOST_AUTO_TEST_CASE(decimal_parsing_encloses_the_literal) {
    const Interval tenth = parse_decimal("0.1", Precision(64));
    BOOST_CHECK(!tenth.is_point());   // 1/10 is not binary
    mpq_t q, l, h;
    mpq_inits(q, l, h, nullptr);
    mpq_set_ui(q, 1, 10);
    mpfr_get_q(l, tenth.lower());
    mpfr_get_q(h, tenth.upper());
    BOOST_CHECK(mpq_cmp(l, q) < 0 && mpq_cmp(q, h) < 0);
    mpq_clears(q, l, h, nullptr);
    BOOST_CHECK(parse_decimal("0.5", Precision(64)).is_point());
    BOOST_CHECK_THROW(parse_decimal("0.1x", Precision(64)), InputError);
    BOOST_CHECK_THROW(parse_decimal("", Precision(64)), InputError);
    BOOST_CHECK_THROW(parse_decimal("1e", Precision(64)), InputError);
    BOOST_CHECK_THROW(parse_decimal("1e99999999999", Precision(64)), InputError);
}

BOOST_AUTO_TEST_CASE(three_way_predicates_answer_only_what_is_certain) {
    const Precision p(64);
    Interval a(p), b(p);
    mpfi_interv_si(a.raw(), 0, 2);
    mpfi_interv_si(b.raw(), 1, 3);
    BOOST_CHECK(!certainly_less(a, b));
    BOOST_CHECK(!certainly_less(b, a));
    BOOST_CHECK(possibly_less_equal(a, b) && possibly_less_equal(b, a));
    BOOST_CHECK(overlaps(a, b));
    mpfi_interv_si(b.raw(), 3, 4);
    BOOST_CHECK(certainly_less(a, b));
    BOOST_CHECK(!overlaps(a, b));
}

BOOST_AUTO_TEST_CASE(even_powers_are_tight_and_domains_are_enforced) {
    const Precision p(64);
    Interval a(p), r(p);
    mpfi_interv_si(a.raw(), -1, 2);
    pow_int(r, a, 2);
    BOOST_CHECK_EQUAL(mpfr_sgn(r.lower()), 0);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(r.upper(), 4), 0);
    pow_int(r, a, 3);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(r.lower(), -1), 0);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(r.upper(), 8), 0);
    BOOST_CHECK_THROW(log(r, a), DomainError);
    BOOST_CHECK_THROW(sqrt(r, a), DomainError);
    BOOST_CHECK_THROW(div(r, r, a), DomainError);
    BOOST_CHECK_THROW(pow_int(r, a, -2), DomainError);
    Interval half(p);
    mpfi_set_si(half.raw(), 1);
    mpfi_div_2ui(half.raw(), half.raw(), 1);
    BOOST_CHECK_THROW(pow_real(r, a, half), DomainError);
    Interval around_pole(p);
    mpfi_interv_si(around_pole.raw(), 1, 2);   // pi/2 is inside
    BOOST_CHECK_THROW(tan(r, around_pole), DomainError);
}

BOOST_AUTO_TEST_CASE(floor_min_max_enclose) {
    const Precision p(64);
    Interval a(p), b(p), r(p);
    mpfi_interv_si(a.raw(), -3, 5);
    mpfi_div_si(a.raw(), a.raw(), 2);   // [-1.5, 2.5]
    floor(r, a);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(r.lower(), -2), 0);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(r.upper(), 2), 0);
    mpfi_interv_si(b.raw(), 0, 1);
    min(r, a, b);
    BOOST_CHECK_EQUAL(mpfr_cmp_si_2exp(r.lower(), -3, -1), 0);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(r.upper(), 1), 0);
    max(r, a, b);
    BOOST_CHECK_EQUAL(mpfr_cmp_si(r.lower(), 0), 0);
}

BOOST_AUTO_TEST_CASE(values_made_in_tbb_workers_keep_their_precision) {
    // Boost's default precision is global state; lpcert never reads it, so precision must be
    // exactly what each construction asked for, whatever thread made the value.
    boost::multiprecision::mpfi_float::default_precision(20);
    std::vector<long> seen(64, 0);
    tbb::parallel_for(0, 64, [&](int k) {
        const long bits = 40 + k;
        Interval a(1, Precision(bits)), b(3, Precision(bits)), q{Precision(bits)};
        div(q, a, b);
        seen[static_cast<size_t>(k)] = q.precision().bits;
    });
    for (int k = 0; k < 64; ++k) BOOST_CHECK_EQUAL(seen[static_cast<size_t>(k)], 40 + k);
}

BOOST_AUTO_TEST_CASE(trigonometry_of_huge_or_wide_arguments_is_the_whole_range) {
    // Found by fuzzing (tests/fuzz/regressions/fuzz_expression/sin_of_a_huge_constant): MPFI's
    // reduction of a 2^70000 argument takes far too long; [-1, 1] is returned directly instead.
    const Precision prec(128);
    Interval huge(prec), wide(prec), out(prec);
    mpfi_set_si(huge.raw(), 1);
    mpfi_mul_2si(huge.raw(), huge.raw(), 70000);
    mpfi_interv_si(wide.raw(), 0, 8);
    for (const Interval* a : {&huge, &wide}) {
        sin(out, *a);
        BOOST_CHECK(mpfr_cmp_si(out.lower(), -1) == 0 && mpfr_cmp_si(out.upper(), 1) == 0);
        cos(out, *a);
        BOOST_CHECK(mpfr_cmp_si(out.lower(), -1) == 0 && mpfr_cmp_si(out.upper(), 1) == 0);
        BOOST_CHECK_THROW(tan(out, *a), DomainError);
    }
    // a narrow argument below the threshold is still reduced: sin(2^20) to full precision
    Interval moderate(prec);
    mpfi_set_si(moderate.raw(), 1);
    mpfi_mul_2si(moderate.raw(), moderate.raw(), 20);
    sin(out, moderate);
    BOOST_CHECK(overlaps(out, test::ref("0.3304931400217347", 40)));
    BOOST_CHECK(mpfr_cmp_si(out.upper(), 1) < 0 && mpfr_cmp_d(out.upper(), 0.34) < 0);   // reduced, not [-1, 1]
}

BOOST_AUTO_TEST_CASE(trigonometry_of_arguments_with_tiny_ends_is_fast_and_true) {
    // Found by fuzzing (tests/fuzz/regressions/fuzz_expression/tan_of_an_argument_with_a_tiny_end):
    // MPFI's cos of [-2^-1000000000, 1/2] decides a quadrant at a billion bits. The tiny end is
    // moved outward to -2^-(prec+64) instead; the results still contain the true ranges.
    const Precision prec(128);
    Interval a(prec), out(prec);
    mpfr_set_si_2exp(&a.raw()->left, -1, -1000000000, MPFR_RNDD);
    mpfr_set_si_2exp(&a.raw()->right, 1, -1, MPFR_RNDU);
    sin(out, a);   // sin over the box: [sin(-tiny), sin(1/2)]
    BOOST_CHECK(mpfr_sgn(out.lower()) < 0 && overlaps(out, test::ref("0.479425538604203000273", 60)));
    cos(out, a);   // [cos(1/2), 1]
    BOOST_CHECK(mpfr_cmp_si(out.upper(), 1) == 0 && overlaps(out, test::ref("0.877582561890372716116", 60)));
    tan(out, a);
    BOOST_CHECK(overlaps(out, test::ref("0.546302489843790513255", 60)));
}

BOOST_AUTO_TEST_CASE(add_product_agrees_bit_for_bit_with_mpfi) {
    // acc += a * b by the series kernel against MPFI's mul then add, over every sign class of
    // both factors (ends at 0 included), mixed precisions, and infinite ends (MPFI's path)
    auto& g = test::rng();
    const long precisions[] = {24, 53, 64, 128, 200};
    auto random_end = [&](mpfr_ptr x) {
        switch (g() % 8) {
            case 0: mpfr_set_zero(x, (g() % 2) ? 1 : -1); return;
            case 1: mpfr_set_inf(x, (g() % 2) ? 1 : -1); return;
            default: {
                const long m = static_cast<long>(g() % 2000001) - 1000000;   // -10^6..10^6, scaled
                mpfr_set_si_2exp(x, m, static_cast<long>(g() % 41) - 30, MPFR_RNDN);
                mpfr_mul_ui(x, x, static_cast<unsigned long>(g() % 997 + 3), MPFR_RNDN);   // inexact at low precision
            }
        }
    };
    auto random_interval = [&](Precision prec) {
        Interval r(prec);
        random_end(&r.raw()->left);
        random_end(&r.raw()->right);
        if (mpfr_greater_p(r.lower(), r.upper())) mpfr_swap(&r.raw()->left, &r.raw()->right);
        if (mpfr_inf_p(r.lower()) && mpfr_inf_p(r.upper()) && mpfr_sgn(r.lower()) == mpfr_sgn(r.upper()))
            mpfr_set_zero(&r.raw()->left, 1);   // not [inf, inf]
        return r;
    };
    auto same = [](mpfr_srcptr x, mpfr_srcptr y) { return (mpfr_nan_p(x) && mpfr_nan_p(y)) || mpfr_equal_p(x, y); };
    int compared = 0, mismatches = 0;
    for (int iter = 0; iter < 20000 * test::multiplier(); ++iter) {
        const Precision pa(precisions[g() % 5]), pb(precisions[g() % 5]), pacc(precisions[g() % 5]), ps(precisions[g() % 5]);
        const Interval a = random_interval(pa), b = random_interval(pb), acc0 = random_interval(pacc);
        Interval fast = acc0, scratch(ps);
        add_product(fast, a, b, scratch);
        Interval plain = acc0, product(ps);
        mul(product, a, b);
        add(plain, plain, product);
        ++compared;
        if (!same(fast.lower(), plain.lower()) || !same(fast.upper(), plain.upper())) {
            if (++mismatches <= 5)
                BOOST_ERROR("add_product " << to_string(fast) << " != mpfi " << to_string(plain) << " for a = "
                                           << to_string(a) << ", b = " << to_string(b));
        }
    }
    BOOST_CHECK_EQUAL(mismatches, 0);
    BOOST_CHECK_EQUAL(compared, 20000 * test::multiplier());
}
