#pragma once
// Exact rational helpers of the test suites' independent references (GMP's mpq_class): plane
// points and affine functions, factorials, random dyadics, and the bridge to intervals.

#include <gmpxx.h>

#include <random>

#include "quadrature/dyadic.hpp"
#include "quadrature/interval.hpp"

namespace lpcert::test {

struct Point {
    mpq_class x, y;
};

// The affine function a0 + a1 x + a2 y.
struct Affine {
    mpq_class a0, a1, a2;
    mpq_class operator()(const Point& q) const { return a0 + a1 * q.x + a2 * q.y; }
};

inline mpq_class factorial(int n) {
    mpq_class f = 1;
    for (int i = 2; i <= n; ++i) f *= i;
    return f;
}

// A random dyadic m 2^-e with |m| < 2^bits.
inline mpq_class random_dyadic(std::mt19937_64& g, int bits, int e) {
    std::uniform_int_distribution<long> m(-(1L << bits) + 1, (1L << bits) - 1);
    mpq_class out(m(g));
    out /= mpq_class(mpz_class(1) << e);
    return out;
}

// q enclosed at prec (exact when q is a dyadic that fits)
inline Interval exact_interval(const mpq_class& q, Precision prec) {
    Interval out(prec);
    mpfi_set_q(out.raw(), q.get_mpq_t());
    return out;
}

// x^e exactly (e >= 0)
inline mpq_class power(const mpq_class& x, int e) {
    mpq_class out = 1;
    for (int i = 0; i < e; ++i) out *= x;
    return out;
}

// q as a Dyadic; q must be m / 2^e (the tests' random points are)
inline Dyadic to_dyadic(const mpq_class& q) {
    mpz_class den = q.get_den();
    long e = 0;
    while (den > 1) {
        den /= 2;
        ++e;
    }
    return Dyadic(boost::multiprecision::mpz_int(q.get_num().get_mpz_t()), -e);
}

inline bool contains_rational(const Interval& x, const mpq_class& q) {
    return mpfr_cmp_q(x.lower(), q.get_mpq_t()) <= 0 && mpfr_cmp_q(x.upper(), q.get_mpq_t()) >= 0;
}

}  // namespace lpcert::test
