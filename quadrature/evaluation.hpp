#pragma once
// Evaluation of an Expression at an MPFR point (approximate, round to nearest) and over an
// MPFI box (the natural interval extension: an enclosure of f over the box).
//
// An evaluator owns its workspace: create one per thread (they are cheap to copy), never share.

#include <vector>

#include "quadrature/expression.hpp"
#include "quadrature/interval.hpp"
#include "quadrature/real.hpp"

namespace lpcert {

class PointEvaluator {
public:
    PointEvaluator(const Expression& e, Precision prec);
    // f(x) rounded at the evaluator's precision; NaN where f is undefined.
    const Real& evaluate(const std::vector<Real>& x, const std::vector<Real>& params = {});

private:
    const Expression* e_;
    Precision prec_;
    std::vector<Real> constants_, slots_;
};

class IntervalEvaluator {
public:
    IntervalEvaluator(const Expression& e, Precision prec);
    // An enclosure of { f(x) : x in the box }, rounded outward at the evaluator's precision.
    // Throws DomainError naming the function, the operation and the box when f is undefined or
    // unbounded on part of the box.
    const Interval& evaluate(const std::vector<Interval>& box, const std::vector<Interval>& params = {});
    Precision precision() const { return prec_; }
    // After evaluate: false when an abs, min, max, floor or real power met its non-smooth point
    // on the box (its argument reaches 0, the arguments overlap, floor is not one integer), so a
    // Taylor form of f would fail there. A hint for the integrator, not part of any bound.
    bool last_evaluation_smooth() const { return smooth_; }
    // After evaluate: the slots of the operations that met their non-smooth point, in tape order.
    // Hints as above (kink_enclosure.hpp handles a box with a few such kinks).
    const std::vector<int>& last_kink_slots() const { return kink_slots_; }
    // After evaluate: the enclosure at any slot (an operation's argument, say) over the same box.
    const Interval& slot_value(int slot) const { return slots_.at(static_cast<size_t>(slot)); }

private:
    const Expression* e_;
    Precision prec_;
    std::vector<Interval> constants_, slots_;
    bool smooth_ = false;
    std::vector<int> kink_slots_;
};

// An upper bound of sup_{[0,1]^d} |f| (rounded up into `out`, whose precision the caller chose):
// the natural extension on a grid of about 64 boxes. Throws DomainError where f is undefined.
void sup_abs_upper(mpfr_ptr out, const Expression& f, int d, Precision prec);

// The expression's exact rational constants, each enclosed outward at prec (in tape order).
std::vector<Interval> enclose_constants(const Expression& e, Precision prec);

// "x1 in [a, b], x2 in [c, d]" for messages.
std::string describe_box(const std::vector<Interval>& box);

}  // namespace lpcert
