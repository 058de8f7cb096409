#pragma once
// Network: a feed-forward network with exact dyadic weights, one activation per neuron and affine
// readouts of hidden layers. It knows nothing of the theorem: any exported network can be read
// back, evaluated and certified.
//
// Layer 0 reads the inputs x1..xd (source indices 0..d-1); layer k reads the neurons of layer
// k-1. A readout is an affine map of one hidden layer ("layer" = its index), or a constant
// (layer = -1).

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "quadrature/dyadic.hpp"

namespace lpcert {

enum class Activation { ReLU, Floor, Identity, Sin2Pi, Tanh, Sigmoid, Softplus, Sin, Cos };
const char* activation_name(Activation a);
Activation parse_activation(const std::string& name);   // throws InputError

using WeightList = std::vector<std::pair<int, Dyadic>>;   // (source index, exact weight)

struct Neuron {
    Activation activation = Activation::ReLU;
    WeightList weights;
    Dyadic bias;
};

struct Layer {
    std::vector<Neuron> neurons;
};

struct Readout {
    int level = 0;
    int layer = -1;
    WeightList weights;
    Dyadic bias;
};

struct Network {
    int d = 1, N = 2, levels = 0;
    std::vector<Layer> layers;
    std::vector<Readout> readouts;   // sorted by level

    const Readout& readout(int level) const;
};

// Architecture facts, measured on the network itself.
struct ArchitectureFacts {
    int width = 0;                          // widest hidden layer
    int depth = 0;                          // number of hidden layers
    std::map<std::string, long> activations;   // neuron count per activation name
};
ArchitectureFacts measure_architecture(const Network& net);

// True when the first `layers` hidden layers of both networks have identical neurons (same
// activations, sources, exact weights and biases) and readouts of levels < `levels` agree.
bool shares_prefix(const Network& a, const Network& b, int layers, int levels);

}  // namespace lpcert
