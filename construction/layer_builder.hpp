#pragma once
// Internal to construction/: assembling a Network layer by layer with named neurons, and the
// gate layers C_g shared by both constructions (SPEC sections 3 and 3b use the same gates).

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "construction/network.hpp"

namespace lpcert::detail {

using Affine = std::vector<std::pair<std::string, Dyadic>>;   // (source name, exact weight)

inline std::string idx(const char* base, int i) { return std::string(base) + std::to_string(i); }
inline std::string idx(const char* base, int i, int j) {
    return std::string(base) + std::to_string(i) + "_" + std::to_string(j);
}

// A layer under construction: neurons by name, sources resolved in the previous layer.
class LayerBuilder {
public:
    explicit LayerBuilder(const std::map<std::string, int>* previous) : previous_(previous) {}
    void add(const std::string& name, Activation act, const Affine& weights, const Dyadic& bias = Dyadic());
    const std::map<std::string, int>& index() const { return index_; }
    Layer take() { return std::move(layer_); }

private:
    const std::map<std::string, int>* previous_;
    std::map<std::string, int> index_;
    Layer layer_;
};

// The network being assembled: the next layer reads the names of the last one pushed.
class NetworkAssembler {
public:
    NetworkAssembler(Network& net, int d);
    LayerBuilder next_layer() const { return LayerBuilder(previous_); }
    void push(LayerBuilder& layer);
    // A readout of the last pushed layer.
    void add_readout(int level, const Affine& weights, const Dyadic& bias);

private:
    Network& net_;
    std::map<std::string, int> inputs_;
    std::vector<std::map<std::string, int>> names_;
    const std::map<std::string, int>* previous_;
};

// The neurons of gate layer C_g of level l except the carried readout: the N one-hot gates
// G_gj = ReLU(2^(c j) E - M (1 - s_gj + s_g,j+1)), the steps of the coordinates not yet used,
// and the positions t_i (updated in C_0: t_i' = ReLU(N t_i - sum_{j>=1} s_ij), carried after).
void add_gate_neurons(LayerBuilder& C, int d, int N, int l, int g, int b);

// The d gate layers C_1..C_d of level l, each carrying the running readout `carried` with
// activation `carry`; then t_in and E_in are set to the sources of the next level.
void push_gate_layers(NetworkAssembler& assembler, int d, int N, int l, int b, const std::string& carried,
                      Activation carry, std::vector<Affine>& t_in, Affine& E_in);

// r_{l,K} = v_{l,K} - v_{l-1,parent(K)} for every level-l cell, and R_l = max |r| into R.
std::vector<Dyadic> residuals(const std::vector<Dyadic>& level, const std::vector<Dyadic>& parent_level, int d, int N,
                              int l, Dyadic& R);

}  // namespace lpcert::detail
