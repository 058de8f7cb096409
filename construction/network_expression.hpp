#pragma once
// A network's readout as an Expression (a straight-line program over x1..xd), so that every
// rigorous tool of quadrature/ (interval evaluation, Taylor forms, adaptive quadrature, the
// sup-norm branch and bound) applies to any Network unchanged.
//
// The compilation is exact: every weight and bias is an exact rational constant
// (RationalConstant(Dyadic)), enclosed outward only at evaluation. A neuron computes
//     a( b + sum_s w_s * source_s ),
// with the weights of a source that appears several times summed exactly first. Each neuron that
// the readout depends on is computed once (one slot of the tape, shared by every reader), and
// neurons it does not depend on are left out. Activations:
//     relu(z) = max(z, 0)         floor(z)          identity(z) = z
//     sin2pi(z) = sin(2 pi z)     tanh(z)           sigmoid(z) = 1 / (1 + exp(-z))
//     softplus(z) = log(1 + exp(z))                 sin(z), cos(z)
// Any other activation throws InputError("... activation not supported").

#include <vector>

#include "construction/network.hpp"
#include "quadrature/expression.hpp"

namespace lpcert {

// Phi_readout (net.readouts[readout], 0-based) as an expression in x1..x_{net.d}. Throws
// InputError for an index out of range or an unsupported activation.
Expression readout_expression(const Network& net, int readout);

// f - Phi_readout as one expression in x1..x_{net.d} (f must not use variables beyond x_d).
Expression deviation_expression(const Expression& f, const Network& net, int readout);

// Appends Phi_readout to `e`, with x_i read from slot variable_slots[i]; returns its slot.
int append_readout(Expression& e, const Network& net, int readout, const std::vector<int>& variable_slots);

}  // namespace lpcert
