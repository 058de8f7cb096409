#include "construction/network_expression.hpp"

#include <map>
#include <string>

#include "quadrature/errors.hpp"

namespace lpcert {

namespace {

// Appends constants lazily, one slot per distinct use site kind (0, 1, 2).
struct TapeWriter {
    Expression& e;
    int zero = -1, one = -1, two_pi = -1;

    int constant(const Dyadic& v) { return e.append_constant(RationalConstant(v)); }
    int zero_slot() { return zero >= 0 ? zero : (zero = constant(Dyadic(0))); }
    int one_slot() { return one >= 0 ? one : (one = constant(Dyadic(1))); }
    int two_pi_slot() {
        if (two_pi >= 0) return two_pi;
        const int two = constant(Dyadic(2));
        const int pi = e.append({Op::Pi});
        return two_pi = e.append({Op::Mul, two, pi});
    }

    // b + sum_s w_s * slot(s), the weights of a repeated source summed exactly first.
    int affine(const WeightList& weights, const Dyadic& bias, const std::vector<int>& source_slots) {
        std::map<int, Dyadic> combined;   // ordered by source: a deterministic tape
        for (const auto& [s, w] : weights) combined[s] = combined[s] + w;
        int acc = -1;
        for (const auto& [s, w] : combined) {
            if (w.is_zero()) continue;
            const int x = source_slots[static_cast<size_t>(s)];
            const bool unit = w == Dyadic(1) || w == Dyadic(-1);
            int term = unit ? x : e.append({Op::Mul, constant(w), x});
            if (acc < 0) {
                acc = (w == Dyadic(-1)) ? e.append({Op::Neg, term}) : term;
            } else {
                acc = e.append({w == Dyadic(-1) ? Op::Sub : Op::Add, acc, term});
            }
        }
        if (acc < 0) return bias.is_zero() ? zero_slot() : constant(bias);
        if (!bias.is_zero()) acc = e.append({Op::Add, acc, constant(bias)});
        return acc;
    }

    int activate(Activation a, int z, const std::string& where) {
        switch (a) {
            case Activation::ReLU: return e.append({Op::Max, z, zero_slot()});
            case Activation::Floor: return e.append({Op::Floor, z});
            case Activation::Identity: return z;
            case Activation::Sin2Pi: return e.append({Op::Sin, e.append({Op::Mul, two_pi_slot(), z})});
            case Activation::Tanh: return e.append({Op::Tanh, z});
            case Activation::Sigmoid: {
                const int ez = e.append({Op::Exp, e.append({Op::Neg, z})});
                return e.append({Op::Div, one_slot(), e.append({Op::Add, one_slot(), ez})});
            }
            case Activation::Softplus: return e.append({Op::Log, e.append({Op::Add, one_slot(), e.append({Op::Exp, z})})});
            case Activation::Sin: return e.append({Op::Sin, z});
            case Activation::Cos: return e.append({Op::Cos, z});
            default: break;
        }
        throw InputError(where + ": the " + std::string(activation_name(a)) + " activation not supported by certification");
    }
};

}  // namespace

int append_readout(Expression& e, const Network& net, int readout, const std::vector<int>& variable_slots) {
    if (readout < 0 || readout >= static_cast<int>(net.readouts.size())) {
        throw InputError("network: no readout " + std::to_string(readout) + " (it has " + std::to_string(net.readouts.size()) + ")");
    }
    const Readout& r = net.readouts[static_cast<size_t>(readout)];
    TapeWriter w{e};
    if (r.layer < 0) return r.bias.is_zero() ? w.zero_slot() : w.constant(r.bias);
    if (r.layer >= static_cast<int>(net.layers.size())) throw InputError("network: readout " + std::to_string(readout) + " reads a missing layer");

    // Which neurons the readout depends on, layer by layer backwards: only those are compiled.
    std::vector<std::vector<char>> needed(static_cast<size_t>(r.layer) + 1);
    for (int k = 0; k <= r.layer; ++k) needed[static_cast<size_t>(k)].assign(net.layers[static_cast<size_t>(k)].neurons.size(), 0);
    auto mark = [&](int k, const WeightList& weights) {
        const size_t width = needed[static_cast<size_t>(k)].size();
        for (const auto& [s, wt] : weights) {
            if (s < 0 || static_cast<size_t>(s) >= width) throw InputError("network: a weight reads a missing source");
            needed[static_cast<size_t>(k)][static_cast<size_t>(s)] = 1;
        }
    };
    mark(r.layer, r.weights);
    for (int k = r.layer; k >= 1; --k) {
        const auto& neurons = net.layers[static_cast<size_t>(k)].neurons;
        for (size_t n = 0; n < neurons.size(); ++n)
            if (needed[static_cast<size_t>(k)][n]) mark(k - 1, neurons[n].weights);
    }

    std::vector<int> sources = variable_slots, next;
    for (int k = 0; k <= r.layer; ++k) {
        const auto& neurons = net.layers[static_cast<size_t>(k)].neurons;
        next.assign(neurons.size(), -1);
        for (size_t n = 0; n < neurons.size(); ++n) {
            if (!needed[static_cast<size_t>(k)][n]) continue;
            const Neuron& neuron = neurons[n];
            for (const auto& [s, wt] : neuron.weights)
                if (s < 0 || static_cast<size_t>(s) >= sources.size()) throw InputError("network: a weight reads a missing source");
            const int z = w.affine(neuron.weights, neuron.bias, sources);
            next[n] = w.activate(neuron.activation, z, "layer " + std::to_string(k) + " neuron " + std::to_string(n));
        }
        sources.swap(next);
    }
    return w.affine(r.weights, r.bias, sources);
}

Expression readout_expression(const Network& net, int readout) {
    Expression e;
    std::vector<int> vars;
    for (int i = 0; i < net.d; ++i) vars.push_back(e.append({Op::Variable, -1, -1, i}));
    const int phi = append_readout(e, net, readout, vars);
    // the result must be the last slot (a readout may be a variable or a shared constant)
    if (phi != e.result_slot()) e.append({Op::Add, phi, e.append_constant(RationalConstant(Dyadic(0)))});
    e.set_text("Phi_" + std::to_string(readout));
    return e;
}

Expression deviation_expression(const Expression& f, const Network& net, int readout) {
    f.require_dimension(net.d);
    Expression e;
    std::vector<int> vars;
    for (int i = 0; i < net.d; ++i) vars.push_back(e.append({Op::Variable, -1, -1, i}));
    const int fx = f.code().empty() ? e.append_constant(RationalConstant(Dyadic(0))) : e.inline_expression(f, vars);
    const int phi = append_readout(e, net, readout, vars);
    e.append({Op::Sub, fx, phi});
    e.set_text(f.text() + " - Phi_" + std::to_string(readout));
    return e;
}

}  // namespace lpcert
