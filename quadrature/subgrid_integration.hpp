#pragma once
// Integrals of f over every cell of a grid inside a box B, from ONE Taylor form of f on B
// (Taylor-model integration). With m the centre of B, u = x - m and n >= 1 the order, Taylor's
// theorem with the Lagrange remainder gives for every x in B
//     f(x) = sum_{|a| < n} f_a(m) u^a + sum_{|a| = n} f_a(xi(x)) u^a,    xi(x) in B,
// so for every cell C of the grid
//     int_C f  in  sum_{|a| < n} f_a(m) M_a(C) + sum_{|a| = n} f_a(B) M'_a(C)
// with M_a(C) = int_C u^a du = prod_i (h_i^(a_i+1) - l_i^(a_i+1)) / (a_i + 1) (l_i, h_i: the
// cell's ends minus m_i), and M'_a = M_a where u^a keeps one sign on C, else
// [-1, 1] prod_i int |u_i|^(a_i) (docs/math.md 5c has the proof). The enclosure's width is
// O(vol(C) R^n), R the radius of B: one series evaluation on B serves all its cells, where the
// adaptive integrator evaluates two series per cell. The sums over the grid are contracted one
// axis at a time (k_i cells along axis i: about sum_r (n+1)^(d-r+1) prod_{i>=r} k_i products,
// not (number of monomials) x (cells)).
//
// Every enclosure is rounded outward at `prec`; a box where f has no order-n Taylor form (a kink,
// a jump, a domain error of a derivative) gives `false` and the caller integrates those cells
// another way.

#include <memory>
#include <vector>

#include "quadrature/dyadic.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/interval.hpp"

namespace lpcert {

class SubgridIntegrator {
public:
    SubgridIntegrator(const Expression& f, int dimension, int order, Precision prec);
    ~SubgridIntegrator();
    SubgridIntegrator(SubgridIntegrator&&) noexcept;

    // cuts[i] = t_0 < t_1 < ... < t_k: the cells' ends along axis i (the box is prod_i [t_0, t_k]).
    // Writes into out (resized) an enclosure of int_C f for every cell C, axis 0 fastest: cell
    // (j_0, .., j_{d-1}) at j_0 + k_0 (j_1 + k_1 (j_2 + ...)). Returns false (out unspecified)
    // where f has no Taylor form of the order on the box.
    bool enclose(const std::vector<std::vector<Dyadic>>& cuts, std::vector<Interval>& out);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lpcert
