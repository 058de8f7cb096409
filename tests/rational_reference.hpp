#pragma once
// Exact rational helpers of the test suites' independent references (GMP's mpq_class): plane
// points and affine functions, factorials, random dyadics, and the bridge to intervals.

#include <gmpxx.h>

#include <random>
#include <vector>

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

// Polynomials with exact rational coefficients (c[i] of x^i): references for integrals of
// piecewise-polynomial integrands.
using Polynomial = std::vector<mpq_class>;

inline Polynomial times(const Polynomial& p, const Polynomial& q) {
    Polynomial out(p.size() + q.size() - 1, mpq_class(0));
    for (size_t i = 0; i < p.size(); ++i)
        for (size_t j = 0; j < q.size(); ++j) out[i + j] += p[i] * q[j];
    return out;
}

// p + factor q
inline Polynomial plus(Polynomial p, const Polynomial& q, const mpq_class& factor) {
    if (p.size() < q.size()) p.resize(q.size(), mpq_class(0));
    for (size_t i = 0; i < q.size(); ++i) p[i] += factor * q[i];
    return p;
}

inline Polynomial power(const Polynomial& p, int n) {
    Polynomial out{mpq_class(1)};
    for (int i = 0; i < n; ++i) out = times(out, p);
    return out;
}

inline mpq_class evaluate(const Polynomial& p, const mpq_class& x) {
    mpq_class out = 0;
    for (size_t i = p.size(); i-- > 0;) out = out * x + p[i];
    return out;
}

// int_lo^hi p exactly
inline mpq_class integrate(const Polynomial& p, const mpq_class& lo, const mpq_class& hi) {
    Polynomial antiderivative(p.size() + 1, mpq_class(0));
    for (size_t i = 0; i < p.size(); ++i) antiderivative[i + 1] = p[i] / mpq_class(static_cast<long>(i + 1));
    return evaluate(antiderivative, hi) - evaluate(antiderivative, lo);
}

inline bool contains_rational(const Interval& x, const mpq_class& q) {
    return mpfr_cmp_q(x.lower(), q.get_mpq_t()) <= 0 && mpfr_cmp_q(x.upper(), q.get_mpq_t()) >= 0;
}

}  // namespace lpcert::test
