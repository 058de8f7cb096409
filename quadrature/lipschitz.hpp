#pragma once
// A rigorous upper bound of the Lipschitz constant Lip = sup_{x in [0,1]^d} |grad f(x)|_2, from
// interval automatic differentiation (order-1 Taylor series with Clarke generalized gradients,
// so abs/min/max kinks are allowed), refined by bisecting the boxes with the largest bound.
// f with a jump (floor across an integer) has no Lipschitz bound: the result is empty.

#include <optional>

#include "quadrature/expression.hpp"
#include "quadrature/interval.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

struct LipschitzBound {
    Interval bound;        // [a lower estimate from box centres, the certified upper bound]
    long boxes = 0;
};

// relative_tolerance: stop when upper <= (1 + tol) * (lower estimate); max_boxes bounds the work.
std::optional<LipschitzBound> bound_lipschitz_constant(const Expression& f, int d, const std::string& relative_tolerance,
                                                       long max_boxes, Precision prec,
                                                       const StopToken& stop = StopToken());

}  // namespace lpcert
