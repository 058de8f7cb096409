#include "construction/network.hpp"

#include <algorithm>

#include "quadrature/errors.hpp"

namespace lpcert {

const char* activation_name(Activation a) {
    switch (a) {
        case Activation::ReLU: return "relu";
        case Activation::Floor: return "floor";
        case Activation::Identity: return "identity";
        case Activation::Sin2Pi: return "sin2pi";
        case Activation::Tanh: return "tanh";
        case Activation::Sigmoid: return "sigmoid";
        case Activation::Softplus: return "softplus";
        case Activation::Sin: return "sin";
        case Activation::Cos: return "cos";
    }
    return "?";
}

Activation parse_activation(const std::string& name) {
    if (name == "relu") return Activation::ReLU;
    if (name == "floor") return Activation::Floor;
    if (name == "identity") return Activation::Identity;
    if (name == "sin2pi") return Activation::Sin2Pi;
    if (name == "tanh") return Activation::Tanh;
    if (name == "sigmoid") return Activation::Sigmoid;
    if (name == "softplus") return Activation::Softplus;
    if (name == "sin") return Activation::Sin;
    if (name == "cos") return Activation::Cos;
    throw InputError("unknown activation '" + name + "' (relu, floor, identity, sin2pi, tanh, sigmoid, softplus, sin, cos)");
}

const Readout& Network::readout(int level) const {
    for (const auto& r : readouts)
        if (r.level == level) return r;
    throw InputError("the network has no readout of level " + std::to_string(level));
}

ArchitectureFacts measure_architecture(const Network& net) {
    ArchitectureFacts f;
    f.depth = static_cast<int>(net.layers.size());
    for (const char* name : {"relu", "floor", "identity", "sin2pi"}) f.activations[name] = 0;
    for (const auto& layer : net.layers) {
        f.width = std::max(f.width, static_cast<int>(layer.neurons.size()));
        for (const auto& n : layer.neurons) f.activations[activation_name(n.activation)]++;
    }
    return f;
}

namespace {

bool same_neuron(const Neuron& a, const Neuron& b) {
    return a.activation == b.activation && a.bias == b.bias && a.weights == b.weights;
}

}  // namespace

bool shares_prefix(const Network& a, const Network& b, int layers, int levels) {
    if (static_cast<int>(a.layers.size()) < layers || static_cast<int>(b.layers.size()) < layers) return false;
    for (int k = 0; k < layers; ++k) {
        const auto& la = a.layers[static_cast<size_t>(k)].neurons;
        const auto& lb = b.layers[static_cast<size_t>(k)].neurons;
        if (la.size() != lb.size()) return false;
        for (size_t n = 0; n < la.size(); ++n)
            if (!same_neuron(la[n], lb[n])) return false;
    }
    for (int l = 0; l < levels; ++l) {
        const Readout& ra = a.readout(l);
        const Readout& rb = b.readout(l);
        if (ra.layer != rb.layer || ra.weights != rb.weights || ra.bias != rb.bias) return false;
    }
    return true;
}

}  // namespace lpcert
