#pragma once
// Certified enclosure of the essential supremum of |g| over a box D (the L^inf norm), by branch
// and bound. The result [L, U] satisfies L <= ess sup_D |g| <= U in every case (converged, budget
// spent or stopped); the status says which.
//
// Upper bound: D is kept partitioned into boxes B; on each, |g| <= upper end of |G(B)| where G(B)
// encloses g(B): the natural interval extension, intersected (when mean_value_form) with the
// mean-value form g(m) + sum_i D_i(B) [-r_i, r_i] (m the centre, r the half-widths, D(B) an
// enclosure of the Clarke generalized gradient over B from order-1 interval automatic
// differentiation: valid for Lipschitz g, including relu kinks, by Lebourg's mean value theorem;
// not used where g has a jump). U = max over the partition, rounded up. Boxes whose upper bound
// is below L are dropped (they cannot hold the supremum).
//
// Lower bound: L = max of
//   - the lower end of |G(B)| over every box B evaluated: |g| >= it on all of B, a set of
//     positive measure, so ess sup |g| >= it (valid with jumps, too);
//   - when g is continuous on D (its tape has no floor; anything undefined on D would have
//     thrown DomainError), the lower end of |g(m)| at the centre m of every box: for continuous
//     g the essential supremum over a box with interior equals the supremum, which is >= |g(m)|.
//     With floor, points are not used (g may jump at m).
//
// Refinement: each round bisects (along the widest side) the boxes whose upper bound exceeds
// L + tol * L, the largest first, at most max(1024, boxes in the partition) per round (so the
// partition at most doubles). With a jump at a box end (floor(2 x) at x = 1/2) the closed boxes
// keep the value on the far side in their enclosure: U may then stay above the essential supremum
// until the budget is spent (still a true bound, status budget_spent). Boxes are evaluated in parallel (TBB)
// into indexed slots and reduced serially in index order: the result does not depend on the
// number of threads.

#include <functional>
#include <string>

#include "quadrature/box.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/interval.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

struct SupOptions {
    // Goal: U - L <= relative_tolerance * max(L, absolute_floor). Exact decimal strings.
    std::string relative_tolerance = "1e-3";
    std::string absolute_floor = "0";
    long max_boxes = 0;             // boxes evaluated in total; 0 = default 1,000,000
    bool mean_value_form = true;    // intersect with the mean-value form where g is Lipschitz
    std::function<void(long, long)> on_round;   // (boxes so far, boxes in the partition)
};

enum class SupStatus { Converged, BudgetSpent, Stopped };
const char* sup_status_name(SupStatus s);   // "converged", "budget_spent", "stopped"

struct SupEnclosure {
    Interval value;      // [L, U]: L <= ess sup |g| <= U, rounded outward
    long boxes = 0;      // boxes evaluated
    long final_boxes = 0;
    SupStatus status = SupStatus::Converged;
};

// Throws DomainError where g is undefined on the domain, Stopped when a stop comes before the
// first box has an enclosure (afterwards a stop returns the enclosure so far, status Stopped).
SupEnclosure enclose_sup_abs(const Expression& g, const Box& domain, const SupOptions& options, Precision prec,
                             const StopToken& stop = StopToken());

}  // namespace lpcert
