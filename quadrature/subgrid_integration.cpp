#include "quadrature/subgrid_integration.hpp"

#include <stdexcept>

#include "quadrature/box.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/taylor_series.hpp"

namespace lpcert {

namespace {

bool is_exact_zero(const Interval& x) { return mpfr_zero_p(x.lower()) && mpfr_zero_p(x.upper()); }

}  // namespace

struct SubgridIntegrator::Impl {
    Expression f;   // owned: the evaluators keep a pointer to it
    int d, n;
    long P;   // n + 1: exponents 0..n along each axis
    Precision prec;
    SeriesLayout point_layout, box_layout;
    SeriesEvaluator point_ev, box_ev;
    std::vector<Interval> centre, radius;
    // per axis, entry e + P j: int over cell side j of u^e (moments) and its remainder version
    // (remainder_moments: [-1, 1] int |u|^e where the side contains the centre and e is odd)
    std::vector<std::vector<Interval>> moments, remainder_moments;
    std::vector<Interval> poly, rem, work_a, work_b, poly_cells;
    Interval lo, hi, lo_abs, hi_abs, lo_pow, hi_pow, lo_abs_pow, hi_abs_pow, scratch, unit;

    Impl(const Expression& g, int dim, int order, Precision p)
        : f(g), d(dim), n(order), P(order + 1), prec(p), point_layout(dim, order - 1), box_layout(dim, order),
          point_ev(f, point_layout, p), box_ev(f, box_layout, p), lo(p), hi(p), lo_abs(p), hi_abs(p), lo_pow(p),
          hi_pow(p), lo_abs_pow(p), hi_abs_pow(p), scratch(p), unit(p) {
        mpfi_interv_si(unit.raw(), -1, 1);
        moments.resize(static_cast<size_t>(d));
        remainder_moments.resize(static_cast<size_t>(d));
    }

    static void grow(std::vector<Interval>& v, size_t size, Precision p) {
        while (v.size() < size) v.emplace_back(p);
    }

    // The tables of axis i for the centre m_i.
    void axis_tables(int i, const std::vector<Dyadic>& cut) {
        const long k = static_cast<long>(cut.size()) - 1;
        auto& J = moments[static_cast<size_t>(i)];
        auto& Jr = remainder_moments[static_cast<size_t>(i)];
        grow(J, static_cast<size_t>(P * k), prec);
        grow(Jr, static_cast<size_t>(P * k), prec);
        const Interval& m = centre[static_cast<size_t>(i)];
        for (long j = 0; j < k; ++j) {
            sub(lo, cut[static_cast<size_t>(j)].to_interval(prec), m);
            sub(hi, cut[static_cast<size_t>(j) + 1].to_interval(prec), m);
            // u keeps one sign on the side (or may not, where an end is not certainly on one side)
            const bool one_sign = certainly_nonnegative(lo) || mpfr_sgn(hi.upper()) <= 0;
            mpfi_set(lo_pow.raw(), lo.raw());
            mpfi_set(hi_pow.raw(), hi.raw());
            abs(lo_abs, lo);
            abs(hi_abs, hi);
            mpfi_set(lo_abs_pow.raw(), lo_abs.raw());
            mpfi_set(hi_abs_pow.raw(), hi_abs.raw());
            for (long e = 0; e <= n; ++e) {
                Interval& Je = J[static_cast<size_t>(e + P * j)];
                Interval& Jre = Jr[static_cast<size_t>(e + P * j)];
                sub(Je, hi_pow, lo_pow);                  // (h^(e+1) - l^(e+1)) / (e + 1)
                mpfi_div_si(Je.raw(), Je.raw(), e + 1);
                if (one_sign || e % 2 == 0) {
                    mpfi_set(Jre.raw(), Je.raw());
                } else {
                    // int_l^h |u|^e = (|h|^(e+1) + |l|^(e+1)) / (e + 1) for l <= 0 <= h, and at most
                    // that for any l < h
                    add(Jre, hi_abs_pow, lo_abs_pow);
                    mpfi_div_si(Jre.raw(), Jre.raw(), e + 1);
                    mul(Jre, Jre, unit);
                }
                mul(lo_pow, lo_pow, lo);
                mul(hi_pow, hi_pow, hi);
                mul(lo_abs_pow, lo_abs_pow, lo_abs);
                mul(hi_abs_pow, hi_abs_pow, hi_abs);
            }
        }
    }

    // in: P^r x cells entries (exponent index fastest), contracted over the exponent of axis r - 1
    // with `table` (k sides): result P^(r-1) x (k cells), the new side index fastest among cells.
    void contract(const std::vector<Interval>& in, int r, long cells, const std::vector<Interval>& table, long k,
                  std::vector<Interval>& result) {
        long inner = 1;
        for (int q = 0; q + 1 < r; ++q) inner *= P;
        grow(result, static_cast<size_t>(inner * k * cells), prec);
        for (long c = 0; c < cells; ++c) {
            for (long j = 0; j < k; ++j) {
                for (long E = 0; E < inner; ++E) {
                    Interval& acc = result[static_cast<size_t>(E + inner * (j + k * c))];
                    mpfi_set_si(acc.raw(), 0);
                    for (long e = 0; e < P; ++e) {
                        const Interval& x = in[static_cast<size_t>(E + inner * (e + P * c))];
                        if (is_exact_zero(x)) continue;
                        add_product(acc, x, table[static_cast<size_t>(e + P * j)], scratch);
                    }
                }
            }
        }
    }

    // Contracts the P^d tensor `coeffs` over every axis with the given tables into `cells_out`.
    void contract_all(std::vector<Interval>& coeffs, const std::vector<std::vector<Interval>>& tables,
                      const std::vector<long>& parts, std::vector<Interval>*& cells_out) {
        std::vector<Interval>* in = &coeffs;
        std::vector<Interval>* out = &work_a;
        long cells = 1;
        for (int r = d; r >= 1; --r) {
            const long k = parts[static_cast<size_t>(r - 1)];
            contract(*in, r, cells, tables[static_cast<size_t>(r - 1)], k, *out);
            cells *= k;
            in = out;
            out = (out == &work_a) ? &work_b : &work_a;
        }
        cells_out = in;
    }

    long tensor_index(const SeriesLayout& layout, int k) const {
        const auto& e = layout.exponents(k);
        long E = 0, place = 1;
        for (int i = 0; i < d; ++i) {
            E += e[static_cast<size_t>(i)] * place;
            place *= P;
        }
        return E;
    }

    bool enclose(const std::vector<std::vector<Dyadic>>& cuts, std::vector<Interval>& out) {
        if (static_cast<int>(cuts.size()) != d) throw std::invalid_argument("SubgridIntegrator: cuts of another dimension");
        std::vector<Dyadic> a, b;
        std::vector<long> parts;
        long cells = 1;
        for (const auto& cut : cuts) {
            if (cut.size() < 2) throw std::invalid_argument("SubgridIntegrator: an axis without a cell");
            for (size_t j = 1; j < cut.size(); ++j)
                if (!(cut[j - 1] < cut[j])) throw std::invalid_argument("SubgridIntegrator: cuts not increasing");
            a.push_back(cut.front());
            b.push_back(cut.back());
            parts.push_back(static_cast<long>(cut.size()) - 1);
            cells *= parts.back();
        }
        const Box box = Box::from_dyadics(a, b);
        box.centre_and_radius(centre, radius, prec);
        const Series* sb = nullptr;
        const Series* sp = nullptr;
        try {
            sb = box_ev.evaluate(box.sides());
            if (sb == nullptr) return false;
            sp = point_ev.evaluate(centre);
            if (sp == nullptr) return false;
        } catch (const DomainError&) {
            return false;   // a derivative undefined somewhere on the box: no Taylor form here
        }
        try {
            for (int i = 0; i < d; ++i) axis_tables(i, cuts[static_cast<size_t>(i)]);
            return sums(sp, sb, parts, cells, out);
        } catch (const DomainError&) {
            return false;   // an overflow in the tables or the sums: no form here, the caller integrates otherwise
        }
    }

    bool sums(const Series* sp, const Series* sb, const std::vector<long>& parts, long cells, std::vector<Interval>& out) {

        long tensor = 1;
        for (int i = 0; i < d; ++i) tensor *= P;
        grow(poly, static_cast<size_t>(tensor), prec);
        grow(rem, static_cast<size_t>(tensor), prec);
        for (long E = 0; E < tensor; ++E) {
            mpfi_set_si(poly[static_cast<size_t>(E)].raw(), 0);
            mpfi_set_si(rem[static_cast<size_t>(E)].raw(), 0);
        }
        // coefficients past a series' degree are exactly 0 (and not stored)
        const int point_terms = static_cast<int>(point_layout.size_through_degree(std::min(sp->degree, n - 1)));
        for (int k = 0; k < point_terms; ++k) mpfi_set(poly[static_cast<size_t>(tensor_index(point_layout, k))].raw(), sp->c[static_cast<size_t>(k)].raw());
        if (sb->degree >= n) {
            for (int k = 0; k < box_layout.size(); ++k)
                if (box_layout.degree(k) == n) mpfi_set(rem[static_cast<size_t>(tensor_index(box_layout, k))].raw(), sb->c[static_cast<size_t>(k)].raw());
        }

        std::vector<Interval>* poly_out = nullptr;
        contract_all(poly, moments, parts, poly_out);
        // keep the polynomial part before the work vectors are reused
        grow(poly_cells, static_cast<size_t>(cells), prec);
        for (long c = 0; c < cells; ++c) mpfi_set(poly_cells[static_cast<size_t>(c)].raw(), (*poly_out)[static_cast<size_t>(c)].raw());
        std::vector<Interval>* rem_out = nullptr;
        contract_all(rem, remainder_moments, parts, rem_out);

        out.clear();
        out.reserve(static_cast<size_t>(cells));
        for (long c = 0; c < cells; ++c) {
            out.emplace_back(prec);
            add(out.back(), poly_cells[static_cast<size_t>(c)], (*rem_out)[static_cast<size_t>(c)]);   // throws if not finite
        }
        return true;
    }
};

SubgridIntegrator::SubgridIntegrator(const Expression& f, int dimension, int order, Precision prec) {
    if (order < 1) throw std::invalid_argument("SubgridIntegrator: the order must be at least 1");
    if (dimension < 1 || dimension > SeriesLayout::kMaxDimension) throw std::invalid_argument("SubgridIntegrator: dimension out of range");
    impl_ = std::make_unique<Impl>(f, dimension, order, prec);
}

SubgridIntegrator::~SubgridIntegrator() = default;
SubgridIntegrator::SubgridIntegrator(SubgridIntegrator&&) noexcept = default;

bool SubgridIntegrator::enclose(const std::vector<std::vector<Dyadic>>& cuts, std::vector<Interval>& out) {
    return impl_->enclose(cuts, out);
}

}  // namespace lpcert
