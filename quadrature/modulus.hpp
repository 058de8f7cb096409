#pragma once
// Certified bounds of the L^p modulus of continuity (SPEC sections 1 and 5.3)
//     omega_f(delta)_p = sup_{|h|_2 <= delta} || f(. + h) - f ||_{L^p(Omega_h)},
//     Omega_h = { x in [0,1]^d : x + h in [0,1]^d }.
// Lower bound: any admissible shift h gives omega >= ||f(.+h) - f||, whose enclosure's lower end
// is a certified lower bound. Candidates: h = s e_k and, for d > 1, h = s (e_i +- e_j)/sqrt(2), for
// s on a grid of (0, delta] (delta included); each shift is an exact dyadic rounded DOWN so that
// |h|_2 <= delta holds exactly. All candidates are ranked by a sample estimate (not a bound), the
// best few are enclosed, and the length is refined around the best enclosed one. Shorter shifts matter: for
// f = sin(2 pi x1 / delta) the shift delta gives ~0 and delta/2 the true modulus.
// Upper bound (where f is Lipschitz): omega <= Lip * delta (lipschitz.hpp).

#include <vector>

#include "quadrature/dyadic.hpp"
#include "quadrature/lp_norm.hpp"

namespace lpcert {

struct ModulusOptions {
    IntegrationOptions integration;   // relative tolerance of each shift's integral
    int grid = 8;                     // shift lengths j/grid * delta, j = 1..grid
    int refine_rounds = 2;            // bisection rounds of the shift length around the best
    bool diagonals = true;
    long screening_points = 4096;     // sample points of the ranking estimate
    int candidates = 3;               // shifts enclosed after the ranking
    // Each shift's integral stops at the relative tolerance, or once its width is below
    // tolerance * (best p-th power so far): a shift far below the best cannot become the best.
    // max_boxes bounds the work per shift; the lower bound stays valid whatever the budget.
    ModulusOptions() {
        integration.relative_tolerance = "1e-2";
        integration.max_boxes = 50000;
    }
};

struct ModulusLowerBound {
    Interval norm_at_best;            // enclosure of ||f(.+h) - f||_p for the best h
    std::vector<Dyadic> best_shift;   // empty when no shift gave a positive lower bound
    long boxes = 0;
    int shifts_tried = 0;             // shifts enclosed
    int shifts_screened = 0;          // shifts ranked by the estimate
    bool stopped = false;             // a stop request ended the search early (still certified)
    // The certified bound itself: norm_at_best.lower().
};

// Enclosure of ||f(.+h) - f||_{L^p(Omega_h)} for one exact shift h (used by `verify check`).
Interval enclose_shift_norm(const Expression& f, int d, const Exponent& p, const std::vector<Dyadic>& h,
                            const IntegrationOptions& options, Precision prec);

// delta > 0 is an exact rational (e.g. N^-l).
ModulusLowerBound certify_modulus_lower_bound(const Expression& f, int d, const Exponent& p, mpq_srcptr delta,
                                              const ModulusOptions& options, Precision prec);

// A finished search together with everything its answer depends on, so that the same question
// asked again (the default eta of a run asks for omega_f(N^-L)_p, and so does the run's level L)
// is answered without searching twice.
class ModulusSearch {
public:
    ModulusSearch(const Expression& f, int d, const Exponent& p, mpq_srcptr delta, const ModulusOptions& options,
                  Precision prec);
    const ModulusLowerBound& result() const { return result_; }
    bool answers(const Expression& f, int d, const Exponent& p, mpq_srcptr delta, const ModulusOptions& options,
                 Precision prec) const;

private:
    std::string f_text_, p_text_;
    int d_;
    boost::multiprecision::mpq_rational delta_;
    ModulusOptions options_;
    long bits_;
    ModulusLowerBound result_;
};

// The recorded answer when `known` answers this question, a new search otherwise.
ModulusLowerBound certify_modulus_lower_bound(const Expression& f, int d, const Exponent& p, mpq_srcptr delta,
                                              const ModulusOptions& options, Precision prec, const ModulusSearch* known);

}  // namespace lpcert
