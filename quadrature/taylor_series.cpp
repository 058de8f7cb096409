#include "quadrature/taylor_series.hpp"

#include <algorithm>
#include <stdexcept>

#include "quadrature/errors.hpp"
#include "quadrature/evaluation.hpp"
#include "quadrature/real.hpp"
#include "quadrature/tape_runner.hpp"

namespace lpcert {

// ---- layout -------------------------------------------------------------------------------------

SeriesLayout::SeriesLayout(int dimension, int order) : d_(dimension), n_(order) {
    if (dimension < 1 || dimension > kMaxDimension) throw InputError("Taylor series: dimension must be 1..8");
    if (order < 0 || order > 12) throw InputError("Taylor series: order must be 0..12");
    // Monomials graded by degree, so that c[0] is the value and degree-1 terms follow.
    for (int deg = 0; deg <= order; ++deg) {
        std::array<std::uint8_t, kMaxDimension> e{};
        // Enumerate compositions of deg into d parts.
        std::vector<int> parts(static_cast<size_t>(dimension), 0);
        parts[0] = deg;
        while (true) {
            for (int i = 0; i < dimension; ++i) e[static_cast<size_t>(i)] = static_cast<std::uint8_t>(parts[static_cast<size_t>(i)]);
            exponents_.push_back(e);
            degrees_.push_back(deg);
            // next composition (reverse lexicographic on the first part)
            int i = 0;
            while (i < dimension - 1 && parts[static_cast<size_t>(i)] == 0) ++i;
            if (i >= dimension - 1) break;
            const int moved = parts[static_cast<size_t>(i)] - 1;
            parts[static_cast<size_t>(i)] = 0;
            parts[static_cast<size_t>(i) + 1] += 1;
            parts[0] = moved;
        }
    }
    variable_index_.assign(static_cast<size_t>(dimension), -1);
    for (int k = 0; k < size(); ++k) {
        if (degrees_[static_cast<size_t>(k)] != 1) continue;
        for (int i = 0; i < dimension; ++i)
            if (exponents_[static_cast<size_t>(k)][static_cast<size_t>(i)] == 1) variable_index_[static_cast<size_t>(i)] = k;
    }
    for (int a = 0; a < size(); ++a) {
        for (int b = 0; b < size(); ++b) {
            if (degrees_[static_cast<size_t>(a)] + degrees_[static_cast<size_t>(b)] > order) continue;
            std::array<std::uint8_t, kMaxDimension> e{};
            for (int i = 0; i < dimension; ++i)
                e[static_cast<size_t>(i)] = static_cast<std::uint8_t>(exponents_[static_cast<size_t>(a)][static_cast<size_t>(i)] +
                                                                      exponents_[static_cast<size_t>(b)][static_cast<size_t>(i)]);
            for (int k = 0; k < size(); ++k) {
                if (exponents_[static_cast<size_t>(k)] == e) {
                    products_.push_back({a, b, k});
                    break;
                }
            }
        }
    }
    std::stable_sort(products_.begin(), products_.end(), [this](const Product& x, const Product& y) {
        return degrees_[static_cast<size_t>(x.out)] < degrees_[static_cast<size_t>(y.out)];
    });
    for (int m = 0; m <= order; ++m)
        size_through_.push_back(static_cast<size_t>(std::count_if(degrees_.begin(), degrees_.end(), [&](int g) { return g <= m; })));
    for (int m = 0; m <= order; ++m) {
        products_through_.push_back(static_cast<size_t>(std::count_if(products_.begin(), products_.end(), [&](const Product& p) {
            return degrees_[static_cast<size_t>(p.out)] <= m;
        })));
    }
}

// ---- series arithmetic --------------------------------------------------------------------------

namespace {

Series zero_series(const SeriesLayout& layout, Precision prec) {
    Series s;
    s.c.assign(static_cast<size_t>(layout.size()), Interval(prec));
    return s;
}

// An exact zero coefficient: most of them in a network's series (affine between its kinks, every
// coefficient of degree >= 2 is 0), where skipping the interval operation saves most of the time.
bool exact_zero(const Interval& x) { return mpfr_zero_p(x.lower()) && mpfr_zero_p(x.upper()); }

// x := [0, 0]; a test first, as most coefficients written to 0 already are (a slot keeps its
// instruction's shape from one evaluation to the next).
void make_zero(Interval& x) {
    if (!exact_zero(x)) mpfi_set_si(x.raw(), 0);
}


// Integer polynomials for the derivatives of tan, tanh and atan (coefficient k of x^k).
using IntPoly = std::vector<long>;

IntPoly derivative(const IntPoly& p) {
    IntPoly d(p.size() > 1 ? p.size() - 1 : 1, 0);
    for (size_t k = 1; k < p.size(); ++k) d[k - 1] = static_cast<long>(k) * p[k];
    return d;
}

IntPoly multiply(const IntPoly& a, const IntPoly& b) {
    IntPoly r(a.size() + b.size() - 1, 0);
    for (size_t i = 0; i < a.size(); ++i)
        for (size_t j = 0; j < b.size(); ++j) r[i + j] += a[i] * b[j];
    return r;
}

IntPoly add_poly(IntPoly a, const IntPoly& b) {
    if (a.size() < b.size()) a.resize(b.size(), 0);
    for (size_t i = 0; i < b.size(); ++i) a[i] += b[i];
    return a;
}

// P_0 = t, P_{k+1} = (1 + sign t^2) P_k' : the k-th derivative of tan (sign = +1) or tanh (-1)
// as a polynomial in the function's value.
std::vector<IntPoly> tan_like_polynomials(int order, long sign) {
    std::vector<IntPoly> p{{0, 1}};
    for (int k = 0; k < order; ++k) p.push_back(multiply(IntPoly{1, 0, sign}, derivative(p.back())));
    return p;
}

// atan^(k)(x) = Q_k(x) / (1 + x^2)^k with Q_1 = 1, Q_{k+1} = Q_k' (1 + x^2) - 2 k x Q_k.
std::vector<IntPoly> atan_polynomials(int order) {
    std::vector<IntPoly> q{{0}, {1}};
    for (int k = 1; k < order; ++k) {
        q.push_back(add_poly(multiply(derivative(q.back()), IntPoly{1, 0, 1}), multiply(IntPoly{0, -2L * k}, q.back())));
    }
    return q;
}

void horner(Interval& out, const IntPoly& p, const Interval& x, Interval& scratch) {
    mpfi_set_si(out.raw(), 0);
    for (size_t k = p.size(); k-- > 0;) {
        mul(scratch, out, x);
        add_si(out, scratch, p[k]);
    }
}

}  // namespace

struct SeriesDomain {
    using Value = Series;
    SeriesEvaluator& ev;
    const std::vector<Interval>& centre;
    const std::vector<Interval>& params;
    Op current = Op::Constant;
    int current_slot = -1;

    const SeriesLayout& L() const { return *ev.layout_; }
    int order() const { return ev.layout_->order(); }

    // how many coefficients a series of this degree may have nonzero
    size_t upto(int degree) const { return L().size_through_degree(std::min(degree, order())); }
    // o.degree := degree, the coefficients between it and o's former degree made 0 (those beyond
    // the former degree are 0 already); the caller writes the ones up to the new degree
    void reshape(Series& o, int degree) {
        degree = std::min(degree, order());
        for (size_t k = upto(degree), end = upto(o.degree); k < end; ++k) make_zero(o.c[k]);
        o.degree = degree;
    }
    // o := 0
    void clear(Series& o) {
        reshape(o, 0);
        make_zero(o.c[0]);
    }

    void variable(Series& out, long i) {
        clear(out);
        reshape(out, 1);
        mpfi_set(out.c[0].raw(), centre.at(static_cast<size_t>(i)).raw());
        if (order() >= 1) mpfi_set_si(out.c[static_cast<size_t>(L().variable_index(static_cast<int>(i)))].raw(), 1);
    }
    void parameter(Series& out, long i) {
        clear(out);
        mpfi_set(out.c[0].raw(), params.at(static_cast<size_t>(i)).raw());
    }
    void constant(Series& out, long i) {
        clear(out);
        mpfi_set(out.c[0].raw(), ev.constants_[static_cast<size_t>(i)].raw());
    }
    void pi(Series& out) {
        clear(out);
        set_pi(out.c[0]);
    }
    void euler(Series& out) {
        clear(out);
        set_e(out.c[0]);
    }
    // o = a + b or a - b coefficient-wise; a zero operand makes the coefficient a copy (exact).
    void add_or_sub(Series& o, const Series& a, const Series& b, bool subtract) {
        reshape(o, std::max(a.degree, b.degree));
        const size_t n = upto(o.degree);
        for (size_t k = 0; k < n; ++k) {
            if (exact_zero(b.c[k])) {
                mpfi_set(o.c[k].raw(), a.c[k].raw());
            } else if (exact_zero(a.c[k])) {
                if (subtract) mpfi_neg(o.c[k].raw(), b.c[k].raw()); else mpfi_set(o.c[k].raw(), b.c[k].raw());
            } else if (subtract) {
                lpcert::sub(o.c[k], a.c[k], b.c[k]);
            } else {
                lpcert::add(o.c[k], a.c[k], b.c[k]);
            }
        }
    }
    void add(Series& o, const Series& a, const Series& b) { add_or_sub(o, a, b, false); }
    void sub(Series& o, const Series& a, const Series& b) { add_or_sub(o, a, b, true); }
    void neg(Series& o, const Series& a) {
        reshape(o, a.degree);
        for (size_t k = 0, n = upto(a.degree); k < n; ++k) lpcert::neg(o.c[k], a.c[k]);
    }
    void copy(Series& o, const Series& a) {
        reshape(o, a.degree);
        for (size_t k = 0, n = upto(a.degree); k < n; ++k) mpfi_set(o.c[k].raw(), a.c[k].raw());
    }
    // o = a * b truncated at degree max_degree (the coefficients above it are set to 0); o must
    // not alias a or b. A constant factor is a scaling.
    void mul_into(Series& o, const Series& a, const Series& b, int max_degree) {
        if (a.constant() || b.constant()) {
            const Series& s = a.constant() ? a : b;
            const Series& v = a.constant() ? b : a;
            reshape(o, std::min(v.degree, max_degree));
            for (size_t k = 0, n = upto(o.degree); k < n; ++k) {
                if (exact_zero(v.c[k])) make_zero(o.c[k]); else lpcert::mul(o.c[k], v.c[k], s.c[0]);
            }
            return;
        }
        const int degree = std::min(a.degree + b.degree, max_degree);
        reshape(o, degree);
        for (size_t k = 0, n = upto(degree); k < n; ++k) make_zero(o.c[k]);
        Interval& t = ev.s3_;
        const auto& products = L().products();
        const size_t count = L().products_through_degree(std::min(degree, order()));
        for (size_t i = 0; i < count; ++i) {
            const auto& p = products[i];
            const Interval& x = a.c[static_cast<size_t>(p.a)];
            const Interval& y = b.c[static_cast<size_t>(p.b)];
            // exact zeros are common (v has no constant term, Horner's partial sums are short)
            if ((mpfr_zero_p(x.lower()) && mpfr_zero_p(x.upper())) || (mpfr_zero_p(y.lower()) && mpfr_zero_p(y.upper()))) continue;
            add_product(o.c[static_cast<size_t>(p.out)], x, y, t);
        }
    }
    void mul_into(Series& o, const Series& a, const Series& b) { mul_into(o, a, b, order()); }
    void mul(Series& o, const Series& a, const Series& b) { mul_into(o, a, b); }

    // o = sum_k g_k (u - u0)^k for k = 0..order (Horner); g = ev.g_. With v = u - u0 (no constant
    // term) the partial sum acc_k = sum_{j >= k} g_j v^(j-k) is later multiplied by v^k, of degree
    // >= k: only its degrees <= order - k matter, and only those are computed (in d = 3 at order 6
    // that is 1,715 coefficient products instead of 5,544; the kept coefficients are the same).
    void compose(Series& o, const Series& u) {
        if (u.constant()) {
            clear(o);
            mpfi_set(o.c[0].raw(), ev.g_[0].raw());
            return;
        }
        Series& v = ev.t1_;
        Series& acc = ev.t2_;
        Series& tmp = ev.t3_;
        copy(v, u);
        mpfi_set_si(v.c[0].raw(), 0);
        clear(acc);
        const int n = order();
        mpfi_set(acc.c[0].raw(), ev.g_[static_cast<size_t>(n)].raw());
        for (int k = n - 1; k >= 0; --k) {
            mul_into(tmp, acc, v, n - k);
            std::swap(acc, tmp);
            lpcert::add(acc.c[0], acc.c[0], ev.g_[static_cast<size_t>(k)]);
        }
        copy(o, acc);
    }

    // g_k = binom(y, k) * u0^(y-k) style helpers: divides ev.g_[k] by k!.
    void divide_by_factorials() {
        long f = 1;
        for (int k = 2; k <= order(); ++k) {
            f *= k;
            mpfi_div_si(ev.g_[static_cast<size_t>(k)].raw(), ev.g_[static_cast<size_t>(k)].raw(), f);
        }
    }

    bool div(Series& o, const Series& a, const Series& b) {
        // 1/x: g_k = (-1)^k / u0^(k+1)
        const Interval& u0 = b.c[0];
        if (u0.contains_zero()) throw DomainError("division: the divisor's enclosure contains 0");
        Interval& inv = ev.s1_;
        mpfi_si_div(inv.raw(), 1, u0.raw());
        mpfi_set(ev.g_[0].raw(), inv.raw());
        for (int k = 1; k <= order(); ++k) {
            lpcert::mul(ev.g_[static_cast<size_t>(k)], ev.g_[static_cast<size_t>(k) - 1], inv);
            lpcert::neg(ev.g_[static_cast<size_t>(k)], ev.g_[static_cast<size_t>(k)]);
        }
        Series& r = ev.t4_;
        compose(r, b);
        mul_into(o, a, r);
        return true;
    }

    bool pow_int(Series& o, const Series& a, long n) {
        const Interval& u0 = a.c[0];
        if ((n == 2 || n == 3 || n == 4) && !a.constant()) {
            // direct products: one to three series multiplications instead of a composition.
            // u^2 keeps its value tight (sqr) so even powers stay >= 0.
            Series& sq = ev.t4_;
            mul_into(sq, a, a);
            lpcert::sqr(sq.c[0], u0);
            if (n == 2) {
                copy(o, sq);
            } else if (n == 3) {
                mul_into(o, sq, a);
            } else {
                mul_into(o, sq, sq);
                lpcert::sqr(o.c[0], sq.c[0]);
            }
            return true;
        }
        if (n < 0 && u0.contains_zero()) throw DomainError("power: negative exponent of an enclosure containing 0");
        // g_k = binom(n, k) u0^(n-k)
        for (int k = 0; k <= order(); ++k) {
            Interval& g = ev.g_[static_cast<size_t>(k)];
            if (n >= 0 && k > n) {
                mpfi_set_si(g.raw(), 0);
                continue;
            }
            lpcert::pow_int(g, u0, n - k);
            // binom(n, k) = n (n-1) ... (n-k+1) / k!
            for (int j = 0; j < k; ++j) mpfi_mul_si(g.raw(), g.raw(), n - j);
        }
        divide_by_factorials();
        compose(o, a);
        return true;
    }

    bool pow_real(Series& o, const Series& a, long c) {
        const Interval& u0 = a.c[0];
        const Interval& y = ev.constants_[static_cast<size_t>(c)];
        if (mpfr_sgn(u0.lower()) < 0) throw DomainError("power: a real power of a base reaching below 0");
        if (order() > 0 && !certainly_positive(u0)) return false;   // not differentiable at 0
        Interval& base_y = ev.s1_;
        lpcert::pow_real(base_y, u0, y);
        mpfi_set(ev.g_[0].raw(), base_y.raw());
        Interval& factor = ev.s2_;
        for (int k = 1; k <= order(); ++k) {
            // g_k = g_{k-1} * (y - k + 1) / u0, then / k at the end via factorials
            Interval& g = ev.g_[static_cast<size_t>(k)];
            mpfi_sub_si(factor.raw(), y.raw(), k - 1);
            lpcert::mul(g, ev.g_[static_cast<size_t>(k) - 1], factor);
            lpcert::div(g, g, u0);
        }
        divide_by_factorials();
        compose(o, a);
        return true;
    }

    bool min_max(Series& o, const Series& a, const Series& b, bool is_max) {
        if (const auto* forced = ev.forced_at(current_slot)) {
            copy(o, forced->branch == 0 ? a : b);
            return true;
        }
        const Interval& x = a.c[0];
        const Interval& y = b.c[0];
        const bool a_wins = is_max ? certainly_less(y, x) : certainly_less(x, y);
        const bool b_wins = is_max ? certainly_less(x, y) : certainly_less(y, x);
        if (a_wins || b_wins) {
            copy(o, a_wins ? a : b);
            return true;
        }
        if (ev.mode_ == Differentiability::Lipschitz && order() <= 1) {
            // Clarke: value = min/max of the values, gradient in the hull of both gradients.
            reshape(o, std::max(a.degree, b.degree));
            if (is_max) lpcert::max(o.c[0], x, y); else lpcert::min(o.c[0], x, y);
            for (size_t k = 1, m = upto(o.degree); k < m; ++k) mpfi_union(o.c[k].raw(), a.c[k].raw(), b.c[k].raw());
            return true;
        }
        return false;
    }

    bool unary(Series& o, Op op, const Series& a) {
        const Interval& u0 = a.c[0];
        const int n = order();
        auto& g = ev.g_;
        switch (op) {
            case Op::Abs: {
                if (const auto* forced = ev.forced_at(current_slot)) {
                    if (forced->branch == 0) copy(o, a); else neg(o, a);
                    if (forced->value != nullptr) {
                        // two enclosures of the branch's values: they meet
                        if (!overlaps(o.c[0], *forced->value)) throw std::logic_error("forced branch: its value enclosures do not meet");
                        intersect_with(o.c[0], *forced->value);
                    }
                    return true;
                }
                if (certainly_nonnegative(u0) && (n == 0 || certainly_positive(u0))) {
                    copy(o, a);
                    return true;
                }
                if (certainly_negative(u0)) {
                    neg(o, a);
                    return true;
                }
                if (n == 0) {
                    reshape(o, 0);
                    lpcert::abs(o.c[0], u0);
                    return true;
                }
                if (ev.mode_ == Differentiability::Lipschitz && n == 1) {
                    reshape(o, a.degree);
                    lpcert::abs(o.c[0], u0);
                    Interval& unit = ev.s1_;
                    mpfi_interv_si(unit.raw(), -1, 1);
                    for (size_t k = 1, m = upto(a.degree); k < m; ++k) lpcert::mul(o.c[k], a.c[k], unit);
                    return true;
                }
                return false;
            }
            case Op::Floor: {
                Interval& f = ev.s1_;
                lpcert::floor(f, u0);
                if (!f.is_point() && n > 0) return false;   // a jump inside the box
                clear(o);
                mpfi_set(o.c[0].raw(), f.raw());
                return true;
            }
            case Op::Exp: {
                lpcert::exp(g[0], u0);
                for (int k = 1; k <= n; ++k) mpfi_set(g[static_cast<size_t>(k)].raw(), g[0].raw());
                break;
            }
            case Op::Sin:
            case Op::Cos: {
                Interval& s = ev.s1_;
                Interval& c = ev.s2_;
                lpcert::sin_cos(s, c, u0);
                // derivatives cycle: sin -> cos -> -sin -> -cos
                const int shift = op == Op::Sin ? 0 : 1;
                for (int k = 0; k <= n; ++k) {
                    const int phase = (k + shift) % 4;
                    Interval& gk = g[static_cast<size_t>(k)];
                    if (phase == 0) mpfi_set(gk.raw(), s.raw());
                    if (phase == 1) mpfi_set(gk.raw(), c.raw());
                    if (phase == 2) lpcert::neg(gk, s);
                    if (phase == 3) lpcert::neg(gk, c);
                }
                break;
            }
            case Op::Log: {
                lpcert::log(g[0], u0);
                Interval& inv = ev.s1_;
                mpfi_si_div(inv.raw(), 1, u0.raw());
                Interval p(ev.prec_);
                mpfi_set_si(p.raw(), 1);
                for (int k = 1; k <= n; ++k) {
                    // (k-1)! (-1)^(k+1) / u0^k, divided by k! later
                    lpcert::mul(p, p, inv);
                    Interval& gk = g[static_cast<size_t>(k)];
                    mpfi_mul_si(gk.raw(), p.raw(), (k % 2 == 1) ? 1 : -1);
                    for (int j = 1; j < k; ++j) mpfi_mul_si(gk.raw(), gk.raw(), j);
                }
                break;
            }
            case Op::Sqrt: {
                lpcert::sqrt(g[0], u0);
                if (n == 0) break;
                if (!certainly_positive(u0)) return false;   // sqrt is not differentiable at 0
                Interval& factor = ev.s2_;
                for (int k = 1; k <= n; ++k) {
                    // d^k sqrt = (1/2)(1/2 - 1)...(1/2 - k + 1) u0^(1/2 - k)
                    mpfi_set_si(factor.raw(), 1);
                    mpfi_div_si(factor.raw(), factor.raw(), 2);
                    mpfi_sub_si(factor.raw(), factor.raw(), k - 1);
                    Interval& gk = g[static_cast<size_t>(k)];
                    lpcert::mul(gk, g[static_cast<size_t>(k) - 1], factor);
                    lpcert::div(gk, gk, u0);
                }
                break;
            }
            case Op::Tan:
            case Op::Tanh: {
                Interval& t = ev.s1_;
                if (op == Op::Tan) lpcert::tan(t, u0); else lpcert::tanh(t, u0);
                const auto& polys = op == Op::Tan ? ev.tan_polys_ : ev.tanh_polys_;
                for (int k = 0; k <= n; ++k) horner(g[static_cast<size_t>(k)], polys[static_cast<size_t>(k)], t, ev.s2_);
                break;
            }
            case Op::Atan: {
                lpcert::atan(g[0], u0);
                Interval& denom = ev.s1_;   // 1 / (1 + u0^2)
                sqr(denom, u0);
                add_si(denom, denom, 1);
                mpfi_si_div(denom.raw(), 1, denom.raw());
                Interval p(ev.prec_);
                mpfi_set_si(p.raw(), 1);
                for (int k = 1; k <= n; ++k) {
                    lpcert::mul(p, p, denom);
                    Interval& gk = g[static_cast<size_t>(k)];
                    horner(gk, ev.atan_polys_[static_cast<size_t>(k)], u0, ev.s2_);
                    lpcert::mul(gk, gk, p);
                }
                break;
            }
            default: throw std::logic_error("SeriesDomain: unexpected operation");
        }
        divide_by_factorials();
        compose(o, a);
        return true;
    }
};

SeriesEvaluator::SeriesEvaluator(const Expression& e, const SeriesLayout& layout, Precision prec,
                                 Differentiability mode)
    : e_(&e),
      layout_(&layout),
      prec_(prec),
      mode_(mode),
      slots_(e.code().size(), zero_series(layout, prec)),
      t1_(zero_series(layout, prec)),
      t2_(zero_series(layout, prec)),
      t3_(zero_series(layout, prec)),
      t4_(zero_series(layout, prec)),
      g_(static_cast<size_t>(layout.order()) + 1, Interval(prec)),
      s1_(prec),
      s2_(prec),
      s3_(prec),
      tan_polys_(tan_like_polynomials(layout.order(), 1)),
      tanh_polys_(tan_like_polynomials(layout.order(), -1)),
      atan_polys_(atan_polynomials(layout.order())) {
    for (const auto& c : e.constants()) {
        Interval v(prec);
        mpfi_set_q(v.raw(), c.value());
        constants_.push_back(std::move(v));
    }
}

const Series* SeriesEvaluator::evaluate(const std::vector<Interval>& centre, const std::vector<Interval>& params) {
    return evaluate_from(0, centre, params);
}

const Series* SeriesEvaluator::evaluate_from(int first_slot, const std::vector<Interval>& centre,
                                             const std::vector<Interval>& params) {
    return evaluate_range(first_slot, -1, centre, params) ? &slots_.back() : nullptr;
}

bool SeriesEvaluator::evaluate_range(int first_slot, int end_slot, const std::vector<Interval>& centre,
                                     const std::vector<Interval>& params) {
    SeriesDomain dom{*this, centre, params};
    failed_slot_ = -1;
    try {
        if (!detail::run_tape(*e_, dom, slots_, static_cast<size_t>(std::max(first_slot, 0)),
                              end_slot < 0 ? static_cast<size_t>(-1) : static_cast<size_t>(end_slot))) {
            failed_slot_ = dom.current_slot;
            return false;
        }
    } catch (const DomainError& err) {
        throw DomainError("function '" + e_->text() + "' is undefined or unbounded on the box " + describe_box(centre) +
                          " (" + op_name(dom.current) + ": " + err.what() + ")");
    }
    return true;
}

std::vector<Interval> monomial_ranges(const SeriesLayout& layout, const std::vector<Interval>& radius, Precision prec) {
    const int d = layout.dimension();
    std::vector<Interval> out(static_cast<size_t>(layout.size()), Interval(prec));
    Real magnitude(prec);
    for (int b = 0; b < layout.size(); ++b) {
        Interval& v = out[static_cast<size_t>(b)];
        mpfi_set_si(v.raw(), 1);
        bool odd = false;
        if (layout.degree(b) == 0) continue;   // the constant 1
        const auto& e = layout.exponents(b);
        for (int i = 0; i < d; ++i) {
            for (int j = 0; j < e[static_cast<size_t>(i)]; ++j) mul(v, v, radius[static_cast<size_t>(i)]);
            odd = odd || e[static_cast<size_t>(i)] % 2 == 1;
        }
        magnitude_up(magnitude.raw(), v);
        if (odd) {
            mpfr_neg(&v.raw()->left, magnitude.raw(), MPFR_RNDD);   // exact
            mpfr_set(&v.raw()->right, magnitude.raw(), MPFR_RNDU);
        } else {
            mpfr_set_zero(&v.raw()->left, 1);
            mpfr_set(&v.raw()->right, magnitude.raw(), MPFR_RNDU);
        }
    }
    return out;
}

}  // namespace lpcert
