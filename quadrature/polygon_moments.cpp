#include "quadrature/polygon_moments.hpp"

#include <stdexcept>

#include "quadrature/real.hpp"

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
                           Precision prec, mpfr_ptr uncertain) {
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
        } else if (uncertain != nullptr) {
            sign[i] = 0;   // kept on the line; the slab |l| <= |l(v_i)| holds the difference
            Real m(Precision(64));
            magnitude_up(m.raw(), value[i]);
            mpfr_max(uncertain, uncertain, m.raw(), MPFR_RNDU);
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
    const size_t top = static_cast<size_t>(max_degree);
    // triangular tables indexed [p][q], p + q <= max_degree
    auto table = [&] {
        std::vector<std::vector<Interval>> t(top + 1);
        for (size_t p = 0; p <= top; ++p) t[p].assign(top - p + 1, Interval(work));
        return t;
    };
    std::vector<std::vector<Interval>> sum = table(), a = table(), g = table();
    const size_t n = P.vertices.size();
    Interval x0(work), y0(work), x1(work), y1(work), D(work), t(work);
    // out = base + X T_(p-1)q + Y T_p(q-1) (base: 1 at (0, 0), else 0 when none is given)
    auto recur = [&t](Interval& out, const Interval* base, const std::vector<std::vector<Interval>>& T, const Interval& X,
                      const Interval& Y, size_t p, size_t q) {
        if (base != nullptr) mpfi_set(out.raw(), base->raw()); else mpfi_set_si(out.raw(), p == 0 && q == 0 ? 1 : 0);
        if (p > 0) {
            mul(t, X, T[p - 1][q]);
            add(out, out, t);
        }
        if (q > 0) {
            mul(t, Y, T[p][q - 1]);
            add(out, out, t);
        }
    };
    for (size_t i = 0; i < n && n >= 3; ++i) {
        // the signed triangle (origin, A, B): int x^p y^q = D p! q! / (p+q+2)! S_pq with
        // D = x0 y1 - x1 y0 and S_pq the coefficient of s^p u^q in 1 / ((1 - x0 s - y0 u)(1 - x1 s - y1 u))
        const auto& A = P.vertices[i];
        const auto& B = P.vertices[(i + 1) % n];
        round_into(x0, A[0]);
        round_into(y0, A[1]);
        round_into(x1, B[0]);
        round_into(y1, B[1]);
        mul(D, x0, y1);
        mul(t, x1, y0);
        sub(D, D, t);
        for (size_t p = 0; p <= top; ++p) {
            for (size_t q = 0; p + q <= top; ++q) {
                // a = 1 / (1 - x0 s - y0 u): a_pq = x0 a_(p-1)q + y0 a_p(q-1); g = a / (1 - x1 s - y1 u):
                // g_pq = a_pq + x1 g_(p-1)q + y1 g_p(q-1); both tables start from 1 at (0, 0)
                Interval& gp = g[p][q];
                recur(a[p][q], nullptr, a, x0, y0, p, q);
                recur(gp, &a[p][q], g, x1, y1, p, q);
                mul(t, D, gp);
                add(sum[p][q], sum[p][q], t);
            }
        }
    }
    std::vector<std::vector<Interval>> out(top + 1);
    mpz_t num, den;
    mpz_inits(num, den, nullptr);
    for (size_t p = 0; p <= top; ++p) {
        for (size_t q = 0; p + q <= top; ++q) {
            // p! q! / (p + q + 2)!: exact integers, one rounding each way
            mpz_fac_ui(num, p);
            mpz_fac_ui(den, q);
            mpz_mul(num, num, den);
            mpz_fac_ui(den, p + q + 2);
            Interval& s = sum[p][q];
            mpfi_mul_z(s.raw(), s.raw(), num);
            mpfi_div_z(s.raw(), s.raw(), den);
            Interval r(prec);
            round_into(r, s);
            out[p].push_back(std::move(r));
        }
    }
    mpz_clears(num, den, nullptr);
    return out;
}

}  // namespace lpcert
