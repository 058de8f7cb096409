#define BOOST_TEST_MODULE zero_set_plane
// The p = 1 crossing form about the zero set's plane (zero_set_plane.hpp) box by box, against
// exact rational integrals: h = (x_d - s(x')) m(x) with a polynomial s whose range over the box
// lies inside the box's x_d side (so the zero set is the graph of s across the box) and a
// polynomial m > 0, for which
//     int_B |h| = int_{B'} [ int_c^e (t - s) m dt - 2 int_c^s (t - s) m dt ] dx'
// (t = x_d in [c, e]), a polynomial identity integrated exactly. Planar zero sets (s affine)
// with h curved along the normal, curved ones (s quadratic or cubic), d = 1, 2, 3, at 2..300 bits.
#include <boost/test/unit_test.hpp>
#include <gmpxx.h>

#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "quadrature/box.hpp"
#include "quadrature/crossing_enclosure.hpp"
#include "quadrature/dyadic.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/taylor_series.hpp"
#include "quadrature/zero_set_plane.hpp"
#include "rational_reference.hpp"
#include "test_support.hpp"

using namespace lpcert;
using namespace lpcert::test;

namespace {

// A polynomial in up to 4 variables with rational coefficients, by exponent vector.
using Exp = std::vector<int>;
using Poly = std::map<Exp, mpq_class>;
constexpr int kVars = 4;

Poly constant(const mpq_class& c) { return c == 0 ? Poly{} : Poly{{Exp(kVars, 0), c}}; }
Poly variable(int v) {
    Exp e(kVars, 0);
    e[static_cast<size_t>(v)] = 1;
    return Poly{{e, mpq_class(1)}};
}
Poly operator+(Poly p, const Poly& q) {
    for (const auto& [e, c] : q) p[e] += c;
    return p;
}
Poly operator*(const mpq_class& c, const Poly& p) {
    Poly out;
    for (const auto& [e, v] : p) out[e] = c * v;
    return out;
}
Poly operator-(const Poly& p, const Poly& q) { return p + mpq_class(-1) * q; }
Poly operator*(const Poly& p, const Poly& q) {
    Poly out;
    for (const auto& [e1, c1] : p)
        for (const auto& [e2, c2] : q) {
            Exp e(kVars);
            for (int i = 0; i < kVars; ++i) e[static_cast<size_t>(i)] = e1[static_cast<size_t>(i)] + e2[static_cast<size_t>(i)];
            out[e] += c1 * c2;
        }
    return out;
}
// the antiderivative in variable v vanishing at 0
Poly antiderivative(const Poly& p, int v) {
    Poly out;
    for (const auto& [key, c] : p) {
        Exp e = key;
        const int n = ++e[static_cast<size_t>(v)];
        out[e] += c / n;
    }
    return out;
}
// variable v replaced by the polynomial q (which does not contain v)
Poly substitute(const Poly& p, int v, const Poly& q) {
    Poly out;
    for (const auto& [key, c] : p) {
        Exp e = key;
        const int n = e[static_cast<size_t>(v)];
        e[static_cast<size_t>(v)] = 0;
        Poly term{{e, c}};
        for (int j = 0; j < n; ++j) term = term * q;
        out = out + term;
    }
    return out;
}
// the integral over the box prod [lo_i, hi_i] of the first `count` variables (the others absent)
mpq_class integrate_box(const Poly& p, const std::vector<mpq_class>& lo, const std::vector<mpq_class>& hi) {
    mpq_class total = 0;
    for (const auto& [e, c] : p) {
        mpq_class term = c;
        for (size_t i = 0; i < lo.size(); ++i) term *= (power(hi[i], e[i] + 1) - power(lo[i], e[i] + 1)) / (e[i] + 1);
        total += term;
    }
    return total;
}
// the polynomial as expression text in x1..x4, its sum balanced (the parser limits nesting)
std::string sum_text(const std::vector<std::string>& terms, size_t lo, size_t hi) {
    if (hi - lo == 1) return terms[lo];
    const size_t mid = (lo + hi) / 2;
    return "(" + sum_text(terms, lo, mid) + " + " + sum_text(terms, mid, hi) + ")";
}
std::string text(const Poly& p) {
    std::vector<std::string> terms;
    for (const auto& [e, c] : p) {
        if (c == 0) continue;
        std::ostringstream out;
        out << "(" << c.get_num() << ")/(" << c.get_den() << ")";
        for (int i = 0; i < kVars; ++i)
            for (int j = 0; j < e[static_cast<size_t>(i)]; ++j) out << "*x" << i + 1;   // no '^': the parser caps their count
        terms.push_back(out.str());
    }
    return terms.empty() ? "0" : sum_text(terms, 0, terms.size());
}
// max over the centred box around `centre` with half-widths r of |p(centre + u) - p(centre)|,
// bounded above by the sum of |coefficients| r^e of the shifted polynomial
mpq_class variation_bound(const Poly& p, const std::vector<mpq_class>& centre, const std::vector<mpq_class>& r) {
    Poly shifted = p;
    for (size_t i = 0; i < centre.size(); ++i) shifted = substitute(shifted, static_cast<int>(i), variable(static_cast<int>(i)) + constant(centre[i]));
    mpq_class out = 0;
    for (const auto& [e, c] : shifted) {
        bool constant_term = true;
        mpq_class term = abs(c);
        for (size_t i = 0; i < centre.size(); ++i) {
            term *= power(r[i], e[i]);
            constant_term = constant_term && e[i] == 0;
        }
        if (!constant_term) out += term;
    }
    return out;
}
// q rounded down / up to a multiple of 2^-e
Dyadic dyadic_down(const mpq_class& q, int e) {
    mpz_class scaled = q.get_num() << e, m;
    mpz_fdiv_q(m.get_mpz_t(), scaled.get_mpz_t(), q.get_den().get_mpz_t());
    return Dyadic(boost::multiprecision::mpz_int(m.get_mpz_t()), -e);
}
Dyadic dyadic_up(const mpq_class& q, int e) {
    mpz_class scaled = q.get_num() << e, m;
    mpz_cdiv_q(m.get_mpz_t(), scaled.get_mpz_t(), q.get_den().get_mpz_t());
    return Dyadic(boost::multiprecision::mpz_int(m.get_mpz_t()), -e);
}
mpq_class rational_of(const Dyadic& x) {
    mpq_class v;
    x.to_mpq(v.get_mpq_t());
    return v;
}
mpq_class value_at(const Poly& p, const std::vector<mpq_class>& x) {
    mpq_class total = 0;
    for (const auto& [e, c] : p) {
        mpq_class term = c;
        for (size_t i = 0; i < x.size(); ++i) term *= power(x[i], e[i]);
        total += term;
    }
    return total;
}

// sum_{|a| = degree} |c_a| r^a over a series' coefficients of one degree (the Lagrange bound of
// the sup), or with each term divided by prod (a_i + 1) (of the mean: int_B |u^a| = vol r^a / prod (a_i + 1))
Interval degree_bound(const Series& s, const SeriesLayout& layout, int degree, const std::vector<Interval>& radius, Precision prec,
                      bool mean) {
    Interval out(prec), term(prec);
    for (int k = 0; k < layout.size(); ++k) {
        if (layout.degree(k) != degree) continue;
        abs(term, s.c[static_cast<size_t>(k)]);
        long divisor = 1;
        for (int i = 0; i < layout.dimension(); ++i) {
            for (int j = 0; j < layout.exponents(k)[static_cast<size_t>(i)]; ++j) mul(term, term, radius[static_cast<size_t>(i)]);
            divisor *= layout.exponents(k)[static_cast<size_t>(i)] + 1;
        }
        if (mean) mpfi_div_si(term.raw(), term.raw(), divisor);
        add(out, out, term);
    }
    return out;
}

double relative_width(const Interval& x) {
    const double lo = mpfr_get_d(x.lower(), MPFR_RNDN), hi = mpfr_get_d(x.upper(), MPFR_RNDN);
    return (hi - lo) / std::max(std::abs(hi), 1e-300);
}

struct Outcome {
    bool formed = false;
    Interval value{Precision(2)};
};

// the form on `box` for |h|, with h's Taylor coefficients about the centre and R4 over the box
Outcome plane_form(const Expression& h, const Box& box, Precision prec) {
    const int d = box.dimension();
    const SeriesLayout point_layout(d, 3), box_layout(d, 4);
    SeriesEvaluator at_point(h, point_layout, prec), over_box(h, box_layout, prec);
    std::vector<Interval> centre, radius;
    box.centre_and_radius(centre, radius, prec);
    const Series* tail_series = over_box.evaluate(box.sides());
    BOOST_TEST_REQUIRE(tail_series != nullptr);
    const Interval tail = degree_bound(*tail_series, box_layout, 4, radius, prec, false);
    const Interval tail_mean = degree_bound(*tail_series, box_layout, 4, radius, prec, true);
    Interval unlimited(prec);
    mpfi_set_si(unlimited.raw(), 1);
    mpfi_mul_2si(unlimited.raw(), unlimited.raw(), 60);
    std::vector<Interval> slopes;   // d_i h over B, from the same series (for the one-sided band)
    for (int i = 0; i < d; ++i) slopes.push_back(tail_series->c[static_cast<size_t>(box_layout.variable_index(i))]);
    const Series* at_centre = at_point.evaluate(centre);
    BOOST_TEST_REQUIRE(at_centre != nullptr);
    const ZeroSetPlane form(point_layout);
    Outcome out;
    out.value = Interval(prec);
    if (auto v = form.integral_abs(*at_centre, tail, tail_mean, radius, box.volume(prec), unlimited, prec, &slopes)) {
        out.formed = true;
        out.value = *v;
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(graph_zero_sets_against_exact_integrals) {
    int formed = 0, narrow = 0, cases = 0;
    for_each_case(600, [&](unsigned case_seed) {
        std::mt19937_64 gen(case_seed);
        const int d = 1 + static_cast<int>(gen() % 3);
        const int shape = static_cast<int>(gen() % 3);   // 0: planar zero set, 1: quadratic, 2: cubic
        const long bits = 2 + static_cast<long>(gen() % 299);
        const Precision prec(bits);
        const int k = 2 + static_cast<int>(gen() % 7);   // sides 2^-k
        // the box: x' centred at random dyadics, half-width 2^-(k+1)
        std::vector<mpq_class> lo(static_cast<size_t>(d)), hi(static_cast<size_t>(d)), centre(static_cast<size_t>(d - 1)),
            r(static_cast<size_t>(d - 1));
        for (int i = 0; i + 1 < d; ++i) {
            centre[static_cast<size_t>(i)] = random_dyadic(gen, 6, 6);
            r[static_cast<size_t>(i)] = mpq_class(1, 1) / mpq_class(mpz_class(1) << (k + 1));
            lo[static_cast<size_t>(i)] = centre[static_cast<size_t>(i)] - r[static_cast<size_t>(i)];
            hi[static_cast<size_t>(i)] = centre[static_cast<size_t>(i)] + r[static_cast<size_t>(i)];
        }
        // s(x') = s0 + sum slope_i x_i (+ curvature terms), rational coefficients (not all dyadic)
        Poly s = constant(random_dyadic(gen, 6, 6));
        for (int i = 0; i + 1 < d; ++i) s = s + mpq_class(static_cast<long>(gen() % 41) - 20, 7) * variable(i);
        if (shape >= 1)
            for (int i = 0; i + 1 < d; ++i)
                for (int j = i; j + 1 < d; ++j) s = s + mpq_class(static_cast<long>(gen() % 61) - 30, 9) * variable(i) * variable(j);
        if (shape == 2)
            for (int i = 0; i + 1 < d; ++i) s = s + mpq_class(static_cast<long>(gen() % 41) - 20, 5) * variable(i) * variable(i) * variable(i);
        // the x_d side contains s's range with margins (1..8 quarter-sides below and above)
        const mpq_class s_mid = d > 1 ? value_at(s, centre) : value_at(s, {});
        const mpq_class spread = d > 1 ? variation_bound(s, centre, r) : mpq_class(0);
        const mpq_class quarter = mpq_class(1) / mpq_class(mpz_class(1) << (k + 2));
        const mpq_class c = s_mid - spread - quarter * static_cast<long>(1 + gen() % 8);
        const mpq_class e = s_mid + spread + quarter * static_cast<long>(1 + gen() % 8);
        lo[static_cast<size_t>(d - 1)] = c;
        hi[static_cast<size_t>(d - 1)] = e;
        // m = 1 + beta (x_d - s)^2 + delta (x_d - s)^4 + gamma x_1^2 > 0: h curved along the
        // normal too, with Taylor terms beyond the third order (R4 > 0)
        const Poly t = variable(d - 1);
        const Poly normal = (t - s) * (t - s);
        const long quartic = gen() % 2 ? static_cast<long>(gen() % 9) : 0;
        const Poly m = constant(1) + mpq_class(static_cast<long>(gen() % 9), 2) * normal +
                       mpq_class(quartic) * normal * normal +
                       mpq_class(static_cast<long>(gen() % 5), 3) * variable(0) * variable(0);
        const Poly h = (t - s) * m;
        // the box: c rounded down and e up to multiples of 2^-80 (s's range stays inside)
        std::vector<Dyadic> blo, bhi;
        for (int i = 0; i + 1 < d; ++i) {
            blo.push_back(to_dyadic(lo[static_cast<size_t>(i)]));
            bhi.push_back(to_dyadic(hi[static_cast<size_t>(i)]));
        }
        blo.push_back(dyadic_down(c, 80));
        bhi.push_back(dyadic_up(e, 80));
        // int_B |h| = int_{B'} [G(e) - G(c) - 2 (G(s) - G(c))], G the antiderivative in x_d
        const Poly G = antiderivative(h, d - 1);
        const Poly inner = substitute(G, d - 1, constant(rational_of(bhi.back()))) + substitute(G, d - 1, constant(rational_of(blo.back()))) -
                           mpq_class(2) * substitute(G, d - 1, s);
        const mpq_class reference = integrate_box(inner, std::vector<mpq_class>(lo.begin(), lo.end() - 1),
                                                  std::vector<mpq_class>(hi.begin(), hi.end() - 1));
        const Box box = Box::from_dyadics(blo, bhi);
        const Expression expression = Expression::parse(text(h));
        const Outcome got = plane_form(expression, box, prec);
        // and through the crossing form, which computes R4 and its mean form itself and
        // intersects the result with its first-order form
        Interval through_crossing(prec);
        const auto crossing = CrossingEnclosure::detect(Expression::parse("abs(" + text(h) + ")"), d, prec);
        BOOST_TEST_REQUIRE((crossing != nullptr));
        std::vector<Interval> centre_of_box, radius_of_box;
        box.centre_and_radius(centre_of_box, radius_of_box, prec);
        const bool crossed = crossing->enclose(through_crossing, box, centre_of_box, radius_of_box, {});
        BOOST_TEST_CONTEXT("replay: LPCERT_CASE_SEED=" << case_seed << " d=" << d << " shape=" << shape << " bits=" << bits << " k=" << k
                                                 << " h=" << text(h) << " exact=" << reference << " got " << to_string(got.value)
                                                 << " (crossing form " << to_string(through_crossing) << ")") {
            ++cases;
            if (crossed) BOOST_TEST(contains_rational(through_crossing, reference));
            if (got.formed) {
                ++formed;
                BOOST_TEST(contains_rational(got.value, reference));
                if (relative_width(got.value) < 1e-2) ++narrow;
            }
            // from 53 bits on, boxes of side <= 2^-5 in x' with a planar zero set: the form exists;
            // without the quartic term (h cubic, R4 = 0) its band is that of T's zero set alone
            // (relative width below 1e-3)
            if (bits >= 53 && k >= 5 && shape == 0) BOOST_TEST(got.formed);
            if (bits >= 53 && k >= 5 && shape == 0 && quartic == 0) {
                BOOST_TEST(relative_width(got.value) < 1e-3);
            }
        }
    });
    std::cout << "zero-set plane: " << formed << " of " << cases << " formed, " << narrow << " narrower than 1e-2\n";
    BOOST_TEST(formed > cases / 2);
}
