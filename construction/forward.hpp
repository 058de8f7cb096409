#pragma once
// Forward passes of a Network:
//  - ExactForward: exact rational arithmetic (GMP mpq); the reference for relu/floor/identity
//    networks (sin2pi has no exact value and is refused).
//  - IntervalForward: MPFI at a stated precision over a box; enclosures of every readout. With
//    the extraction kernel, a pair of floor neurons Q1 = floor(2^b w S), Q0 = floor(w S) (same
//    sources S, all weights equal) read by a consumer as a*Q1 - a*2^b*Q0 is evaluated as
//    a * floor(2^b frac(w S)), exactly from w's mantissa when S is a single exact value, and as
//    a * [0, 2^b - 1] otherwise (true for ANY real w S). Without the kernel every neuron is
//    evaluated plainly, which needs a precision of about b N^(dl) bits to stay exact.
//    A sin2pi neuron reduces its argument modulo 1 exactly when the argument is w*S with S a
//    single exact value (frac(w S) from w's mantissa to 2*prec bits plus a rigorous tail), then
//    applies MPFI's rigorous sine.
// Both passes evaluate the map the file states, for ANY network the reader accepts: a source
// listed several times in a neuron or readout contributes the sum of its weights (the interval
// pass merges them by exact Dyadic sum and drops zero weights before anything is matched), and
// the readout of level l is Network::readout(l), the first one listed, whatever the layer order.

#include <boost/multiprecision/gmp.hpp>
#include <memory>
#include <vector>

#include "construction/network.hpp"
#include "quadrature/interval.hpp"

namespace lpcert {

class ExactForward {
public:
    explicit ExactForward(const Network& net);
    // Phi_0 .. Phi_L at the exact point x.
    std::vector<boost::multiprecision::mpq_rational> readouts(const std::vector<boost::multiprecision::mpq_rational>& x) const;

private:
    const Network* net_;
};

class IntervalForward {
public:
    IntervalForward(const Network& net, Precision prec, bool extraction_kernel = true);
    ~IntervalForward();
    IntervalForward(IntervalForward&&) noexcept;
    // Enclosures of Phi_0 .. Phi_up_to over the box (up_to = -1: every level); every layer that
    // a readout of a level <= up_to reads is evaluated. Entries above up_to are unspecified.
    const std::vector<Interval>& evaluate(const std::vector<Interval>& box, int up_to = -1);
    // Nested passes over a tree of boxes (the cells of a grid, level by level): an enclosure of
    // Phi_level over the box. When the last evaluate_level(parent, level - 1, keep = true) was
    // over a box that holds this one, its layers' state (an enclosure over the parent, hence over
    // every box inside it) is restricted to this box and only the layers of this level are
    // evaluated; otherwise it is a full pass (the same enclosure as evaluate). keep: save this
    // level's state for boxes inside this one.
    const Interval& evaluate_level(const std::vector<Interval>& box, int level, bool keep);
    // Counts of extraction pairs and sin2pi neurons the kernel recognised (tests, reports).
    int recognised_extractions() const;
    // evaluate_level calls that resumed from a parent's state (tests, benchmarks).
    long nested_passes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lpcert
