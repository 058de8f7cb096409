#include "quadrature/modulus.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "quadrature/evaluation.hpp"
#include "quadrature/sample_evaluator.hpp"
#include "quadrature/real.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

namespace {

// Largest dyadic with 64 significant bits that is <= the lower end of x (x > 0).
Dyadic dyadic_below(const Interval& x) {
    mpfr_t v;
    mpfr_init2(v, 64);
    mpfr_set(v, x.lower(), MPFR_RNDD);
    Dyadic out = Dyadic::from_mpfr(v);
    mpfr_clear(v);
    return out;
}

// Sample points of the screening: the Kronecker sequence u_k = frac(1/2 + k alpha), k = 1..n, with
// alpha_i = phi^-(i+1) and phi the root of x^(d+1) = x + 1 (Roberts' R_d sequence). Its points
// fill every slab and every face direction evenly, which a tensor grid with 16 points per axis
// does not: a jump's slab |f(x+h) - f(x)| != 0 of width 1/64 would fall between grid planes.
std::vector<std::vector<double>> screening_points(int d, long n) {
    // the points are computed in 64-bit MPFR (k alpha loses about log2(k) bits) and then rounded
    // to double: they only have to spread evenly
    const Precision prec(64);
    mpfr_t phi, t, half, u;
    mpfr_inits2(prec.bits, phi, t, half, u, static_cast<mpfr_ptr>(nullptr));
    mpfr_set_ui_2exp(half, 1, -1, MPFR_RNDN);
    mpfr_set_ui(phi, 2, MPFR_RNDN);
    for (int it = 0; it < 200; ++it) {   // phi = (1 + phi)^(1/(d+1)): a contraction on [1, 2]
        mpfr_add_ui(t, phi, 1, MPFR_RNDN);
        mpfr_rootn_ui(phi, t, static_cast<unsigned long>(d + 1), MPFR_RNDN);
    }
    std::vector<Real> alpha;
    mpfr_set_ui(t, 1, MPFR_RNDN);
    for (int i = 0; i < d; ++i) {
        mpfr_div(t, t, phi, MPFR_RNDN);
        alpha.emplace_back(prec);
        mpfr_set(alpha.back().raw(), t, MPFR_RNDN);
    }
    std::vector<std::vector<double>> points(static_cast<size_t>(n), std::vector<double>(static_cast<size_t>(d)));
    for (long k = 0; k < n; ++k)
        for (int i = 0; i < d; ++i) {
            mpfr_mul_si(u, alpha[static_cast<size_t>(i)].raw(), k + 1, MPFR_RNDN);
            mpfr_add(u, u, half, MPFR_RNDN);
            mpfr_frac(u, u, MPFR_RNDN);
            points[static_cast<size_t>(k)][static_cast<size_t>(i)] = mpfr_get_d(u, MPFR_RNDN);
        }
    mpfr_clears(phi, t, half, u, static_cast<mpfr_ptr>(nullptr));
    return points;
}

// Omega_h = { x in [0,1]^d : x + h in [0,1]^d } as a box with exact ends; empty when some |h_i| >= 1.
std::optional<Box> shift_domain(const std::vector<Dyadic>& h) {
    std::vector<Dyadic> lo, hi;
    for (const Dyadic& hi_ : h) {
        lo.push_back(hi_.sign() >= 0 ? Dyadic(0) : -hi_);
        hi.push_back(hi_.sign() >= 0 ? Dyadic(1) - hi_ : Dyadic(1));
        if (!(lo.back() < hi.back())) return std::nullopt;
    }
    return Box::from_dyadics(lo, hi);
}

struct ShiftTrial {
    std::vector<Dyadic> h;
    Interval norm;
    long boxes;
};

class ShiftEvaluator {
public:
    ShiftEvaluator(const Expression& f, int d, const Exponent& p, const ModulusOptions& o, Precision prec)
        : d_(d), p_(p), options_(o), prec_(prec), g_(shift_difference_integrand(f, d, p)), signed_g_(shift_difference(f, d)) {}

    // An ESTIMATE of ||f(.+h) - f||^p_{L^p(Omega_h)} (vol(Omega_h) times the mean of the integrand
    // over the sample points mapped onto Omega_h), in double (sample_evaluator.hpp): it only ranks
    // the shifts, each bound comes from evaluate(). Points where the integrand is undefined or
    // overflows count as 0.
    double estimate(const std::vector<Dyadic>& h, const std::vector<std::vector<double>>& unit_points) const {
        const auto omega = shift_domain(h);
        if (!omega) return 0.0;
        const size_t d = static_cast<size_t>(d_);
        double vol = 1.0;
        std::vector<double> lo(d), width(d), params(d);
        Real scratch{Precision(64)};
        for (size_t k = 0; k < d; ++k) {
            const int i = static_cast<int>(k);
            lo[k] = mpfr_get_d(omega->side(i).lower(), MPFR_RNDN);
            width[k] = mpfr_get_d(omega->side(i).upper(), MPFR_RNDN) - lo[k];
            vol *= width[k];
            h[k].to_mpfr(scratch.raw(), MPFR_RNDN);
            params[k] = mpfr_get_d(scratch.raw(), MPFR_RNDN);
        }
        SampleEvaluator g(g_);
        std::vector<double> x(d);
        double sum = 0.0;
        for (const auto& u : unit_points) {
            for (size_t k = 0; k < d; ++k) x[k] = std::fma(u[k], width[k], lo[k]);
            const double value = g.evaluate(x, params);
            if (std::isfinite(value)) sum += value;
        }
        return sum * vol / static_cast<double>(unit_points.size());
    }

    // ||f(.+h) - f||_{L^p(Omega_h)} enclosed; h_i given exactly.
    ShiftTrial evaluate(const std::vector<Dyadic>& h, const std::string& absolute_floor) const {
        const auto domain = shift_domain(h);
        if (!domain) return ShiftTrial{h, Interval(prec_), 0};   // Omega_h is empty
        const Box& omega = *domain;
        std::vector<Interval> params;
        for (const Dyadic& hi : h) params.push_back(hi.to_interval(prec_));
        IntegrationOptions opt = options_.integration;
        opt.nonnegative = true;
        opt.absolute_floor = absolute_floor;
        auto r = enclose_integral(g_, {Piece{omega, 0}}, {params}, opt, prec_);
        ShiftTrial trial{h, root_outward(r.value, p_, prec_), r.boxes};
        // |g|^p is smooth wherever g is when p is an even integer: a spent budget then has
        // another cause, and the signed integral would only spend another
        if (r.status == IntegrationStatus::BudgetSpent && !p_.is_even_integer()) raise_by_hoelder(trial, omega, params);
        return trial;
    }

private:
    // Hoelder on Omega_h: |int g| <= ||g||_1 <= ||g||_p vol^(1 - 1/p), so
    //     ||g||_p >= |int g| / vol^(1 - 1/p),   g = f(. + h) - f.
    // The signed g is smooth where f is, while |g|^p (p not an even integer) is not where g
    // changes sign or its enclosure reaches 0: when the |g|^p quadrature spent its budget (exp_sum
    // in d = 3 with p = 1 and a short h: the order-0 fallback gave W = 0), the signed integral,
    // tight wherever g keeps one sign, may give the better lower end.
    void raise_by_hoelder(ShiftTrial& trial, const Box& omega, const std::vector<Interval>& params) const {
        IntegrationOptions opt = options_.integration;
        opt.nonnegative = false;
        opt.absolute_floor = "0";
        // a smooth signed g converges in few boxes where it keeps one sign; where it changes
        // sign its integral is near 0 and no budget would help
        if (opt.max_boxes > 0) opt.max_boxes = std::max(1000L, opt.max_boxes / 8);
        const auto s = enclose_integral(signed_g_, {Piece{omega, 0}}, {params}, opt, prec_);
        trial.boxes += s.boxes;
        mpfr_t mig, t, u;
        mpfr_inits2(prec_.bits, mig, t, u, static_cast<mpfr_ptr>(nullptr));
        // |int g| >= mig: the end of the enclosure nearest 0, or 0 when it holds 0
        if (mpfr_sgn(s.value.lower()) > 0) mpfr_set(mig, s.value.lower(), MPFR_RNDD);
        else if (mpfr_sgn(s.value.upper()) < 0) mpfr_neg(mig, s.value.upper(), MPFR_RNDD);
        else mpfr_set_zero(mig, 1);
        if (mpfr_sgn(mig) > 0) {
            // vol^(1 - 1/p) <= vol_hi / (vol^(1/p))_lo, rounded up
            const Interval vol = omega.volume(prec_);
            const Interval root = root_outward(vol, p_, prec_);
            if (mpfr_sgn(root.lower()) > 0) {
                mpfr_div(u, vol.upper(), root.lower(), MPFR_RNDU);
                mpfr_div(t, mig, u, MPFR_RNDD);
                if (mpfr_greater_p(t, trial.norm.lower()) && mpfr_lessequal_p(t, trial.norm.upper()))
                    mpfr_set(&trial.norm.raw()->left, t, MPFR_RNDD);
            }
        }
        mpfr_clears(mig, t, u, static_cast<mpfr_ptr>(nullptr));
    }

    int d_;
    const Exponent& p_;
    const ModulusOptions& options_;
    Precision prec_;
    Expression g_;
    Expression signed_g_;
};

}  // namespace

Interval enclose_shift_norm(const Expression& f, int d, const Exponent& p, const std::vector<Dyadic>& h,
                            const IntegrationOptions& options, Precision prec) {
    f.require_dimension(d);
    ModulusOptions o;
    o.integration = options;
    const ShiftEvaluator shifts(f, d, p, o, prec);
    return shifts.evaluate(h, "0").norm;
}

namespace {

bool is_diagonal(const std::vector<int>& dir) {
    return std::count_if(dir.begin(), dir.end(), [](int v) { return v != 0; }) > 1;
}

// Search directions: the unit vectors, and (with diagonals) e_i +- e_j for i < j, entries -1, 0, 1
// (a diagonal is scaled by 1/sqrt 2 when a shift is made from it).
std::vector<std::vector<int>> search_directions(int d, bool diagonals) {
    std::vector<std::vector<int>> directions;
    for (int k = 0; k < d; ++k) {
        std::vector<int> e(static_cast<size_t>(d), 0);
        e[static_cast<size_t>(k)] = 1;
        directions.push_back(e);
    }
    if (diagonals) {
        for (int i = 0; i < d; ++i)
            for (int j = i + 1; j < d; ++j)
                for (int s : {1, -1}) {
                    std::vector<int> e(static_cast<size_t>(d), 0);
                    e[static_cast<size_t>(i)] = 1;
                    e[static_cast<size_t>(j)] = s;
                    directions.push_back(e);
                }
    }
    return directions;
}

// One search for a lower bound of omega_f(delta)_p: candidate shifts h = t delta dir/|dir|
// (t in (0, 1], rounded toward 0 so that |h|_2 <= delta), each enclosed shift a certified lower
// bound on its own; the best is kept.
class ShiftSearch {
public:
    ShiftSearch(const Expression& f, int d, const Exponent& p, mpq_srcptr delta, const ModulusOptions& options,
                Precision prec)
        : d_(d), p_(p), options_(options), prec_(prec), shifts_(f, d, p, options, prec), delta_(prec), inv_sqrt2_(2, prec),
          best_{Interval(prec), {}, 0, 0}, best_t_(prec) {
        mpfi_set_q(delta_.raw(), delta);
        sqrt(inv_sqrt2_, inv_sqrt2_);
        mpfi_si_div(inv_sqrt2_.raw(), 1, inv_sqrt2_.raw());
    }

    // Screening: every candidate shift is ranked by an estimate of its norm from sample points
    // (cheap, not an enclosure); the best few by estimate are then enclosed at the requested
    // tolerance. Ranking by certified coarse enclosures instead (tolerance 0.1, 2,000 boxes per
    // shift) cost most of a level's time in d = 3 and ranked no better: wide enclosures hardly
    // separate close shifts.
    void screen_and_enclose_best() {
        std::vector<Planned> plan;
        for (const auto& dir : search_directions(d_, options_.diagonals)) {
            // axis directions on the full grid; diagonals on half of it ("some diagonal directions")
            const int grid = is_diagonal(dir) ? std::max(2, options_.grid / 2) : options_.grid;
            for (int j = 1; j <= grid; ++j) {
                Interval t(j, prec_);
                mpfi_div_si(t.raw(), t.raw(), grid);
                if (j == grid) mpfi_set_si(t.raw(), 1);
                auto h = shift_for(t, dir);
                if (is_zero(h)) continue;
                plan.push_back(Planned{t, dir, std::move(h)});
            }
        }
        // The estimates are independent: computed in parallel into indexed slots, then ranked by
        // a stable sort, so the choice does not depend on the number of threads.
        const auto points = screening_points(d_, options_.screening_points);
        std::vector<double> estimates(plan.size(), 0.0);
        tbb::parallel_for(tbb::blocked_range<size_t>(0, plan.size(), 1), [&](const tbb::blocked_range<size_t>& r) {
            for (size_t k = r.begin(); k != r.end(); ++k) {
                if (options_.integration.stop.stop_requested()) return;
                estimates[k] = shifts_.estimate(plan[k].h, points);
            }
        });
        options_.integration.stop.throw_if_stop_requested();
        best_.shifts_screened = static_cast<int>(plan.size());
        std::vector<size_t> order(plan.size());
        for (size_t k = 0; k < order.size(); ++k) order[k] = k;
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            return estimates[a] > estimates[b];
        });
        for (size_t k = 0; k < std::min<size_t>(static_cast<size_t>(options_.candidates), order.size()); ++k)
            consider(plan[order[k]].t, plan[order[k]].dir);
    }

    // Refine the length around the best candidate (its direction kept): t +- step, step halving.
    void refine_length() {
        Interval step(1, prec_);
        mpfi_div_si(step.raw(), step.raw(), 2 * options_.grid);
        for (int round = 0; round < options_.refine_rounds && !best_dir_.empty(); ++round) {
            const Interval centre = best_t_;
            const auto dir = best_dir_;
            for (int s : {-1, 1}) {
                Interval t(prec_);
                if (s < 0) sub(t, centre, step); else add(t, centre, step);
                Interval one(1, prec_);
                if (certainly_less_equal(t, one)) consider(t, dir);
            }
            mul_2si(step, step, -1);
        }
    }

    ModulusLowerBound& best() { return best_; }

private:
    struct Planned {
        Interval t;
        std::vector<int> dir;
        std::vector<Dyadic> h;
    };

    static bool is_zero(const std::vector<Dyadic>& h) {
        return std::all_of(h.begin(), h.end(), [](const Dyadic& x) { return x.is_zero(); });
    }

    // h = (length fraction t) * delta * direction / |direction|, rounded toward 0 componentwise.
    std::vector<Dyadic> shift_for(const Interval& t, const std::vector<int>& dir) const {
        Interval len(prec_);
        mul(len, t, delta_);
        if (is_diagonal(dir)) mul(len, len, inv_sqrt2_);
        const Dyadic c = dyadic_below(len);
        std::vector<Dyadic> h;
        for (int v : dir) h.push_back(v == 0 ? Dyadic(0) : (v > 0 ? c : -c));
        return h;
    }

    // Encloses ||f(.+h) - f|| for the shift of (t, dir) and keeps it if it is the best so far.
    void consider(const Interval& t, const std::vector<int>& dir) {
        if (!certainly_positive(t)) return;
        const auto h = shift_for(t, dir);
        if (is_zero(h)) return;
        // floor = (best lower bound so far)^p, as an exact decimal rounded down
        Interval best_p = power_outward(best_.norm_at_best, p_, prec_);
        ShiftTrial trial = shifts_.evaluate(h, decimal_down(best_p.lower(), 6));
        best_.boxes += trial.boxes;
        best_.shifts_tried++;
        if (mpfr_greater_p(trial.norm.lower(), best_.norm_at_best.lower()) || best_.best_shift.empty()) {
            best_.norm_at_best = trial.norm;
            best_.best_shift = trial.h;
            best_dir_ = dir;
            best_t_ = t;
        }
    }

    int d_;
    const Exponent& p_;
    const ModulusOptions& options_;
    Precision prec_;
    const ShiftEvaluator shifts_;
    Interval delta_, inv_sqrt2_;
    ModulusLowerBound best_;
    std::vector<int> best_dir_;
    Interval best_t_;
};

}  // namespace

ModulusLowerBound certify_modulus_lower_bound(const Expression& f, int d, const Exponent& p, mpq_srcptr delta,
                                              const ModulusOptions& options, Precision prec) {
    f.require_dimension(d);
    ShiftSearch search(f, d, p, delta, options, prec);
    // Every certified trial is a lower bound on its own, so a stop request (options.integration.stop)
    // keeps the best one so far, marked stopped; before the first trial there is nothing to keep.
    try {
        search.screen_and_enclose_best();
        search.refine_length();
    } catch (const Stopped&) {
        if (search.best().shifts_tried == 0) throw;
        search.best().stopped = true;
    }
    return std::move(search.best());
}

namespace {

bool same_search(const ModulusOptions& a, const ModulusOptions& b) {
    return a.grid == b.grid && a.refine_rounds == b.refine_rounds && a.diagonals == b.diagonals &&
           a.screening_points == b.screening_points && a.candidates == b.candidates &&
           a.integration.relative_tolerance == b.integration.relative_tolerance &&
           a.integration.absolute_floor == b.integration.absolute_floor &&
           a.integration.piece_absolute_tolerance == b.integration.piece_absolute_tolerance &&
           a.integration.taylor_order == b.integration.taylor_order && a.integration.max_boxes == b.integration.max_boxes;
}

}  // namespace

ModulusSearch::ModulusSearch(const Expression& f, int d, const Exponent& p, mpq_srcptr delta,
                             const ModulusOptions& options, Precision prec)
    : f_text_(f.text()), p_text_(p.text()), d_(d), options_(options), bits_(prec.bits),
      result_(certify_modulus_lower_bound(f, d, p, delta, options, prec)) {
    mpq_set(delta_.backend().data(), delta);
}

bool ModulusSearch::answers(const Expression& f, int d, const Exponent& p, mpq_srcptr delta,
                            const ModulusOptions& options, Precision prec) const {
    // a stopped search is a valid bound but not the answer a finished one would give
    return !result_.stopped && f.text() == f_text_ && p.text() == p_text_ && d == d_ &&
           mpq_equal(delta, delta_.backend().data()) != 0 && prec.bits == bits_ && same_search(options, options_);
}

ModulusLowerBound certify_modulus_lower_bound(const Expression& f, int d, const Exponent& p, mpq_srcptr delta,
                                              const ModulusOptions& options, Precision prec, const ModulusSearch* known) {
    if (known && known->answers(f, d, p, delta, options, prec)) return known->result();
    return certify_modulus_lower_bound(f, d, p, delta, options, prec);
}

}  // namespace lpcert
