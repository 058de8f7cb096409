#pragma once
// Gauss-Legendre quadrature with a rigorous error bound, for 1-D integrands that continue
// holomorphically around the interval (the approach of Arb's acb_calc_integrate; docs/math.md 5d).
//
// On a piece [m - r, m + r], int g = r int_{-1}^{1} g(m + r t) dt. If g(m + r t) is holomorphic on
// the closed rectangle R_rho = [-A, A] x [-B, B] (A, B = (rho +- 1/rho) / 2), which holds the
// Bernstein ellipse E_rho, and |g| <= M there, the n-point rule Q_n misses by at most
//     |int_{-1}^{1} - Q_n| <= (16/3) M rho^(1 - 2n) / (rho - 1)
// (proof in docs/math.md 5d). M comes from one evaluation of g over R_rho in rectangular complex
// interval arithmetic; the rule's nodes are bracketed by sign changes of P_n and its weights
// enclosed by a mean-value form, and g is evaluated by the real interval evaluator at one point of
// each node's position enclosure, plus a Cauchy bound on g' times the enclosure's width. A piece whose bound
// cannot meet its share of the goal at degree <= 64 is bisected.
//
// The complex evaluator continues +, -, *, /, integer powers, exp, sin, cos, constants and
// parameters, and abs on a piece where its argument keeps one sign s, as s a (abs_signs.hpp: the
// sign from the argument's range or its monotonicity; a short piece around each zero of the
// argument is enclosed by the natural extension). An integrand with any other operation (floor,
// min, max, real powers, log, sqrt, tan, tanh, atan) is left to the Taylor-form integrator
// (integration.hpp), as is one whose goal needs more pieces than the budget.

#include <optional>
#include <string>
#include <vector>

#include "quadrature/dyadic.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/interval.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

struct GaussLegendreEnclosure {
    Interval value;
    long pieces = 0;        // pieces enclosed in total (bisected ones included)
    long final_pieces = 0;  // pieces of the final partition
    long evaluations = 0;   // real evaluations of the integrand at nodes
};

// True when every operation of g is one the complex evaluator continues holomorphically.
bool gauss_legendre_applies(const Expression& g);

// An enclosure of int_a^b g(x; params) dx (a < b) of width <= relative_tolerance *
// max(lower end, absolute_floor) (the contract of enclose_integral) (decimal strings, parsed outward), or nullopt when g is not
// one gauss_legendre_applies accepts, is not holomorphic around [a, b] (a pole, a huge
// argument), the goal needs more than max_pieces pieces, or a stop is requested. Rounds outward
// at prec throughout.
std::optional<GaussLegendreEnclosure> gauss_legendre_integral(const Expression& g, const Dyadic& a, const Dyadic& b,
                                                              const std::vector<Interval>& params,
                                                              const std::string& relative_tolerance,
                                                              const std::string& absolute_floor, Precision prec,
                                                              const StopToken& stop, long max_pieces = 2000);

// An upper bound M of |g(z)| over the complex rectangle re + i im (g continued holomorphically as
// above), rounded up; false where g has an operation the evaluator does not continue, a divisor
// may vanish, or the bound is not finite. abs_sign_by_slot: for each abs (by its slot) the sign s
// of its argument on the real piece, abs continued as s a (abs_signs.hpp); without it an abs
// gives false. (The error bound's ingredient, exposed for tests.)
bool holomorphic_magnitude_bound(mpfr_ptr M, const Expression& g, const Interval& re, const Interval& im,
                                 const std::vector<Interval>& params, Precision prec,
                                 const std::vector<signed char>* abs_sign_by_slot = nullptr);

// The n-point rule on [-1, 1] at prec (cached): node and weight enclosures, or null where a node's
// bracket or a weight was not confirmed (only at a few bits; the caller then does without).
struct GaussLegendreRule {
    std::vector<Interval> nodes, weights;
};
const GaussLegendreRule* gauss_legendre_rule(int n, Precision prec);

}  // namespace lpcert
