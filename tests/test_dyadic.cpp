#define BOOST_TEST_MODULE dyadic
#include <boost/test/unit_test.hpp>

#include "quadrature/dyadic.hpp"
#include "quadrature/errors.hpp"
#include "test_support.hpp"

using namespace lpcert;
using boost::multiprecision::mpz_int;

BOOST_AUTO_TEST_CASE(text_round_trip_is_exact_and_canonical) {
    BOOST_CHECK_EQUAL(Dyadic::parse("12").to_string(), "3*2^2");
    BOOST_CHECK_EQUAL(Dyadic::parse("3*2^-5").to_string(), "3*2^-5");
    BOOST_CHECK_EQUAL(Dyadic::parse("-6*2^-5").to_string(), "-3*2^-4");
    BOOST_CHECK_EQUAL(Dyadic::parse("0*2^7").to_string(), "0");
    BOOST_CHECK_EQUAL(Dyadic::parse("7").to_string(), "7");
    auto& g = test::rng();
    for (int k = 0; k < 200 * test::multiplier(); ++k) {
        mpz_int m = static_cast<long>(g() % 2000001) - 1000000;
        m = m * (mpz_int(1) << static_cast<unsigned>(g() % 300)) + 1;
        const long e = static_cast<long>(g() % 2001) - 1000;
        const Dyadic x(m, e);
        BOOST_CHECK(Dyadic::parse(x.to_string()) == x);
    }
}

BOOST_AUTO_TEST_CASE(malformed_text_is_rejected_with_the_option_name) {
    for (const char* bad : {"", "1.5", "2^3", "3*2^", "3*3^2", "x", "3*2^1.5", "--3", "3 * 2^2"}) {
        try {
            Dyadic::parse(bad, "--eta");
            BOOST_ERROR("accepted '" << bad << "'");
        } catch (const InputError& e) {
            BOOST_CHECK(std::string(e.what()).find("--eta") == 0);
        }
    }
    BOOST_CHECK_THROW(Dyadic::parse("1*2^99999999999999"), InputError);
}

BOOST_AUTO_TEST_CASE(arithmetic_is_exact) {
    const Dyadic a = Dyadic::parse("3*2^-4"), b = Dyadic::parse("5*2^10");
    BOOST_CHECK((a + b) == Dyadic(mpz_int(3) + (mpz_int(5) << 14), -4));
    BOOST_CHECK((a * b) == Dyadic::parse("15*2^6"));
    BOOST_CHECK((b - b).is_zero());
    BOOST_CHECK(a < b && !(b < a));
    BOOST_CHECK(Dyadic::parse("-3*2^-1").floor() == -2);
    BOOST_CHECK(Dyadic::parse("7*2^-1").floor() == 3);
}

BOOST_AUTO_TEST_CASE(interval_conversion_is_exact_or_outward) {
    const Dyadic big((mpz_int(1) << 400) + 1, -400);   // 1 + 2^-400
    const Interval wide = big.to_interval(Precision(64));
    BOOST_CHECK(!wide.is_point());
    mpq_t q, l, h;
    mpq_inits(q, l, h, nullptr);
    big.to_mpq(q);
    mpfr_get_q(l, wide.lower());
    mpfr_get_q(h, wide.upper());
    BOOST_CHECK(mpq_cmp(l, q) < 0 && mpq_cmp(q, h) < 0);
    mpq_clears(q, l, h, nullptr);
    BOOST_CHECK(big.to_interval(Precision(512)).is_point());
}
