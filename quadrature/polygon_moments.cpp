#include "quadrature/polygon_moments.hpp"

#include <stdexcept>

namespace lpcert {

Polygon centred_rectangle(const Interval& r0, const Interval& r1) {
    Interval m0(r0.precision()), m1(r1.precision());
    neg(m0, r0);
    neg(m1, r1);
    Polygon P;
    P.vertices = {{m0, m1}, {r0, m1}, {r0, r1}, {m0, r1}};   // counter-clockwise from (-r0, -r1)
    return P;
}

std::optional<Polygon> cut(const Polygon& P, const Interval& c, const Interval& a0, const Interval& a1, int side,
                           Precision prec) {
    const size_t n = P.vertices.size();
    Polygon out;
    if (n < 3) return out;
    std::vector<Interval> value(n, Interval(prec));
    std::vector<int> sign(n);
    Interval t(prec);
    for (size_t i = 0; i < n; ++i) {
        // side * l(v_i)
        mul(value[i], a0, P.vertices[i][0]);
        mul(t, a1, P.vertices[i][1]);
        add(value[i], value[i], t);
        add(value[i], value[i], c);
        if (side < 0) neg(value[i], value[i]);
        if (value[i].is_point() && mpfr_zero_p(value[i].lower())) {
            sign[i] = 0;
        } else if (certainly_positive(value[i])) {
            sign[i] = 1;
        } else if (certainly_negative(value[i])) {
            sign[i] = -1;
        } else {
            return std::nullopt;   // this vertex's side is not certain
        }
    }
    Interval den(prec), d(prec);
    for (size_t i = 0; i < n; ++i) {
        const size_t j = (i + 1) % n;
        if (sign[i] >= 0) out.vertices.push_back(P.vertices[i]);
        if (sign[i] * sign[j] < 0) {
            // the edge crosses the line strictly inside: v = v_i + t (v_j - v_i)
            sub(den, value[i], value[j]);
            div(t, value[i], den);
            std::array<Interval, 2> v{Interval(prec), Interval(prec)};
            for (int k = 0; k < 2; ++k) {
                sub(d, P.vertices[j][static_cast<size_t>(k)], P.vertices[i][static_cast<size_t>(k)]);
                mul(d, d, t);
                add(v[static_cast<size_t>(k)], P.vertices[i][static_cast<size_t>(k)], d);
            }
            out.vertices.push_back(std::move(v));
        }
    }
    if (out.vertices.size() < 3) out.vertices.clear();
    return out;
}

std::vector<std::vector<Interval>> moments(const Polygon& P, int max_degree, Precision prec, Precision work) {
    if (max_degree < 0) throw std::invalid_argument("moments: negative degree");
    std::vector<std::vector<Interval>> sum(static_cast<size_t>(max_degree) + 1);
    for (int a = 0; a <= max_degree; ++a) sum[static_cast<size_t>(a)].assign(static_cast<size_t>(max_degree - a) + 1, Interval(work));
    const size_t n = P.vertices.size();
    const int top = max_degree + 1;
    // binomials C(k, i), k <= top
    std::vector<std::vector<long>> binom(static_cast<size_t>(top) + 1);
    for (int k = 0; k <= top; ++k) {
        binom[static_cast<size_t>(k)].assign(static_cast<size_t>(k) + 1, 1);
        for (int i = 1; i < k; ++i)
            binom[static_cast<size_t>(k)][static_cast<size_t>(i)] =
                binom[static_cast<size_t>(k) - 1][static_cast<size_t>(i) - 1] + binom[static_cast<size_t>(k) - 1][static_cast<size_t>(i)];
    }
    std::vector<Interval> x0p(static_cast<size_t>(top) + 1, Interval(work)), dxp = x0p, y0p = x0p, dyp = x0p;
    Interval x0(work), y0(work), dx(work), dy(work), edge(work), term(work), t(work);
    for (size_t i = 0; i < n && n >= 3; ++i) {
        const auto& v = P.vertices[i];
        const auto& w = P.vertices[(i + 1) % n];
        round_into(x0, v[0]);
        round_into(y0, v[1]);
        round_into(dx, w[0]);
        sub(dx, dx, x0);
        round_into(dy, w[1]);
        sub(dy, dy, y0);
        mpfi_set_si(x0p[0].raw(), 1);
        mpfi_set_si(dxp[0].raw(), 1);
        mpfi_set_si(y0p[0].raw(), 1);
        mpfi_set_si(dyp[0].raw(), 1);
        for (size_t k = 1; k <= static_cast<size_t>(top); ++k) {
            mul(x0p[k], x0p[k - 1], x0);
            mul(dxp[k], dxp[k - 1], dx);
            mul(y0p[k], y0p[k - 1], y0);
            mul(dyp[k], dyp[k - 1], dy);
        }
        for (int a = 0; a <= max_degree; ++a) {
            for (int b = 0; a + b <= max_degree; ++b) {
                // int_0^1 (x0 + t dx)^(a+1) (y0 + t dy)^b dt = sum_{i,j} C(a+1,i) C(b,j) x0^(a+1-i) dx^i y0^(b-j) dy^j / (i+j+1)
                mpfi_set_si(edge.raw(), 0);
                for (int i = 0; i <= a + 1; ++i) {
                    mul(t, x0p[static_cast<size_t>(a + 1 - i)], dxp[static_cast<size_t>(i)]);
                    mpfi_mul_si(t.raw(), t.raw(), binom[static_cast<size_t>(a + 1)][static_cast<size_t>(i)]);
                    for (int j = 0; j <= b; ++j) {
                        mul(term, y0p[static_cast<size_t>(b - j)], dyp[static_cast<size_t>(j)]);
                        mpfi_mul_si(term.raw(), term.raw(), binom[static_cast<size_t>(b)][static_cast<size_t>(j)]);
                        mpfi_div_si(term.raw(), term.raw(), i + j + 1);
                        mul(term, term, t);
                        add(edge, edge, term);
                    }
                }
                mul(edge, edge, dy);
                add(sum[static_cast<size_t>(a)][static_cast<size_t>(b)], sum[static_cast<size_t>(a)][static_cast<size_t>(b)], edge);
            }
        }
    }
    std::vector<std::vector<Interval>> out(sum.size());
    for (int a = 0; a <= max_degree; ++a) {
        for (auto& s : sum[static_cast<size_t>(a)]) {
            mpfi_div_si(s.raw(), s.raw(), a + 1);
            Interval r(prec);
            round_into(r, s);
            out[static_cast<size_t>(a)].push_back(std::move(r));
        }
    }
    return out;
}

}  // namespace lpcert
