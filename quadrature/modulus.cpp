#include "quadrature/modulus.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <optional>

#include "quadrature/stop_request.hpp"

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

struct ShiftTrial {
    std::vector<Dyadic> h;
    Interval norm;
    long boxes;
};

class ShiftEvaluator {
public:
    ShiftEvaluator(const Expression& f, int d, const Exponent& p, const ModulusOptions& o, Precision prec)
        : d_(d), p_(p), options_(o), prec_(prec), g_(shift_difference_integrand(f, d, p)) {}

    // ||f(.+h) - f||_{L^p(Omega_h)} enclosed; h_i given exactly.
    ShiftTrial evaluate(const std::vector<Dyadic>& h, const std::string& absolute_floor) const {
        std::vector<Dyadic> lo, hi;
        std::vector<Interval> params;
        for (int i = 0; i < d_; ++i) {
            const Dyadic& hi_ = h[static_cast<size_t>(i)];
            if (hi_.sign() >= 0) {
                lo.push_back(Dyadic(0));
                hi.push_back(Dyadic(1) - hi_);
            } else {
                lo.push_back(-hi_);
                hi.push_back(Dyadic(1));
            }
            params.push_back(hi_.to_interval(prec_));
            if (!(lo.back() < hi.back())) return ShiftTrial{h, Interval(prec_), 0};   // Omega_h is empty
        }
        IntegrationOptions opt = options_.integration;
        opt.nonnegative = true;
        opt.absolute_floor = absolute_floor;
        auto r = enclose_integral(g_, {Piece{Box::from_dyadics(lo, hi), 0}}, {params}, opt, prec_);
        return ShiftTrial{h, root_outward(r.value, p_, prec_), r.boxes};
    }

private:
    int d_;
    const Exponent& p_;
    const ModulusOptions& options_;
    Precision prec_;
    Expression g_;
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

ModulusLowerBound certify_modulus_lower_bound(const Expression& f, int d, const Exponent& p, mpq_srcptr delta,
                                              const ModulusOptions& options, Precision prec) {
    f.require_dimension(d);
    const ShiftEvaluator shifts(f, d, p, options, prec);
    Interval delta_i(prec);
    mpfi_set_q(delta_i.raw(), delta);
    Interval inv_sqrt2(2, prec);
    sqrt(inv_sqrt2, inv_sqrt2);
    mpfi_si_div(inv_sqrt2.raw(), 1, inv_sqrt2.raw());

    // Directions: unit vectors (as interval factors per axis).
    std::vector<std::vector<int>> directions;   // entries -1, 0, 1; diagonal ones are scaled by 1/sqrt2
    for (int k = 0; k < d; ++k) {
        std::vector<int> e(static_cast<size_t>(d), 0);
        e[static_cast<size_t>(k)] = 1;
        directions.push_back(e);
    }
    if (options.diagonals) {
        for (int i = 0; i < d; ++i)
            for (int j = i + 1; j < d; ++j)
                for (int s : {1, -1}) {
                    std::vector<int> e(static_cast<size_t>(d), 0);
                    e[static_cast<size_t>(i)] = 1;
                    e[static_cast<size_t>(j)] = s;
                    directions.push_back(e);
                }
    }

    // h = (length fraction t) * delta * direction / |direction|, rounded toward 0 componentwise.
    auto shift_for = [&](const Interval& t, const std::vector<int>& dir) {
        const bool diagonal = std::count_if(dir.begin(), dir.end(), [](int v) { return v != 0; }) > 1;
        Interval len(prec);
        mul(len, t, delta_i);
        if (diagonal) mul(len, len, inv_sqrt2);
        const Dyadic c = dyadic_below(len);
        std::vector<Dyadic> h;
        for (int v : dir) h.push_back(v == 0 ? Dyadic(0) : (v > 0 ? c : -c));
        return h;
    };

    ModulusLowerBound best{Interval(prec), {}, 0, 0};
    std::vector<int> best_dir;
    Interval best_t(prec);
    auto consider = [&](const Interval& t, const std::vector<int>& dir) {
        if (!certainly_positive(t)) return;
        const auto h = shift_for(t, dir);
        if (std::all_of(h.begin(), h.end(), [](const Dyadic& x) { return x.is_zero(); })) return;
        // floor = (best lower bound so far)^p, as an exact decimal rounded down
        Interval best_p = power_outward(best.norm_at_best, p, prec);
        ShiftTrial trial = shifts.evaluate(h, decimal_down(best_p.lower(), 6));
        best.boxes += trial.boxes;
        best.shifts_tried++;
        if (mpfr_greater_p(trial.norm.lower(), best.norm_at_best.lower()) || best.best_shift.empty()) {
            best.norm_at_best = trial.norm;
            best.best_shift = trial.h;
            best_dir = dir;
            best_t = t;
        }
    };

    // Screening: every candidate at a coarse tolerance and a small budget (still certified lower
    // bounds); then the best few again at the requested tolerance.
    struct Candidate {
        Interval t;
        std::vector<int> dir;
        Interval norm;
    };
    // Every trial is a certified lower bound on its own, so a stop request (stop_request.hpp)
    // keeps the best one so far, marked stopped; before the first trial there is nothing to keep.
    try {
        std::vector<Candidate> screened;
        ModulusOptions coarse = options;
        coarse.integration.relative_tolerance = "1e-1";
        coarse.integration.max_boxes = 2000;
        // a 10% answer needs few boxes: a low Taylor order is cheaper per box (84 coefficients at
        // order 6 in d = 3 against 35 at order 4)
        coarse.integration.taylor_order = std::min(options.integration.taylor_order, 4);
        const ShiftEvaluator screening(f, d, p, coarse, prec);
        struct Planned {
            Interval t;
            std::vector<int> dir;
            std::vector<Dyadic> h;
        };
        std::vector<Planned> plan;
        for (const auto& dir : directions) {
            // axis directions on the full grid; diagonals on half of it ("some diagonal directions")
            const bool diagonal = std::count_if(dir.begin(), dir.end(), [](int v) { return v != 0; }) > 1;
            const int grid = diagonal ? std::max(2, options.grid / 2) : options.grid;
            for (int j = 1; j <= grid; ++j) {
                Interval t(j, prec);
                mpfi_div_si(t.raw(), t.raw(), grid);
                if (j == grid) mpfi_set_si(t.raw(), 1);
                auto h = shift_for(t, dir);
                if (std::all_of(h.begin(), h.end(), [](const Dyadic& x) { return x.is_zero(); })) continue;
                plan.push_back(Planned{t, dir, std::move(h)});
            }
        }
        // The screened candidates are independent: enclosed in parallel into indexed slots, then
        // read in index order, so the result does not depend on the number of threads. A stop
        // request leaves the remaining slots empty; the trials done still count (each one is a
        // certified lower bound), and the search ends after reading them.
        std::vector<std::optional<ShiftTrial>> trials(plan.size());
        tbb::parallel_for(tbb::blocked_range<size_t>(0, plan.size(), 1), [&](const tbb::blocked_range<size_t>& r) {
            for (size_t k = r.begin(); k != r.end(); ++k) {
                try {
                    trials[k] = screening.evaluate(plan[k].h, "0");
                } catch (const Stopped&) {
                    return;
                }
            }
        });
        for (size_t k = 0; k < plan.size(); ++k) {
            if (!trials[k]) continue;
            const ShiftTrial& trial = *trials[k];
            best.boxes += trial.boxes;
            best.shifts_tried++;
            screened.push_back(Candidate{plan[k].t, plan[k].dir, trial.norm});
            if (mpfr_greater_p(trial.norm.lower(), best.norm_at_best.lower()) || best.best_shift.empty()) {
                best.norm_at_best = trial.norm;
                best.best_shift = trial.h;
                best_dir = plan[k].dir;
                best_t = plan[k].t;
            }
        }
        throw_if_stop_requested();
        // the three largest upper ends: the only candidates that can beat the screened best
        std::stable_sort(screened.begin(), screened.end(), [](const Candidate& a, const Candidate& b) {
            return mpfr_greater_p(a.norm.upper(), b.norm.upper()) != 0;
        });
        for (size_t k = 0; k < std::min<size_t>(3, screened.size()); ++k) consider(screened[k].t, screened[k].dir);
        // Refine the length around the best candidate (its direction kept): t +- step, step halving.
        Interval step(1, prec);
        mpfi_div_si(step.raw(), step.raw(), 2 * options.grid);
        for (int round = 0; round < options.refine_rounds && !best_dir.empty(); ++round) {
            const Interval centre = best_t;
            const auto dir = best_dir;
            for (int s : {-1, 1}) {
                Interval t(prec);
                if (s < 0) sub(t, centre, step); else add(t, centre, step);
                Interval one(1, prec);
                if (certainly_less_equal(t, one)) consider(t, dir);
            }
            mul_2si(step, step, -1);
        }
    } catch (const Stopped&) {
        if (best.shifts_tried == 0) throw;
        best.stopped = true;
    }
    return best;
}

}  // namespace lpcert
