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

// The first four are the theorem's; the rest come from general networks (lpcert-network/2, ONNX)
// and have no exact rational value (IntervalForward encloses them rigorously).
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

// A network with skip connections (lpcert-network/2, ONNX import): a neuron of hidden layer k
// reads the inputs and the neurons of ANY earlier layer; a readout reads the inputs and the
// neurons of layers <= its `layer`.
struct NetworkSource {
    int layer = -1;   // -1: the input x_(index+1)
    int index = 0;
    friend bool operator<(const NetworkSource& a, const NetworkSource& b) {
        return a.layer != b.layer ? a.layer < b.layer : a.index < b.index;
    }
    friend bool operator==(const NetworkSource& a, const NetworkSource& b) { return a.layer == b.layer && a.index == b.index; }
};
using SourceWeights = std::vector<std::pair<NetworkSource, Dyadic>>;

struct SkipNeuron {
    Activation activation = Activation::ReLU;
    SourceWeights weights;
    Dyadic bias;
};

struct SkipReadout {
    int layer = -1;   // reads sources of layers <= layer (-1: a constant, or only inputs)
    SourceWeights weights;
    Dyadic bias;
};

struct SkipNetwork {
    int d = 1;
    std::vector<std::vector<SkipNeuron>> layers;
    std::vector<SkipReadout> readouts;   // readout i becomes level i
};

// The same function as a plain Network (every layer reads only the previous one): a value read
// across layers is carried through identity neurons (exactly: weight 1, bias 0), appended after a
// layer's own neurons in the order (layer, index). A readout that reads inputs only (layer -1 with
// weights) is placed on layer 0. Readout i has level i; N = 2 (meaningless here).
// Throws InputError naming the neuron or readout that reads a later layer or a missing source.
// Throws ResourceLimit when the result would hold more than max_neurons neurons (carries included).
Network flatten(const SkipNetwork& net, long max_neurons = 4000000);

}  // namespace lpcert
