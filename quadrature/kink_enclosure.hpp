#pragma once
// The quadrature's enclosure of int_B g on a box B crossed by ONE flat kink of g: an operation
// max(a, b), min(a, b) or abs(a) whose arguments cross on B (a ReLU max(z, 0) of a network, a
// kink of the target f) where the switching function delta = a - b (abs: delta = a) is affine on
// B and every other operation of g is smooth on B. There g has no Taylor form, and its natural
// extension is only O(vol r) wide: in d >= 2 the boxes along every ReLU's kink line used to
// decide the cost of a network's L^p norm (order 0 along whole lines).
//
// Forcing the kink's branch gives two functions g_0 (first argument; abs: +a) and g_1 (second;
// abs: -a), each smooth on all of B, with g = g_0 on {s delta > 0} and g = g_1 on {s delta < 0}
// (s = -1 for min, +1 otherwise; the hyperplane delta = 0 has measure 0). Hence
//     int_B g = int_B (g_0 + g_1)/2 + s int_B sign(delta) (g_0 - g_1)/2,
// and with each g_j's Taylor polynomial of degree n - 1 about B's centre m plus its Lagrange
// remainder of degree n (coefficients over B),
//     int_B g  in  sum_{|a| < n} [ (c0_a + c1_a)/2 E_a + s (c0_a - c1_a)/2 S_a ]
//                + sum_{|a| = n} hull(c0_a(B), c1_a(B)) E_a      (a even; odd a: max |c_a(B)| E_|a| [-1, 1]),
// E_a = int_B u^a, S_a = int_B sign(delta) u^a in closed form (affine_power_integral.hpp, q = 0).
// Width O(vol r^n) as on a smooth box, instead of O(vol r). Affine on B is checked, not assumed:
// the box series of delta must have every second-order coefficient exactly 0 (they enclose the
// second derivatives over B). delta's slopes must each be exactly 0 (that variable factors out) or
// exclude 0. Docs: docs/math.md 5b.

#include <memory>
#include <vector>

#include "quadrature/box.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/interval.hpp"

namespace lpcert {

class KinkEnclosure {
public:
    // The form for g when g has a min, max or abs whose arguments are piecewise affine in x (built
    // from variables, parameters and constants by +, -, scaling and min/max/abs: a ReLU network's
    // pre-activations); nullptr otherwise. `order` >= 2: the Taylor order n of the branches.
    static std::unique_ptr<KinkEnclosure> detect(const Expression& g, int d, int order, Precision prec);
    ~KinkEnclosure();

    // Whether a box whose natural extension met these kinks (IntervalEvaluator::last_kink_slots)
    // is worth the form: the first is a min/max/abs of piecewise-affine arguments and there are
    // at most 6 distinct kinks in the plane (d = 2), 1 otherwise (repeated ones count once).
    bool worth_trying(const std::vector<int>& kink_slots) const;

    // Writes an enclosure of int_B g into `out` (rounded outward at prec) and returns true, or
    // returns false where the form does not exist on B (no kink, two kinks, delta not affine on
    // B, a slope that may be 0 but is not exactly 0, a branch not smooth on B). `centre`/`radius`:
    // B's, from Box::centre_and_radius at prec.
    bool enclose(Interval& out, const Box& box, const std::vector<Interval>& centre,
                 const std::vector<Interval>& radius, const std::vector<Interval>& params);

private:
    struct Impl;
    explicit KinkEnclosure(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lpcert
