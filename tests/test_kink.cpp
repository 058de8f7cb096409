#define BOOST_TEST_MODULE kink
// The kink form of the quadrature (kink_enclosure.hpp) and its polygons (polygon_moments.hpp),
// against independent exact references: polygons clipped in rational arithmetic and integrated by
// fanning them into triangles (the barycentric monomial formula, not Green's theorem), ReLU
// networks in the plane integrated cell by cell over their exact arrangement, and closed forms in
// d = 1 and d = 3.
#include <boost/test/unit_test.hpp>
#include <gmpxx.h>

#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "quadrature/dyadic.hpp"
#include "quadrature/integration.hpp"
#include "quadrature/lp_norm.hpp"
#include "quadrature/polygon_moments.hpp"
#include "rational_reference.hpp"
#include "test_support.hpp"

using namespace lpcert;
using namespace lpcert::test;

namespace {

// A polynomial in the barycentric coordinates (l0, l1, l2): exponent triple -> coefficient.
using Bary = std::map<std::array<int, 3>, mpq_class>;

Bary bary_mul(const Bary& p, const Bary& q) {
    Bary r;
    for (const auto& [e, c] : p)
        for (const auto& [f, d] : q) r[{e[0] + f[0], e[1] + f[1], e[2] + f[2]}] += c * d;
    return r;
}

// int over the triangle ABC of x^a y^b: x and y are linear in the barycentric coordinates, and
// int_T l0^i l1^j l2^k = 2 |T| i! j! k! / (i + j + k + 2)!.
mpq_class triangle_monomial(const Point& A, const Point& B, const Point& C, int a, int b) {
    const Bary X = {{{1, 0, 0}, A.x}, {{0, 1, 0}, B.x}, {{0, 0, 1}, C.x}};
    const Bary Y = {{{1, 0, 0}, A.y}, {{0, 1, 0}, B.y}, {{0, 0, 1}, C.y}};
    Bary p = {{{0, 0, 0}, 1}};
    for (int i = 0; i < a; ++i) p = bary_mul(p, X);
    for (int i = 0; i < b; ++i) p = bary_mul(p, Y);
    mpq_class area = ((B.x - A.x) * (C.y - A.y) - (C.x - A.x) * (B.y - A.y)) / 2;
    if (area < 0) area = -area;
    mpq_class total = 0;
    for (const auto& [e, c] : p) total += c * 2 * area * factorial(e[0]) * factorial(e[1]) * factorial(e[2]) / factorial(e[0] + e[1] + e[2] + 2);
    return total;
}

mpq_class polygon_monomial(const std::vector<Point>& poly, int a, int b) {
    mpq_class total = 0;
    for (size_t i = 1; i + 1 < poly.size(); ++i) total += triangle_monomial(poly[0], poly[i], poly[i + 1], a, b);
    return total;
}

// The part of a convex polygon where side * L >= 0, exactly (Sutherland-Hodgman).
std::vector<Point> clip(const std::vector<Point>& poly, const Affine& L, int side) {
    std::vector<Point> out;
    for (size_t i = 0; i < poly.size(); ++i) {
        const Point& P = poly[i];
        const Point& Q = poly[(i + 1) % poly.size()];
        const mpq_class lp = side * L(P), lq = side * L(Q);
        if (lp >= 0) out.push_back(P);
        if ((lp < 0 && lq > 0) || (lp > 0 && lq < 0)) {
            const mpq_class t = lp / (lp - lq);
            out.push_back(Point{P.x + t * (Q.x - P.x), P.y + t * (Q.y - P.y)});
        }
    }
    if (out.size() < 3) out.clear();
    return out;
}

std::string text_of(const mpq_class& q) { return "(" + q.get_str() + ")"; }

}  // namespace

// ---- polygons ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(cut_polygons_and_their_moments_against_exact_triangle_fans) {
    const std::vector<long> precisions = {2, 8, 24, 53, 128, 300};
    int checked = 0;
    test::for_each_case(120, [&](unsigned case_seed) {
        std::mt19937_64 g(case_seed);
        const Precision prec(precisions[g() % precisions.size()]);
        const mpq_class r0 = abs(random_dyadic(g, 6, 6)) + mpq_class(1, 64), r1 = abs(random_dyadic(g, 6, 6)) + mpq_class(1, 64);
        std::vector<Point> exact = {{-r0, -r1}, {r0, -r1}, {r0, r1}, {-r0, r1}};
        std::optional<Polygon> P = centred_rectangle(exact_interval(r0, prec), exact_interval(r1, prec));
        const int lines = 1 + static_cast<int>(g() % 3);
        bool near_line = false;
        for (int l = 0; l < lines && P && !exact.empty(); ++l) {
            Affine L{random_dyadic(g, 8, 8), random_dyadic(g, 8, 6), random_dyadic(g, 8, 6)};
            if (g() % 4 == 0) L.a0 = -(L.a1 * exact[0].x + L.a2 * exact[0].y);   // through a vertex exactly
            const int side = g() % 2 ? 1 : -1;
            for (const auto& v : exact) {
                const mpq_class value = L(v);
                // near the line, or on it at a vertex that is not a rectangle corner (not exact)
                if ((value != 0 && abs(value) < mpq_class(1, 1L << 30)) || (value == 0 && l > 0)) near_line = true;
            }
            exact = clip(exact, L, side);
            P = cut(*P, exact_interval(L.a0, prec), exact_interval(L.a1, prec), exact_interval(L.a2, prec), side, prec);
        }
        BOOST_TEST_CONTEXT("LPCERT_CASE_SEED=" << case_seed << " prec " << prec.bits) {
        if (!P) {
            // only where a side is not certain at this precision
            BOOST_TEST((prec.bits < 64 || near_line));
            return;
        }
        BOOST_TEST(P->vertices.empty() == exact.empty());
        if (P->vertices.empty() || exact.empty()) return;
        BOOST_TEST(P->vertices.size() == exact.size());
        const auto M = moments(*P, 6, prec, Precision(prec.bits + 64));
        for (int a = 0; a <= 6; ++a)
            for (int b = 0; a + b <= 6; ++b) {
                const mpq_class ref = polygon_monomial(exact, a, b);
                BOOST_TEST_INFO("moment " << a << "," << b << " " << to_string(M[a][b]) << " exact " << ref.get_d());
                BOOST_TEST(contains_rational(M[a][b], ref));
            }
        ++checked;
        }
    });
    BOOST_TEST(checked > 40);
}

// ---- ReLU networks in the plane ---------------------------------------------------------------

namespace {

// A ReLU network R^2 -> R with exact dyadic weights: hidden layers (each neuron reads every
// neuron of the previous layer, or the inputs; sometimes a repeated neuron), a linear readout.
struct RandomNet {
    std::vector<int> widths;
    std::vector<std::vector<std::vector<mpq_class>>> w;   // [layer][neuron][source] (+ bias last)
    std::vector<mpq_class> out_w;
    mpq_class out_b;
};

RandomNet random_net(std::mt19937_64& g) {
    RandomNet n;
    const int depth = 1 + static_cast<int>(g() % 2);
    int sources = 2;
    for (int l = 0; l < depth; ++l) {
        const int width = 2 + static_cast<int>(g() % 3);
        std::vector<std::vector<mpq_class>> layer;
        for (int k = 0; k < width; ++k) {
            if (k > 0 && g() % 5 == 0) {   // a repeated neuron
                layer.push_back(layer.back());
                continue;
            }
            std::vector<mpq_class> row;
            for (int s = 0; s < sources; ++s) row.push_back(random_dyadic(g, 6, 5));
            row.push_back(random_dyadic(g, 6, 6));   // bias
            layer.push_back(row);
        }
        n.w.push_back(layer);
        n.widths.push_back(width);
        sources = width;
    }
    for (int s = 0; s < sources; ++s) n.out_w.push_back(random_dyadic(g, 6, 5));
    n.out_b = random_dyadic(g, 6, 6);
    return n;
}

std::string expression_of(const RandomNet& n, const Affine& f, int p) {
    std::vector<std::string> prev = {"x1", "x2"};
    for (const auto& layer : n.w) {
        std::vector<std::string> cur;
        for (const auto& row : layer) {
            std::string z = text_of(row.back());
            for (size_t s = 0; s + 1 < row.size(); ++s) z += " + " + text_of(row[s]) + "*" + prev[s];
            cur.push_back("max(" + z + ", 0)");
        }
        prev = cur;
    }
    std::string phi = text_of(n.out_b);
    for (size_t s = 0; s < prev.size(); ++s) phi += " + " + text_of(n.out_w[s]) + "*" + prev[s];
    const std::string h = "(" + phi + " - (" + text_of(f.a0) + " + " + text_of(f.a1) + "*x1 + " + text_of(f.a2) + "*x2))";
    if (p == 2) return h + "^2";
    return "abs(" + h + ")" + (p == 1 ? "" : "^" + std::to_string(p));
}

// int over the cell of |g|^p for g affine, exactly (odd p: split where g changes sign)
mpq_class integral_abs_power(const std::vector<Point>& cell, const Affine& h, int p) {
    auto power_integral = [&](const std::vector<Point>& poly, int sign) {
        // int (sign h)^p = sum over the monomials of (a0 + a1 x + a2 y)^p
        mpq_class total = 0;
        for (int i = 0; i <= p; ++i)
            for (int j = 0; i + j <= p; ++j) {
                const int k = p - i - j;   // a0^k (a1 x)^i (a2 y)^j, multinomial p!/(i! j! k!)
                mpq_class c = factorial(p) / (factorial(i) * factorial(j) * factorial(k));
                for (int t = 0; t < k; ++t) c *= h.a0;
                for (int t = 0; t < i; ++t) c *= h.a1;
                for (int t = 0; t < j; ++t) c *= h.a2;
                total += c * polygon_monomial(poly, i, j);
            }
        return p % 2 == 1 && sign < 0 ? mpq_class(-total) : total;
    };
    if (p % 2 == 0) return power_integral(cell, 1);
    mpq_class total = 0;
    for (int side : {1, -1}) {
        const auto part = clip(cell, h, side);
        if (!part.empty()) total += power_integral(part, side);
    }
    return total;
}

// The network's exact arrangement: each cell cut where a neuron's pre-activation (affine on the
// cell) changes sign, then int_cell |Phi - f|^p with Phi affine on the cell.
mpq_class exact_network_integral(const RandomNet& n, const Affine& f, int p, const std::vector<Point>& cell) {
    std::vector<Affine> prev = {{0, 1, 0}, {0, 0, 1}};
    for (const auto& layer : n.w) {
        std::vector<Affine> cur;
        for (const auto& row : layer) {
            Affine z{row.back(), 0, 0};
            for (size_t s = 0; s + 1 < row.size(); ++s) {
                z.a0 += row[s] * prev[s].a0;
                z.a1 += row[s] * prev[s].a1;
                z.a2 += row[s] * prev[s].a2;
            }
            bool pos = false, neg = false;
            for (const auto& v : cell) {
                const mpq_class value = z(v);
                pos = pos || value > 0;
                neg = neg || value < 0;
            }
            if (pos && neg) {   // the kink crosses the cell: both sides separately
                mpq_class total = 0;
                for (int side : {1, -1}) {
                    const auto part = clip(cell, z, side);
                    if (!part.empty()) total += exact_network_integral(n, f, p, part);
                }
                return total;
            }
            cur.push_back(pos ? z : Affine{0, 0, 0});
        }
        prev = cur;
    }
    Affine h{n.out_b - f.a0, -f.a1, -f.a2};
    for (size_t s = 0; s < prev.size(); ++s) {
        h.a0 += n.out_w[s] * prev[s].a0;
        h.a1 += n.out_w[s] * prev[s].a1;
        h.a2 += n.out_w[s] * prev[s].a2;
    }
    return integral_abs_power(cell, h, p);
}

}  // namespace

BOOST_AUTO_TEST_CASE(relu_networks_in_the_plane_against_their_exact_arrangement) {
    // At 1e-11 relative width: order 0 on the kink boxes (width O(vol r)) cannot get there within
    // the budget; the kink form must, and must contain the exact integral.
    test::for_each_case(12, [&](unsigned case_seed) {
        std::mt19937_64 g(case_seed);
        const RandomNet net = random_net(g);
        const Affine f{random_dyadic(g, 6, 7), random_dyadic(g, 6, 7), random_dyadic(g, 6, 7)};
        const int p = 1 + static_cast<int>(g() % 3);
        const std::string text = expression_of(net, f, p);
        const mpq_class exact = exact_network_integral(net, f, p, {{0, 0}, {1, 0}, {1, 1}, {0, 1}});
        IntegrationOptions o;
        o.relative_tolerance = "1e-11";
        o.absolute_floor = "1e-30";
        o.nonnegative = true;
        o.max_boxes = 60000;
        const auto r = enclose_integral(Expression::parse(text), {Piece{Box::unit_cube(2), 0}}, {}, o, Precision(128));
        BOOST_TEST_CONTEXT("LPCERT_CASE_SEED=" << case_seed << " p=" << p << " " << text << ": " << to_string(r.value)
                                               << " exact " << exact.get_d() << " boxes " << r.boxes) {
            BOOST_TEST(contains_rational(r.value, exact));
            BOOST_TEST((r.status == IntegrationStatus::Converged));
        }
    });
}

// ---- closed forms: one kink in d = 1 and d = 3 (the sign moments), min/max/abs in the plane ------

BOOST_AUTO_TEST_CASE(kinks_against_closed_forms) {
    struct Case {
        std::string f;
        int d;
        std::string value;
    };
    const std::vector<Case> cases = {
        // int_0^1 (max(x - 1/3, 0) + x^2)^2 = 1/5 + 2 * 34/243 + 8/81 = 703/1215
        {"(max(x1 - 1/3, 0) + x1^2)^2", 1, "0.578600823045267489711934156378600823045267"},
        // E[(S - 3/2)+] = 13/64 and E[(S - 3/2)+^2] = 1/8 for S = x1 + x2 + x3 (Irwin-Hall)
        {"max(x1 + x2 + x3 - 3/2, 0)", 3, "0.203125"},
        {"max(x1 + x2 + x3 - 3/2, 0)^2", 3, "0.125"},
        {"min(x1 + x2 + x3 - 3/2, 0)^2", 3, "0.125"},
        // in the plane: E[min(U, V)] = 1/3, E[max(U, V)^2] = 1/2, E[|U - V|^3] = 1/10
        {"min(x1, x2)", 2, "0.3333333333333333333333333333333333333333"},
        {"max(x1, x2)^2", 2, "0.5"},
        {"abs(x1 - x2)^3", 2, "0.1"},
        // a kink plane parallel to two axes: int max(x1 - 1/3, 0) x2 exp(x3) = (2/9)(1/2)(e - 1)
        {"max(x1 - 1/3, 0)*x2*exp(x3)", 3, "0.1909202031621161372622541634836291664174718993000"},
    };
    for (const auto& c : cases) {
        IntegrationOptions o;
        o.relative_tolerance = "1e-12";
        o.max_boxes = 200000;
        const auto r = enclose_integral(Expression::parse(c.f), {Piece{Box::unit_cube(c.d), 0}}, {}, o, Precision(128));
        BOOST_TEST_CONTEXT(c.f << ": " << to_string(r.value) << " boxes " << r.boxes) {
            BOOST_TEST(overlaps(r.value, test::ref(c.value)));
            BOOST_TEST((r.status == IntegrationStatus::Converged));
        }
    }
}

// A kink with per-piece parameters (`verify run`'s |f - c_K|^p over cells): the enclosure over
// two cells against the exact rational integral.
BOOST_AUTO_TEST_CASE(kink_with_parameters_against_exact_cells) {
    const Expression g = deviation_integrand(Expression::parse("abs(x1 - 1/3)"), 1, Exponent::parse("1"));
    const Precision prec(128);
    std::vector<Piece> pieces = {{Box::from_dyadics({Dyadic(0)}, {Dyadic(1, -1)}), 0}, {Box::from_dyadics({Dyadic(1, -1)}, {Dyadic(1)}), 1}};
    const std::vector<std::vector<Interval>> params = {{exact_interval(mpq_class(569, 4096), prec)}, {exact_interval(mpq_class(1707, 4096), prec)}};
    IntegrationOptions o;
    o.relative_tolerance = "1e-15";
    o.nonnegative = true;
    for (int order : {6, 12}) {
        o.taylor_order = order;
        const auto r = enclose_integral(g, pieces, params, o, prec);
        // int_0^(1/2) | |x - 1/3| - 569/4096 | + int_(1/2)^1 | x - 1/3 - 1707/4096 |, exactly
        const mpq_class c0(569, 4096), c1(1707, 4096), third(1, 3);
        auto tri = [](const mpq_class& a, const mpq_class& b, const mpq_class& root) {   // int_a^b |x - root|
            if (root <= a) return mpq_class((b - a) * ((a + b) / 2 - root));
            if (root >= b) return mpq_class((b - a) * (root - (a + b) / 2));
            return mpq_class(((root - a) * (root - a) + (b - root) * (b - root)) / 2);
        };
        // on [0, 1/3]: |1/3 - x - c0| = |x - (1/3 - c0)|; on [1/3, 1/2]: |x - (1/3 + c0)|; on [1/2, 1]: |x - (1/3 + c1)|
        const mpq_class exact = tri(0, third, third - c0) + tri(third, mpq_class(1, 2), third + c0) + tri(mpq_class(1, 2), 1, third + c1);
        BOOST_TEST_CONTEXT("order " << order << ": " << to_string(r.value) << " exact " << exact.get_d() << " boxes " << r.boxes) {
            BOOST_TEST(contains_rational(r.value, exact));
        }
    }
}

// |h|^p where h changes sign on boxes that kink lines also cross (the sign split of kink_enclosure):
// f = Phi + s (x1 - c(x2)) written out, c(y) = 1/3 - (y - 2/5)^2/4 in (0, 1), so h = Phi - f =
// -s (x1 - c(x2)) is not affine, its zero set is a parabola, and the tape still holds every kink of
// Phi (twice). With int_0^1 |x - c|^p dx = (c^(p+1) + (1 - c)^(p+1))/(p+1), a polynomial in y:
//     int |h|^p = |s|^p int_0^1 (c(y)^(p+1) + (1 - c(y))^(p+1))/(p+1) dy, exactly.
BOOST_AUTO_TEST_CASE(sign_changes_across_kink_lines_against_closed_forms) {
    test::for_each_case(6, [&](unsigned case_seed) {
        std::mt19937_64 g(case_seed);
        const RandomNet net = random_net(g);
        const int p = g() % 2 ? 1 : 3;
        const mpq_class s = abs(random_dyadic(g, 6, 5)) + mpq_class(1, 32);
        const std::string phi = expression_of(net, Affine{0, 0, 0}, 2);   // (Phi - 0)^2: take Phi's text out of it
        const std::string phi_text = phi.substr(1, phi.size() - 1 - std::string(" - ((0) + (0)*x1 + (0)*x2))^2").size());
        const std::string f = phi_text + " + " + text_of(s) + "*((x1 - 1/3) + (x2 - 2/5)^2/4)";
        const std::string integrand = "abs((" + phi_text + ") - (" + f + "))" + (p == 1 ? "" : "^3");
        // polynomials in y as coefficient vectors
        using Poly = std::vector<mpq_class>;
        auto times = [](const Poly& a, const Poly& b) {
            Poly r(a.size() + b.size() - 1, mpq_class(0));
            for (size_t i = 0; i < a.size(); ++i)
                for (size_t j = 0; j < b.size(); ++j) r[i + j] += a[i] * b[j];
            return r;
        };
        // c(y) = 1/3 - (y^2 - 4y/5 + 4/25)/4
        const Poly c = {mpq_class(1, 3) - mpq_class(1, 25), mpq_class(1, 5), mpq_class(-1, 4)};
        const Poly one_minus_c = {1 - c[0], -c[1], -c[2]};
        Poly cp = {1}, dp = {1};
        for (int k = 0; k <= p; ++k) {
            cp = times(cp, c);
            dp = times(dp, one_minus_c);
        }
        mpq_class exact = 0;
        for (size_t i = 0; i < cp.size(); ++i) exact += (cp[i] + dp[i]) / static_cast<long>(i + 1);
        exact /= p + 1;
        for (int k = 0; k < p; ++k) exact *= s;
        IntegrationOptions o;
        o.relative_tolerance = "1e-9";
        o.absolute_floor = "1e-30";
        o.nonnegative = true;
        o.max_boxes = 40000;
        const auto r = enclose_integral(Expression::parse(integrand), {Piece{Box::unit_cube(2), 0}}, {}, o, Precision(128));
        BOOST_TEST_CONTEXT("LPCERT_CASE_SEED=" << case_seed << " p=" << p << " " << integrand << ": " << to_string(r.value)
                                               << " exact " << exact.get_d() << " boxes " << r.boxes) {
            BOOST_TEST(contains_rational(r.value, exact));
            BOOST_TEST((r.status == IntegrationStatus::Converged));
        }
    });
}

// A kink line through dyadic box corners whose constant is not dyadic: x1 + x2 = 1 written as
// (x1 - 3/10) - (7/10 - x2), so every bisection's corners on the anti-diagonal have an uncertain
// side (the pyramid's max(|x1 - 0.45|, |x2 - 0.55|) has this line). The cut keeps such a vertex
// on the line and adds the slab {|delta| <= w} times the leaves' bounds. The integrand is not
// |affine|^p (that is the crossing form's), so only the kink form converges on those boxes.
// Exact values, triangle by triangle (x1 + x2 >= 1 or < 1):
//     int (1 + max(x1 - 3/10, 7/10 - x2))^2 = 2 int_0^1 t (7/10 + t)^2 dt = 577/300,
//     int (1 + min(...))^2 = int_0^1 y (17/10 - y)^2 dy + int_0^1 (1 - x) (7/10 + x)^2 dx.
// At low precision the slab is wide and its term decides containment; at 128 bits the form
// converges within a small box budget.
BOOST_AUTO_TEST_CASE(kink_lines_through_box_corners_with_inexact_constants) {
    struct Case {
        std::string integrand;
        mpq_class exact;
    };
    // min: 7/10 - x2 where x1 + x2 >= 1, else x1 - 3/10
    const mpq_class min_upper = mpq_class(289, 200) - mpq_class(34, 30) + mpq_class(1, 4);
    const mpq_class min_lower = mpq_class(49, 100) * mpq_class(1, 2) + mpq_class(14, 10) * mpq_class(1, 6) + mpq_class(1, 12);
    const std::vector<Case> cases = {
        {"(1 + max(x1 - 0.3, 0.7 - x2))^2", mpq_class(577, 300)},
        {"(1 + min(x1 - 0.3, 0.7 - x2))^2", min_upper + min_lower},
    };
    for (const auto& c : cases) {
        for (const long bits : {8L, 12L, 16L, 24L, 53L, 128L}) {
            IntegrationOptions o;
            o.relative_tolerance = "1e-10";
            o.absolute_floor = "1e-30";
            o.nonnegative = true;
            o.max_boxes = bits == 128 ? 3000 : 20000;
            const auto r = enclose_integral(Expression::parse(c.integrand), {Piece{Box::unit_cube(2), 0}}, {}, o, Precision(bits));
            BOOST_TEST_CONTEXT(c.integrand << " at " << bits << " bits: " << to_string(r.value) << " exact " << c.exact.get_d()
                                           << " boxes " << r.boxes) {
                BOOST_TEST(contains_rational(r.value, c.exact));
                if (bits == 128) BOOST_TEST((r.status == IntegrationStatus::Converged));
            }
        }
    }
}
