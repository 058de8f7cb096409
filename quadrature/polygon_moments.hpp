#pragma once
// Convex polygons in the plane with interval vertices, cut by half-planes, and their monomial
// moments int_P u^a v^b in closed form: the regions between a network's kink lines on a box
// (kink_enclosure.hpp), where the integrand is a polynomial plus a remainder.
//
// Contract: a Polygon ENCLOSES an exact convex polygon P*: vertex i of P* lies in vertex i's
// interval box, vertices counter-clockwise. cut() keeps that contract for P* intersected with
// the exact half-plane, for every exact line whose coefficients lie in the given intervals, and
// gives up (nullopt) when a vertex's side is not certain; moments() encloses P*'s moments.

#include <array>
#include <optional>
#include <vector>

#include "quadrature/interval.hpp"

namespace lpcert {

struct Polygon {
    std::vector<std::array<Interval, 2>> vertices;   // counter-clockwise
};

// The rectangle [-r0, r0] x [-r1, r1] (a box centred at the origin).
Polygon centred_rectangle(const Interval& r0, const Interval& r1);

// P intersected with { l(u) >= 0 }, l(u) = c + a0 u + a1 v (`side` = +1) or { l(u) <= 0 } (`side` =
// -1). A vertex where l is exactly 0 stays (it is on both sides); one where l's enclosure contains
// 0 without being exactly 0 makes the side undecidable: nullopt. An empty or degenerate result
// (fewer than 3 vertices) is returned as a polygon without vertices (measure 0). New vertices
// t-interpolate the edges that cross the line, t = l(v_i) / (l(v_i) - l(v_j)) (signs certain,
// so the divisor excludes 0), computed at `prec` and rounded outward.
//
// With `uncertain` given, a vertex whose side is not certain is kept as if it lay on the line
// (in both halves) instead, and *uncertain is raised to at least its |l(v)|: the polygon then
// differs from the exact clip only inside the slab {|l| <= *uncertain} (the triangles between
// such a vertex and the line; docs/math.md 5b), which the caller must account for.
std::optional<Polygon> cut(const Polygon& P, const Interval& c, const Interval& a0, const Interval& a1, int side,
                           Precision prec, mpfr_ptr uncertain = nullptr);

// The moments int_P u^a v^b for a + b <= max_degree, as m[a][b] (m[a] has max_degree - a + 1
// entries): the sum over edges A -> B of the signed triangles (0, A, B), whose moments are
// D a! b! / (a+b+2)! S_ab with D = A x B and S_ab = sum_{i,j} C(i+j, i) C(a+b-i-j, a-i)
// A0^i A1^j B0^(a-i) B1^(b-j), the coefficients of 1 / ((1 - A0 s - A1 t)(1 - B0 s - B1 t)),
// found by two recurrences (4 products per moment and edge). Computed at `work` bits (the
// triangles cancel by about log2(r^2 / area) bits on a thin polygon) and returned at prec,
// rounded outward. Without vertices: all 0.
std::vector<std::vector<Interval>> moments(const Polygon& P, int max_degree, Precision prec, Precision work);

}  // namespace lpcert
