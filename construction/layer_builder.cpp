#include "construction/layer_builder.hpp"

#include "construction/cell_grid.hpp"

namespace lpcert::detail {

void LayerBuilder::add(const std::string& name, Activation act, const Affine& weights, const Dyadic& bias) {
    Neuron n;
    n.activation = act;
    n.bias = bias;
    for (const auto& [source, w] : weights) {
        if (w.is_zero()) continue;
        n.weights.emplace_back(previous_->at(source), w);
    }
    index_[name] = static_cast<int>(layer_.neurons.size());
    layer_.neurons.push_back(std::move(n));
}

NetworkAssembler::NetworkAssembler(Network& net, int d) : net_(net), previous_(&inputs_) {
    for (int i = 0; i < d; ++i) inputs_[idx("x", i)] = i;
}

void NetworkAssembler::push(LayerBuilder& layer) {
    names_.push_back(layer.index());
    net_.layers.push_back(layer.take());
    previous_ = &names_.back();
}

void NetworkAssembler::add_readout(int level, const Affine& weights, const Dyadic& bias) {
    Readout r;
    r.level = level;
    r.layer = static_cast<int>(net_.layers.size()) - 1;
    for (const auto& [k, w] : weights) r.weights.emplace_back(names_.back().at(k), w);
    r.bias = bias;
    net_.readouts.push_back(std::move(r));
}

void add_gate_neurons(LayerBuilder& C, int d, int N, int l, int g, int b) {
    const Dyadic M = Dyadic::power_of_two(b * checked_power(N, static_cast<long>(d) * l));
    const long c = static_cast<long>(b) * checked_power(N, static_cast<long>(d) * (l - 1) + g);
    Affine E_src;
    if (g == 0) {
        E_src = {{"E", Dyadic(1)}};
    } else {
        for (int j = 0; j < N; ++j) E_src.emplace_back(idx("G", g - 1, j), Dyadic(1));
    }
    for (int j = 0; j < N; ++j) {
        std::map<std::string, Dyadic> w;
        for (const auto& [k, v] : E_src) w[k] = w[k] + v * Dyadic::power_of_two(c * j);
        // - M (1 - s_j + s_{j+1}) with s_j = P_j - M_j and s_N = 0
        w[idx("P", g, j)] = w[idx("P", g, j)] + M;
        w[idx("M", g, j)] = w[idx("M", g, j)] - M;
        if (j + 1 < N) {
            w[idx("P", g, j + 1)] = w[idx("P", g, j + 1)] - M;
            w[idx("M", g, j + 1)] = w[idx("M", g, j + 1)] + M;
        }
        C.add(idx("G", g, j), Activation::ReLU, Affine(w.begin(), w.end()), -M);
    }
    for (int i = g + 1; i < d; ++i) {
        for (int j = 0; j < N; ++j) {
            C.add(idx("P", i, j), Activation::ReLU, {{idx("P", i, j), Dyadic(1)}});
            C.add(idx("M", i, j), Activation::ReLU, {{idx("M", i, j), Dyadic(1)}});
        }
    }
    for (int i = 0; i < d; ++i) {
        if (g == 0) {
            // the saturated digit keeps x_i = 1 in the last cell
            Affine w{{idx("t", i), Dyadic(N)}};
            for (int j = 1; j < N; ++j) {
                w.emplace_back(idx("P", i, j), Dyadic(-1));
                w.emplace_back(idx("M", i, j), Dyadic(1));
            }
            C.add(idx("t", i), Activation::ReLU, w);
        } else {
            C.add(idx("t", i), Activation::ReLU, {{idx("t", i), Dyadic(1)}});
        }
    }
}

void push_gate_layers(NetworkAssembler& assembler, int d, int N, int l, int b, const std::string& carried,
                      Activation carry, std::vector<Affine>& t_in, Affine& E_in) {
    for (int g = 0; g < d; ++g) {
        LayerBuilder C = assembler.next_layer();
        add_gate_neurons(C, d, N, l, g, b);
        C.add(carried, carry, {{carried, Dyadic(1)}});
        assembler.push(C);
    }
    for (int i = 0; i < d; ++i) t_in[static_cast<size_t>(i)] = {{idx("t", i), Dyadic(1)}};
    E_in.clear();
    for (int j = 0; j < N; ++j) E_in.emplace_back(idx("G", d - 1, j), Dyadic(1));
}

std::vector<Dyadic> residuals(const std::vector<Dyadic>& level, const std::vector<Dyadic>& parent_level, int d, int N,
                              int l, Dyadic& R) {
    const long parents = checked_power(N, static_cast<long>(d) * (l - 1));
    std::vector<Dyadic> r(level.size());
    R = Dyadic();
    for (size_t K = 0; K < level.size(); ++K) {
        // the parent of K is K mod N^(d(l-1)) (little-endian indices)
        r[K] = level[K] - parent_level[K % static_cast<size_t>(parents)];
        if (R < r[K].abs()) R = r[K].abs();
    }
    return r;
}

}  // namespace lpcert::detail
