#define BOOST_TEST_MODULE subgrid
// Taylor-model integration over a grid of cells (quadrature/subgrid_integration.hpp) and the cell
// integrals built on it (construction/cell_integrals.hpp), against independent references:
// polynomials integrated exactly in rational arithmetic, and closed-form antiderivatives of
// exp and sin evaluated by MPFI at 400 bits. Random boxes with dyadic cuts (odd numbers of cells,
// so that cells straddle the box's centre), orders 1..10 and precisions from 2 bits.
#include <boost/test/unit_test.hpp>
#include <gmpxx.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <vector>

#include "construction/cell_grid.hpp"
#include "construction/cell_integrals.hpp"
#include "quadrature/dyadic.hpp"
#include "quadrature/real.hpp"
#include "quadrature/subgrid_integration.hpp"
#include "rational_reference.hpp"
#include "test_support.hpp"

using namespace lpcert;
using namespace lpcert::test;

namespace {

// Sorted distinct dyadic cuts m 2^-5, |m| < 2^6, k cells.
std::vector<mpq_class> random_cuts(std::mt19937_64& g, int k) {
    std::vector<mpq_class> cut;
    while (static_cast<int>(cut.size()) < k + 1) {
        const mpq_class t = random_dyadic(g, 6, 5);
        if (std::find(cut.begin(), cut.end(), t) == cut.end()) cut.push_back(t);
    }
    std::sort(cut.begin(), cut.end());
    return cut;
}

struct Monomial {
    long coefficient;
    std::vector<int> exponents;
};

// cell index j_0 + k_0 (j_1 + k_1 ...) -> axis indices
std::vector<int> cell_axes(long c, const std::vector<int>& parts) {
    std::vector<int> j;
    for (int k : parts) {
        j.push_back(static_cast<int>(c % k));
        c /= k;
    }
    return j;
}

}  // namespace

BOOST_AUTO_TEST_CASE(polynomials_against_exact_rationals) {
    // every cell's enclosure contains the exact integral; where the order exceeds the degree the
    // remainder vanishes and only rounding is left
    int checked = 0;
    for_each_case(300, [&](unsigned case_seed) {
        std::mt19937_64 g(case_seed);
        const int d = 1 + static_cast<int>(g() % 3);
        const int order = 1 + static_cast<int>(g() % 8);
        const long bits = 2 + static_cast<long>(g() % 200);
        std::vector<Monomial> terms(1 + g() % 4);
        std::ostringstream text;
        int degree = 0;
        for (size_t t = 0; t < terms.size(); ++t) {
            terms[t].coefficient = static_cast<long>(g() % 19) - 9;
            text << (t ? " + " : "") << "(" << terms[t].coefficient << ")";
            int deg = 0;
            for (int i = 0; i < d; ++i) {
                const int e = static_cast<int>(g() % 5);
                terms[t].exponents.push_back(e);
                deg += e;
                if (e > 0) text << "*x" << (i + 1) << "^" << e;
            }
            degree = std::max(degree, deg);
        }
        std::vector<std::vector<mpq_class>> cuts;
        std::vector<std::vector<Dyadic>> dcuts;
        std::vector<int> parts;
        long cells = 1;
        for (int i = 0; i < d; ++i) {
            parts.push_back(1 + static_cast<int>(g() % 5));
            cuts.push_back(random_cuts(g, parts.back()));
            dcuts.emplace_back();
            for (const auto& q : cuts.back()) dcuts.back().push_back(to_dyadic(q));
            cells *= parts.back();
        }
        const Expression f = Expression::parse(text.str());
        SubgridIntegrator integrator(f, d, order, Precision(bits));
        std::vector<Interval> out;
        BOOST_REQUIRE_MESSAGE(integrator.enclose(dcuts, out), "no Taylor form of a polynomial; LPCERT_CASE_SEED=" << case_seed);
        BOOST_REQUIRE_EQUAL(static_cast<long>(out.size()), cells);
        for (long c = 0; c < cells; ++c) {
            const auto j = cell_axes(c, parts);
            mpq_class exact = 0;
            for (const auto& m : terms) {
                mpq_class prod = m.coefficient;
                for (int i = 0; i < d; ++i) {
                    const int e = m.exponents[static_cast<size_t>(i)];
                    const auto& cut = cuts[static_cast<size_t>(i)];
                    prod *= (power(cut[static_cast<size_t>(j[static_cast<size_t>(i)]) + 1], e + 1) - power(cut[static_cast<size_t>(j[static_cast<size_t>(i)])], e + 1)) / (e + 1);
                }
                exact += prod;
            }
            BOOST_CHECK_MESSAGE(contains_rational(out[static_cast<size_t>(c)], exact),
                                "f = " << text.str() << ", order " << order << ", " << bits << " bits, cell " << c << ": "
                                       << to_string(out[static_cast<size_t>(c)]) << " misses " << exact.get_d()
                                       << "; LPCERT_CASE_SEED=" << case_seed);
            if (order > degree && bits >= 120) {
                Real w(Precision(64));
                width_up(w.raw(), out[static_cast<size_t>(c)]);
                BOOST_CHECK_MESSAGE(mpfr_cmp_d(w.raw(), 1e-20) < 0, "f = " << text.str() << ": width " << mpfr_get_d(w.raw(), MPFR_RNDU)
                                                                           << " with no remainder; LPCERT_CASE_SEED=" << case_seed);
            }
            ++checked;
        }
    });
    BOOST_TEST_MESSAGE(checked << " cells checked");
}

BOOST_AUTO_TEST_CASE(exponentials_and_sines_against_closed_forms) {
    // f = exp(a x1) sin(b x2) (d = 2) or exp(a x1) (d = 1) on large boxes at low orders, where
    // the Lagrange remainder (and its treatment on cells across the centre) decides containment
    for_each_case(300, [&](unsigned case_seed) {
        std::mt19937_64 g(case_seed);
        const int d = 1 + static_cast<int>(g() % 2);
        const int order = 1 + static_cast<int>(g() % 10);
        const long bits = 2 + static_cast<long>(g() % 200);
        const long a = 1 + static_cast<long>(g() % 5), b = 1 + static_cast<long>(g() % 5);
        const std::string text = d == 1 ? "exp(" + std::to_string(a) + "*x1)"
                                        : "exp(" + std::to_string(a) + "*x1)*sin(" + std::to_string(b) + "*x2)";
        std::vector<std::vector<mpq_class>> cuts;
        std::vector<std::vector<Dyadic>> dcuts;
        std::vector<int> parts;
        long cells = 1;
        for (int i = 0; i < d; ++i) {
            parts.push_back(1 + 2 * static_cast<int>(g() % 3));   // 1, 3, 5: a middle cell straddles the centre
            cuts.push_back(random_cuts(g, parts.back()));
            dcuts.emplace_back();
            for (const auto& q : cuts.back()) dcuts.back().push_back(to_dyadic(q));
            cells *= parts.back();
        }
        SubgridIntegrator integrator(Expression::parse(text), d, order, Precision(bits));
        std::vector<Interval> out;
        BOOST_REQUIRE(integrator.enclose(dcuts, out));
        const Precision ref_prec(400);
        for (long c = 0; c < cells; ++c) {
            const auto j = cell_axes(c, parts);
            // int_l^h exp(a x) = (exp(a h) - exp(a l)) / a;  int_l^h sin(b y) = (cos(b l) - cos(b h)) / b
            auto end = [&](int i, int which) {
                return exact_interval(cuts[static_cast<size_t>(i)][static_cast<size_t>(j[static_cast<size_t>(i)] + which)], ref_prec);
            };
            Interval value = scaled_difference([](Interval& o, const Interval& x) { exp(o, x); }, end(0, 0), end(0, 1), a);
            if (d == 2) {
                Interval second = scaled_difference([](Interval& o, const Interval& x) { cos(o, x); }, end(1, 1), end(1, 0), b);
                mul(value, value, second);
            }
            BOOST_CHECK_MESSAGE(contains(out[static_cast<size_t>(c)], value),
                                "f = " << text << ", order " << order << ", " << bits << " bits, cell " << c << ": "
                                       << to_string(out[static_cast<size_t>(c)]) << " misses " << to_string(value, 12)
                                       << "; LPCERT_CASE_SEED=" << case_seed);
        }
    });
}

BOOST_AUTO_TEST_CASE(a_kink_inside_the_box_gives_no_form) {
    // |x1 - 1/3| has no Taylor form across 1/3; beside it the form holds and is exact here
    const Expression f = Expression::parse("abs(x1 - 1/3)");
    SubgridIntegrator integrator(f, 1, 4, Precision(128));
    std::vector<Interval> out;
    BOOST_CHECK(!integrator.enclose({{Dyadic(0), Dyadic(1, -1)}}, out));
    BOOST_REQUIRE(integrator.enclose({{Dyadic(1, -1), Dyadic(3, -2), Dyadic(1)}}, out));
    // int_{1/2}^{3/4} (x - 1/3) = 1/8 (1/2 + 3/4)... exactly: [(x - 1/3)^2 / 2] from 1/2 to 3/4
    const mpq_class third(1, 3);
    const mpq_class first = (power(mpq_class(3, 4) - third, 2) - power(mpq_class(1, 2) - third, 2)) / 2;
    const mpq_class second = (power(mpq_class(1) - third, 2) - power(mpq_class(3, 4) - third, 2)) / 2;
    BOOST_CHECK(contains_rational(out[0], first));
    BOOST_CHECK(contains_rational(out[1], second));
}

BOOST_AUTO_TEST_CASE(cell_integrals_by_blocks_and_by_cells_contain_the_exact_values) {
    // a grid of N = 3 (cells straddle block centres; grid points rounded at 256 bits): blocks for
    // a polynomial, the adaptive integrator for the cells a kink crosses; every cell's enclosure
    // contains the exact integral over its (dyadic) box
    struct Case {
        std::string f;
        int d, N, L;
        bool all_by_blocks;
    };
    for (const Case& c : {Case{"x1^3*x2 - 2*x2^2 + x1", 2, 3, 3, true}, Case{"abs(x1 - x2)", 2, 3, 2, false},
                          Case{"x1*x2*x3 + x3^2", 3, 2, 3, true}, Case{"x1^5 - x1", 1, 2, 9, true}}) {
        const CellGrid grid(c.d, c.N, c.L);
        CellIntegralOptions opt;
        opt.per_cell_goal = "1e-12";
        const CellIntegrals integrals = enclose_cell_integrals(Expression::parse(c.f), grid, opt, Precision(128));
        if (c.all_by_blocks) {
            BOOST_CHECK_EQUAL(integrals.cells_by_blocks, grid.cells());
        } else {
            BOOST_CHECK(integrals.cells_by_blocks > 0);
            BOOST_CHECK(integrals.cells_by_blocks < grid.cells());
        }
        for (long K = 0; K < grid.cells(); ++K) {
            const auto k = grid.axis_indices(K);
            std::vector<mpq_class> lo, hi;
            for (int i = 0; i < c.d; ++i) {
                for (int side = 0; side < 2; ++side) {
                    const Dyadic& t = grid.grid_point(k[static_cast<size_t>(i)] + side);
                    mpq_class q{mpz_class(t.mantissa().backend().data())};
                    if (t.exponent() >= 0) q *= mpq_class(mpz_class(1) << t.exponent());
                    else q /= mpq_class(mpz_class(1) << -t.exponent());
                    (side ? hi : lo).push_back(q);
                }
            }
            mpq_class exact;
            auto I = [&](int i, int e) -> mpq_class { return (power(hi[static_cast<size_t>(i)], e + 1) - power(lo[static_cast<size_t>(i)], e + 1)) / (e + 1); };
            if (c.f == "abs(x1 - x2)") {
                // int |x - y| over [a,b] x [c,e] = int_a^b F(x) dx, done exactly by splitting: the
                // integrand is (x - y) or (y - x); over a square cell of the diagonal the two halves
                // are equal: (b - a)^3 / 3; off the diagonal one sign
                const mpq_class x_mid = (lo[0] + hi[0]) / 2, y_mid = (lo[1] + hi[1]) / 2;
                const mpq_class area = (hi[0] - lo[0]) * (hi[1] - lo[1]);
                if (lo[0] == lo[1] && hi[0] == hi[1]) exact = power(hi[0] - lo[0], 3) / 3;
                else if (lo[0] >= hi[1]) exact = (x_mid - y_mid) * area;
                else exact = (y_mid - x_mid) * area;
            } else if (c.d == 2) {
                exact = I(0, 3) * I(1, 1) - 2 * I(0, 0) * I(1, 2) + I(0, 1) * I(1, 0);
            } else if (c.d == 3) {
                exact = I(0, 1) * I(1, 1) * I(2, 1) + I(0, 0) * I(1, 0) * I(2, 2);
            } else {
                exact = I(0, 5) - I(0, 1);
            }
            BOOST_CHECK_MESSAGE(contains_rational(integrals.integrals[static_cast<size_t>(K)], exact),
                                c.f << ", cell " << K << ": " << to_string(integrals.integrals[static_cast<size_t>(K)]) << " misses "
                                    << exact.get_d());
        }
    }
}
