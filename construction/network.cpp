#include "construction/network.hpp"

#include <algorithm>
#include <map>
#include <set>

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

namespace {

std::string source_text(const NetworkSource& s) {
    return s.layer < 0 ? "x" + std::to_string(s.index + 1) : "L" + std::to_string(s.layer) + ":" + std::to_string(s.index);
}

}  // namespace

Network flatten(const SkipNetwork& in, long max_neurons) {
    const int depth = static_cast<int>(in.layers.size());
    auto check_source = [&](const NetworkSource& s, int before, const std::string& who) {
        const bool ok = s.layer < 0 ? (s.index >= 0 && s.index < in.d)
                                    : (s.layer < before && s.layer < depth && s.index >= 0 &&
                                       s.index < static_cast<int>(in.layers[static_cast<size_t>(s.layer)].size()));
        if (!ok) throw InputError(who + " reads " + source_text(s) + ", which is not an input or a neuron of an earlier layer");
    };
    // a readout of layer 0 in a network without hidden layers (an affine map of the inputs, from
    // ONNX) gets a layer 0 of carries
    std::vector<int> readout_layer;
    bool needs_layer0 = false;
    for (size_t r = 0; r < in.readouts.size(); ++r) {
        const auto& ro = in.readouts[r];
        const std::string who = "readout " + std::to_string(r);
        if (ro.layer < -1 || (ro.layer >= depth && !(ro.layer == 0 && depth == 0))) {
            throw InputError(who + " reads layer " + std::to_string(ro.layer) + " of " + std::to_string(depth));
        }
        if (ro.layer < 0 && !ro.weights.empty()) throw InputError(who + " has weights but layer -1 (a constant)");
        if (ro.layer == 0 && depth == 0) needs_layer0 = true;
        for (const auto& [s, w] : ro.weights) check_source(s, ro.layer + 1, who);
        readout_layer.push_back(ro.layer);
    }
    const int layers = std::max(depth, needs_layer0 ? 1 : 0);
    // last_need[v]: the last flattened layer whose output must hold v
    std::map<NetworkSource, int> last_need;
    auto need = [&](const NetworkSource& s, int at) {
        if (s.layer == at) return;   // the layer's own neuron
        auto [it, fresh] = last_need.emplace(s, at);
        if (!fresh) it->second = std::max(it->second, at);
    };
    for (int k = 0; k < depth; ++k) {
        const auto& ns = in.layers[static_cast<size_t>(k)];
        for (size_t n = 0; n < ns.size(); ++n) {
            for (const auto& [s, w] : ns[n].weights) {
                check_source(s, k, "layer " + std::to_string(k) + " neuron " + std::to_string(n));
                if (k > 0) need(s, k - 1);
            }
        }
    }
    for (size_t r = 0; r < in.readouts.size(); ++r)
        for (const auto& [s, w] : in.readouts[r].weights) need(s, readout_layer[r]);
    double total = 0;
    for (const auto& layer : in.layers) total += static_cast<double>(layer.size());
    for (const auto& [s, last] : last_need) total += last - std::max(s.layer + 1, 0) + 1;
    if (total > static_cast<double>(max_neurons)) {
        throw ResourceLimit("the network with its carried skip connections has " + std::to_string(static_cast<long>(total)) +
                            " neurons (limit " + std::to_string(max_neurons) + ")");
    }
    // carried[k]: the values layer k carries, in (layer, index) order; position[k][v] its index
    std::vector<std::map<NetworkSource, int>> position(static_cast<size_t>(layers));
    Network net;
    net.d = in.d;
    net.N = 2;
    net.levels = static_cast<int>(in.readouts.size()) - 1;
    auto locate = [&](const NetworkSource& s, int k) -> int {   // index of s among the inputs of layer k
        if (k == 0) return s.index;                                   // an input (checked above)
        if (s.layer == k - 1) return s.index;
        return position[static_cast<size_t>(k - 1)].at(s);
    };
    for (int k = 0; k < layers; ++k) {
        Layer layer;
        if (k < depth) {
            for (const auto& sn : in.layers[static_cast<size_t>(k)]) {
                Neuron n;
                n.activation = sn.activation;
                n.bias = sn.bias;
                for (const auto& [s, w] : sn.weights) n.weights.emplace_back(locate(s, k), w);
                layer.neurons.push_back(std::move(n));
            }
        }
        for (const auto& [s, last] : last_need) {
            if (s.layer >= k || last < k) continue;   // not yet produced, or no longer needed
            Neuron carry;
            carry.activation = Activation::Identity;
            carry.weights.emplace_back(locate(s, k), Dyadic(1));
            position[static_cast<size_t>(k)][s] = static_cast<int>(layer.neurons.size());
            layer.neurons.push_back(std::move(carry));
        }
        net.layers.push_back(std::move(layer));
    }
    for (size_t r = 0; r < in.readouts.size(); ++r) {
        Readout ro;
        ro.level = static_cast<int>(r);
        ro.layer = readout_layer[r];
        ro.bias = in.readouts[r].bias;
        for (const auto& [s, w] : in.readouts[r].weights) {
            const int L = ro.layer;
            ro.weights.emplace_back(s.layer == L ? s.index : position[static_cast<size_t>(L)].at(s), w);
        }
        net.readouts.push_back(std::move(ro));
    }
    return net;
}

}  // namespace lpcert
