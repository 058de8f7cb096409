#pragma once
// Rigorous adaptive integration: an ENCLOSURE of sum_k int_{B_k} g(x; params_k) dx over a list of
// pieces (box B_k, parameter set k), refined by bisection until it is tight enough or the budget
// is spent. The enclosure is true in every case; the status says which case it is.
//
// Enclosure of one box B (centre m, half-widths r), with Taylor order n >= 1:
//     int_B g = vol(B) * [ sum_{|a| < n} g_a(m) M_a  +  sum_{|a| = n} g_a(xi) M_a ]
// where g_a are Taylor coefficients (taylor_series.hpp), M_a = (1/vol) int_B u^a du is zero for
// any odd exponent (centred box) and prod_i r_i^a_i / (a_i + 1) otherwise, and the last sum is
// the Lagrange remainder: its coefficients are enclosed over the whole box, multiplied by M_a for
// even a and by [-1, 1] prod r_i^a_i / (a_i + 1) (the mean of |u^a|) otherwise. The width is
// O(vol r^n). Where g = |h|^p (p >= 1, not smooth where h changes sign) and h is twice
// differentiable on B, the closed form of crossing_enclosure.hpp (width O(vol r^2)) is used
// instead. Order 0, and any other box where g is not n times differentiable (a jump of floor, a
// kink inside h), use vol(B) * g(B) with g(B) the natural interval extension.
// Every enclosure is also intersected with vol(B) * g(B) (and with [0, inf) for integrands
// declared non-negative).
//
// One 1-D domain (a single piece in d = 1, no per-piece goal, order > 0) whose integrand continues
// holomorphically is first tried by Gauss-Legendre with its rigorous bound (gauss_legendre.hpp).
//
// Refinement: each round chooses the pieces of largest enclosure width that together hold half of
// the total width (with piece_absolute_tolerance: per initial piece over its goal, its widest
// sub-pieces holding half of its width) and cuts each in two: across its widest side where the
// Taylor form held, else along the axis whose halves enclose narrowest (split_axis: a jump or a
// kink across one coordinate is cut across it). Pieces are evaluated in parallel (TBB) into
// indexed slots and summed serially in index order, so the result does not depend on the number
// of threads.

#include <functional>
#include <memory>
#include <vector>

#include "quadrature/box.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/interval.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

struct Piece {
    Box box;
    int parameter_set = 0;   // index into the parameter sets given to enclose_integral
};

struct IntegrationOptions {
    // Goal: width(enclosure) <= relative_tolerance * max(lower(enclosure), absolute_floor).
    // Both are exact decimal strings parsed outward (never doubles); absolute_floor "0" means
    // "relative only".
    std::string relative_tolerance = "1e-3";
    std::string absolute_floor = "0";
    // When not empty: instead of the global goal, every initial piece (summed over its
    // sub-pieces) must reach an enclosure width <= this absolute decimal (cell averages).
    std::string piece_absolute_tolerance;
    int taylor_order = 6;                 // 0 = natural interval extension only (6: see bench/)
    bool nonnegative = false;             // the integrand is known to be >= 0 (|.|^p)
    bool gauss_legendre = true;           // false: one 1-D domain by the Taylor forms alone (benchmarks)
    long max_boxes = 0;                   // 0 = default: 4,000,000 pieces in total
    // Called after each round with (pieces so far, current width / goal): progress display.
    std::function<void(long, long)> on_round;
    StopToken stop;                       // polled between and inside refinement rounds
};

// Stopped: a stop request (options.stop) ended the refinement; the enclosure is still true.
// A request before every initial piece has an enclosure throws Stopped instead.
enum class IntegrationStatus { Converged, BudgetSpent, Stopped };

struct IntegralEnclosure {
    Interval value;
    long boxes = 0;            // pieces evaluated in total (including refined ones)
    long final_pieces = 0;     // pieces in the final partition
    IntegrationStatus status = IntegrationStatus::Converged;
    // Per-piece enclosures of the final partition, summed by their original piece index
    // (so callers can read per-cell integrals).
    std::vector<Interval> per_initial_piece;
};

// The default Taylor order for integrands in d variables (6: bench/README.md has the measurements;
// order 4 in d = 3 was measured slower on the verifier's workloads, 214 s against 180 s).
int default_taylor_order(int d);
// The default for one domain integrated to a tight tolerance (verify integrate, modulus,
// certify-network): 12 in d = 1, where a box of order 12 costs about twice one of order 6 and
// needs 3-15x fewer boxes from 1e-4 to 1e-15 (bench/README.md; kv uses 12 in 1-D too); 6 else.
// A run's thousands of cells each need one box at tol 1e-3, where order 6 is cheaper.
int single_domain_taylor_order(int d);

IntegralEnclosure enclose_integral(const Expression& integrand, std::vector<Piece> pieces,
                                   const std::vector<std::vector<Interval>>& parameter_sets,
                                   const IntegrationOptions& options, Precision prec);

// The enclosure of one box (the kernel of enclose_integral, exposed for tests and benchmarks). It
// keeps a reference to `integrand`, which must outlive it.
class BoxIntegrator {
public:
    BoxIntegrator(const Expression& integrand, int dimension, int taylor_order, bool nonnegative, Precision prec);
    ~BoxIntegrator();
    BoxIntegrator(BoxIntegrator&&) noexcept;
    // Writes into `out` an enclosure of int_B g(x; params) dx. Returns true if a higher-order
    // form was used (the Taylor form, or the crossing form of |h|^p), false if it fell back to
    // order 0.
    bool enclose(Interval& out, const Box& box, const std::vector<Interval>& params);
    // The axis to bisect a box on which the Taylor form failed (a jump, a kink): the one whose
    // halves' natural enclosures are narrowest together, ties to the widest side. A jump across
    // a hyperplane x_i = c is then cut along x_i only: a slab of width 1/64 in d = 3 needs a few
    // dozen boxes instead of the ~10^6 of bisecting every side in turn. A choice, not a bound.
    int split_axis(const Box& box, const std::vector<Interval>& params);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lpcert
