#pragma once
// Where the abs operations of a 1-D integrand keep one sign (docs/math.md 5d).
//
// On a piece [lo, hi] where the argument h of an abs keeps the sign s (s h >= 0 throughout),
// |h| = s h there; with every abs so settled, the integrand equals a function that continues
// holomorphically wherever its other operations do, and Gauss-Legendre with its error bound
// applies to the piece (gauss_legendre.hpp). A sign is settled
//   - by h's natural range over the piece (lower end >= 0: s = +1; upper end <= 0: s = -1),
//   - by the mean value form h(m) + h'(B) [-r, r] (tighter where h is a difference of close
//     values), or
//   - by monotonicity: where h' has one sign dir on the piece (its enclosure by a first-order
//     series over the piece), dir h(x) <= dir h(t) for x <= t. So dir h(t1) <= 0, certified at
//     the point t1, settles [lo, t1] with s = -dir, and dir h(t2) >= 0 settles [t2, hi] with
//     s = +dir. t1 and t2 are placed about a Newton approximation of h's zero, a short distance
//     apart; the middle piece [t1, t2] is left to the caller (gauss_legendre.cpp encloses it by
//     the natural extension where that meets its share, and splits it again where not). No point of the argument is missed: the three pieces cover
//     [lo, hi].
// Nothing here is a bound by itself: the signs only say which continuation the bound is taken of.

#include <memory>
#include <vector>

#include "quadrature/dyadic.hpp"
#include "quadrature/evaluation.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/taylor_series.hpp"

namespace lpcert {

// A piece and the sign of each abs's argument on it (in tape order of the abs operations): +1,
// -1, or 0 where it is not settled.
struct SignedPiece {
    Dyadic lo, hi;
    std::vector<signed char> signs;
};

class AbsSigns {
public:
    // g in one variable; rounds outward at prec. Keeps a reference to g.
    AbsSigns(const Expression& g, Precision prec);

    bool has_abs() const { return !slots_.empty(); }
    // A piece of [lo, hi] with no sign settled.
    SignedPiece unsettled(const Dyadic& lo, const Dyadic& hi) const;

    // Settles what the natural ranges over the piece decide; true when no sign is left open.
    // Throws DomainError where g is undefined on the piece.
    bool settle_by_range(SignedPiece& piece, const std::vector<Interval>& params);

    // For the first open sign, by the mean value form or by monotonicity (above). Settled: the sign holds on the whole
    // piece (set in `piece`). Split: `left` = [lo, t1] and `right` = [t2, hi] (either may be
    // empty, has_left / has_right false) with the sign set, and the middle [t1, t2] is left open.
    // None: h' may vanish on the piece, or no t1, t2 were certified within a quarter of it.
    enum class Outcome { Settled, Split, None };
    struct Split {
        SignedPiece left, right;
        Dyadic middle_lo, middle_hi;
        bool has_left = false, has_right = false;
    };
    Outcome settle_by_monotonicity(SignedPiece& piece, Split& split, const std::vector<Interval>& params);

    // The signs of a piece indexed by slot (0 at every other slot), as the complex evaluator
    // reads them.
    void signs_by_slot(const SignedPiece& piece, std::vector<signed char>& by_slot) const;

private:
    const Expression* g_;
    Precision prec_;
    std::vector<int> slots_;   // the abs operations, in tape order
    IntervalEvaluator range_;
    SeriesLayout layout_;
    std::unique_ptr<SeriesEvaluator> series_;

    // h = the argument of abs number `which` over `x` (a piece or a point), with the settled abs
    // operations before it forced to their branch; false where h' or h has no enclosure there.
    bool argument_series(const SignedPiece& piece, size_t which, const Interval& x, const std::vector<Interval>& params,
                         Interval& value, Interval& derivative);
};

}  // namespace lpcert
