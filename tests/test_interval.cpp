#define BOOST_TEST_MODULE interval
#include <boost/test/unit_test.hpp>
#include <tbb/parallel_for.h>

#include <boost/multiprecision/mpfr.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "quadrature/errors.hpp"
#include "quadrature/interval.hpp"
#include "quadrature/real.hpp"
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
        bool fast_threw = false, plain_threw = false;
        try {
            add_product(fast, a, b, scratch);
        } catch (const DomainError&) {
            fast_threw = true;   // an unbounded or NaN result (interval.hpp's contract)
        }
        Interval plain = acc0, product(ps);
        try {
            mul(product, a, b);
            add(plain, plain, product);
        } catch (const DomainError&) {
            plain_threw = true;
        }
        ++compared;
        if (fast_threw != plain_threw) {
            if (++mismatches <= 5) BOOST_ERROR("add_product and mpfi disagree on an unbounded result for a = " << to_string(a) << ", b = " << to_string(b));
            continue;
        }
        if (fast_threw) continue;
        if (!same(fast.lower(), plain.lower()) || !same(fast.upper(), plain.upper())) {
            if (++mismatches <= 5)
                BOOST_ERROR("add_product " << to_string(fast) << " != mpfi " << to_string(plain) << " for a = "
                                           << to_string(a) << ", b = " << to_string(b));
        }
    }
    BOOST_CHECK_EQUAL(mismatches, 0);
    BOOST_CHECK_EQUAL(compared, 20000 * test::multiplier());
}

// ---- issue 13 -------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(arithmetic_that_overflows_throws_instead_of_returning_inf) {
    // interval.hpp: "any operation whose result is unbounded or NaN throws DomainError". Found
    // missing in add/sub/mul (issue 13, defect B): they returned [.., +inf].
    const Precision p(64);
    Interval big(p), r(p);
    mpfr_set_ui_2exp(&big.raw()->left, 1, mpfr_get_emax() - 1, MPFR_RNDD);
    mpfr_set_ui_2exp(&big.raw()->right, 1, mpfr_get_emax() - 1, MPFR_RNDU);
    BOOST_CHECK_THROW(add(r, big, big), DomainError);
    BOOST_CHECK_THROW(mul(r, big, big), DomainError);
    Interval minus_big(p);
    neg(minus_big, big);
    BOOST_CHECK_THROW(sub(r, big, minus_big), DomainError);
    BOOST_CHECK_THROW(sqr(r, big), DomainError);
    BOOST_CHECK_THROW(mul_si(r, big, 4), DomainError);
    BOOST_CHECK_THROW(mul_2si(r, big, 2), DomainError);
    Interval scratch(p), acc(p);
    BOOST_CHECK_THROW(add_product(acc, big, big, scratch), DomainError);
    // and ordinary values are untouched
    Interval two(2, p);
    add(r, two, two);
    BOOST_CHECK(r.is_point() && mpfr_cmp_si(r.lower(), 4) == 0);
}

BOOST_AUTO_TEST_CASE(real_power_with_a_non_dyadic_positive_exponent_at_a_base_reaching_0) {
    // issue 13, defect A: y = 11/10 is enclosed by an interval of positive width; x^y over
    // x in [0, 1/2] is [0, (1/2)^(11/10)] and must not be refused as "an exponent that may be <= 0".
    for (long bits : {2L, 3L, 24L, 64L, 256L}) {
        const Precision p(bits);
        const Interval y = parse_decimal("1.1", p);
        BOOST_REQUIRE(!y.is_point());
        Interval x(p), r(p);
        mpfi_interv_si(x.raw(), 0, 1);
        mpfi_div_2ui(x.raw(), x.raw(), 1);
        BOOST_REQUIRE_NO_THROW(pow_real(r, x, y));
        BOOST_CHECK(mpfr_zero_p(r.lower()));
        // (1/2)^(11/10) = 2^(-11/10): check upper >= it with an independent 512-bit MPFI value
        Interval e(Precision(512)), ref(Precision(512));
        mpfi_set_si(e.raw(), -11);
        mpfi_div_si(e.raw(), e.raw(), 10);
        mpfi_exp2(ref.raw(), e.raw());
        BOOST_CHECK_MESSAGE(mpfr_lessequal_p(ref.upper(), r.upper()), "bits " << bits << ": " << to_string(r));
    }
}

namespace {

// Copies, assignments and moves in one place; returns the precisions they ended with.
std::vector<long> copy_precisions(const Interval& src128, const Interval& src300) {
    std::vector<long> out;
    Interval copied(src128);                       // copy: the source's precision
    out.push_back(copied.precision().bits);
    Interval dest{Precision(40)};
    dest = src300;                                 // assignment: the source's precision, exact
    out.push_back(dest.precision().bits);
    out.push_back(mpfr_equal_p(dest.lower(), src300.lower()) && mpfr_equal_p(dest.upper(), src300.upper()) ? 1 : 0);
    Interval moved(std::move(copied));             // move: the source's precision
    out.push_back(moved.precision().bits);
    Interval target{Precision(17)};
    target = std::move(dest);                      // move assignment: the source's precision
    out.push_back(target.precision().bits);
    std::vector<Interval> v;
    for (int i = 0; i < 40; ++i) v.push_back(i % 2 ? src128 : src300);   // growth moves elements
    for (size_t i = 0; i < v.size(); ++i) out.push_back(v[i].precision().bits);
    return out;
}

std::vector<long> expected_precisions() {
    std::vector<long> want{128, 300, 1, 128, 300};
    for (int i = 0; i < 40; ++i) want.push_back(i % 2 ? 128 : 300);
    return want;
}

}  // namespace

BOOST_AUTO_TEST_CASE(copies_assignments_and_moves_keep_the_documented_precision_in_tbb_workers) {
    // interval.hpp: copies, assignments and moves give an exact copy at the SOURCE's precision,
    // whatever the thread's Boost default precision (issue 13, defect C). Each worker first uses
    // mpfi_float/mpfr_float with another default precision, as other code in the process may.
    Interval third128{Precision(128)}, third300{Precision(300)};
    for (Interval* t : {&third128, &third300}) {
        Interval one(1, t->precision()), three(3, t->precision());
        div(*t, one, three);
    }
    const auto want = expected_precisions();
    BOOST_CHECK(copy_precisions(third128, third300) == want);
    std::vector<std::vector<long>> seen(64);
    tbb::parallel_for(0, 64, [&](int k) {
        boost::multiprecision::mpfi_float::default_precision(static_cast<unsigned>(5 + k));
        boost::multiprecision::mpfr_float::default_precision(static_cast<unsigned>(7 + k));
        boost::multiprecision::mpfi_float warm = 1;
        warm /= 3;
        boost::multiprecision::mpfr_float warm_r = 2;
        warm_r = sqrt(warm_r);
        seen[static_cast<size_t>(k)] = copy_precisions(third128, third300);
    });
    for (int k = 0; k < 64; ++k) BOOST_CHECK_MESSAGE(seen[static_cast<size_t>(k)] == want, "worker item " << k);
    boost::multiprecision::mpfi_float::default_precision(50);
    boost::multiprecision::mpfr_float::default_precision(50);
}

BOOST_AUTO_TEST_CASE(a_moved_from_interval_is_a_valid_interval) {
    // interval.hpp: after a move construction the source holds 0 at its precision. Boost's
    // default move left it without storage (using it was undefined behaviour).
    Interval a(5, Precision(96));
    Interval b(std::move(a));
    BOOST_CHECK_EQUAL(b.precision().bits, 96);
    BOOST_REQUIRE_MESSAGE(a.raw()->left._mpfr_d != nullptr && a.raw()->left._mpfr_d != b.raw()->left._mpfr_d,
                          "the moved-from interval has no storage of its own");
    BOOST_CHECK(a.is_point() && mpfr_zero_p(a.lower()));
    mpfi_set_si(a.raw(), 3);
    BOOST_CHECK(mpfr_cmp_si(b.lower(), 5) == 0 && mpfr_cmp_si(a.lower(), 3) == 0);
}

BOOST_AUTO_TEST_CASE(round_into_keeps_the_destination_precision_outward) {
    Interval third(Precision(300)), one(1, Precision(300)), three(3, Precision(300));
    div(third, one, three);
    Interval coarse{Precision(8)};
    round_into(coarse, third);
    BOOST_CHECK_EQUAL(coarse.precision().bits, 8);
    BOOST_CHECK(contains(coarse, third) && !coarse.is_point());
}

BOOST_AUTO_TEST_CASE(sin_and_cos_contain_the_values_and_extrema_of_every_argument) {
    // The narrow path (one mpfr_sin_cos per end, monotonicity from the other function's signs)
    // against two independent references: MPFI's quadrant-based sin and cos of the whole argument
    // at the same precision (our result must lie inside theirs: never looser), and, at 600 bits,
    // MPFI's values at the ends and at 14 interior points, plus +-1 wherever the argument
    // certainly contains a multiple of pi/2 where sin or cos has an extremum. Arguments cluster
    // around multiples of pi/2 (extrema and zeros at the ends, inside, just outside), include
    // points, exact 0, widths up to 3.5 (above the narrow path's 3, MPFI's path) and 2..300 bits.
    const Precision ref_prec(600);
    Interval pi_ref(ref_prec);
    mpfi_const_pi(pi_ref.raw());
    test::for_each_case(3000, [&](unsigned case_seed) {
        BOOST_TEST_CONTEXT("LPCERT_CASE_SEED=" << case_seed) {
            std::mt19937_64 g(case_seed);
            const long bits = 2 + static_cast<long>(g() % 299);
            const Precision prec(bits);
            // centre: k pi/2 (rounded to `bits`) plus a small offset, or exact 0, or random
            Real centre{Precision(bits)};
            const long k = static_cast<long>(g() % 25) - 12;
            switch (g() % 4) {
                case 0: mpfr_set_zero(centre.raw(), 1); break;
                case 1: mpfr_set_d(centre.raw(), std::ldexp(static_cast<double>(g() % 4096) - 2048.0, -7), MPFR_RNDN); break;
                default: {
                    mpfr_const_pi(centre.raw(), MPFR_RNDN);
                    mpfr_mul_si(centre.raw(), centre.raw(), k, MPFR_RNDN);
                    mpfr_div_2ui(centre.raw(), centre.raw(), 1, MPFR_RNDN);
                    const int e = -static_cast<int>(g() % 70);
                    Real off{Precision(bits)};
                    mpfr_set_si_2exp(off.raw(), static_cast<long>(g() % 5) - 2, e, MPFR_RNDN);
                    mpfr_add(centre.raw(), centre.raw(), off.raw(), MPFR_RNDN);
                }
            }
            Interval a(prec);
            const int wsel = static_cast<int>(g() % 5);
            if (wsel == 0) {
                mpfi_set_fr(a.raw(), centre.raw());   // a point (may be widened by rounding)
            } else {
                const double width = wsel == 4 ? std::ldexp(static_cast<double>(1 + g() % 7), -1)   // 0.5 .. 3.5
                                               : std::ldexp(1.0, -static_cast<int>(g() % 60));
                Real lo{Precision(bits)}, hi{Precision(bits)};
                mpfr_sub_d(lo.raw(), centre.raw(), width * static_cast<double>(g() % 3) / 2.0, MPFR_RNDD);
                mpfr_add_d(hi.raw(), centre.raw(), width, MPFR_RNDU);
                mpfi_interv_fr(a.raw(), lo.raw(), hi.raw());
            }
            BOOST_TEST_CONTEXT("bits " << bits << ", argument " << decimal_down(a.lower(), 20) << " .. " << decimal_up(a.upper(), 20)) {
                Interval s(prec), c(prec), s_alone(prec), c_alone(prec), s_mpfi(prec), c_mpfi(prec);
                sin_cos(s, c, a);
                sin(s_alone, a);
                cos(c_alone, a);
                mpfi_sin(s_mpfi.raw(), a.raw());
                mpfi_cos(c_mpfi.raw(), a.raw());
                BOOST_TEST(contains(s_mpfi, s));
                BOOST_TEST(contains(c_mpfi, c));
                BOOST_TEST((mpfi_is_inside(s_alone.raw(), s.raw()) > 0 && mpfi_is_inside(s.raw(), s_alone.raw()) > 0));
                BOOST_TEST((mpfi_is_inside(c_alone.raw(), c.raw()) > 0 && mpfi_is_inside(c.raw(), c_alone.raw()) > 0));
                // values at sample points, enclosed by MPFI at 600 bits
                Interval x(ref_prec), v(ref_prec), t(ref_prec);
                for (int j = 0; j <= 15; ++j) {
                    // x = lo + (hi - lo) j / 15, exactly enough: any point of [lo, hi] will do, so x is
                    // clamped to it
                    mpfi_set_fr(t.raw(), a.lower());
                    mpfi_interv_fr(x.raw(), a.lower(), a.upper());
                    mpfi_sub(x.raw(), x.raw(), t.raw());
                    mpfi_mul_si(x.raw(), x.raw(), j);
                    mpfi_div_si(x.raw(), x.raw(), 15);
                    mpfi_add(x.raw(), x.raw(), t.raw());
                    Real point(ref_prec);
                    mpfi_mid(point.raw(), x.raw());
                    if (mpfr_less_p(point.raw(), a.lower())) mpfr_set(point.raw(), a.lower(), MPFR_RNDN);
                    if (mpfr_greater_p(point.raw(), a.upper())) mpfr_set(point.raw(), a.upper(), MPFR_RNDN);
                    mpfi_set_fr(t.raw(), point.raw());
                    mpfi_sin(v.raw(), t.raw());
                    BOOST_TEST(contains(s, v), "sin at sample " << j);
                    mpfi_cos(v.raw(), t.raw());
                    BOOST_TEST(contains(c, v), "cos at sample " << j);
                }
                // extrema: m pi/2 certainly inside the argument
                for (long m = -40; m <= 40; ++m) {
                    mpfi_mul_si(t.raw(), pi_ref.raw(), m);
                    mpfi_div_2ui(t.raw(), t.raw(), 1);
                    if (!(mpfr_cmp(a.lower(), &t.raw()->left) <= 0 && mpfr_cmp(&t.raw()->right, a.upper()) <= 0)) continue;
                    const long r = ((m % 4) + 4) % 4;   // sin: 0, 1, 0, -1; cos: 1, 0, -1, 0
                    if (r == 1) BOOST_TEST(mpfr_cmp_si(s.upper(), 1) >= 0);
                    if (r == 3) BOOST_TEST(mpfr_cmp_si(s.lower(), -1) <= 0);
                    if (r == 0) BOOST_TEST(mpfr_cmp_si(c.upper(), 1) >= 0);
                    if (r == 2) BOOST_TEST(mpfr_cmp_si(c.lower(), -1) <= 0);
                }
            }
        }
    });
}

BOOST_AUTO_TEST_CASE(exp_of_a_point_is_mpfi_s_enclosure_bit_for_bit) {
    // one correctly rounded call and its neighbour against MPFI's two directed calls: the same two
    // numbers, for points at 2..300 bits and output precisions from 2 bits (exact at 0, overflow
    // refused as before)
    std::mt19937_64 g(test::seed());
    int checked = 0;
    for (int c = 0; c < 3000 * test::multiplier(); ++c) {
        const long in_bits = 2 + static_cast<long>(g() % 299), out_bits = 2 + static_cast<long>(g() % 299);
        Interval a{Precision(in_bits)};
        const double mantissa = std::ldexp(static_cast<double>(g() % (1UL << 52)), -52) * ((g() & 1) ? 1 : -1);
        const long exponent = static_cast<long>(g() % 24) - 12;
        mpfr_set_d(&a.raw()->left, std::ldexp(mantissa, static_cast<int>(exponent)), MPFR_RNDN);
        mpfr_set(&a.raw()->right, a.lower(), MPFR_RNDN);
        if (c % 100 == 0) mpfi_set_si(a.raw(), 0);
        Interval ours{Precision(out_bits)}, reference{Precision(out_bits)};
        lpcert::exp(ours, a);
        mpfi_exp(reference.raw(), a.raw());
        BOOST_CHECK_MESSAGE(mpfr_equal_p(ours.lower(), reference.lower()) && mpfr_equal_p(ours.upper(), reference.upper()),
                            "exp at " << to_string(a, 30) << " (" << out_bits << " bits): " << to_string(ours, 30) << " against MPFI "
                                      << to_string(reference, 30));
        // aliasing: out is the argument
        Interval b = a;
        lpcert::exp(b, b);
        BOOST_CHECK(contains(b, reference) || contains(reference, b));
        ++checked;
    }
    Interval huge(Precision(64));
    mpfi_set_si(huge.raw(), 1);
    mpfr_mul_2si(&huge.raw()->left, huge.lower(), 40, MPFR_RNDN);
    mpfr_mul_2si(&huge.raw()->right, huge.upper(), 40, MPFR_RNDN);
    Interval out(Precision(64));
    BOOST_CHECK_THROW(lpcert::exp(out, huge), DomainError);
    BOOST_TEST_MESSAGE(checked << " points");
}
