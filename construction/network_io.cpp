#include "construction/network_io.hpp"

#include "quadrature/errors.hpp"

namespace lpcert {

namespace {

nlohmann::json weights_json(const WeightList& w) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& [k, v] : w) a.push_back({k, v.to_string()});
    return a;
}

const nlohmann::json& field(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) throw InputError("network file: missing \"" + std::string(key) + "\" in " + where);
    return j.at(key);
}

int integer_field(const nlohmann::json& j, const char* key, const std::string& where, long lo, long hi) {
    const auto& v = field(j, key, where);
    if (!v.is_number_integer() || v.get<long>() < lo || v.get<long>() > hi) {
        throw InputError("network file: \"" + std::string(key) + "\" in " + where + " must be an integer in [" +
                         std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return static_cast<int>(v.get<long>());
}

Dyadic exact_field(const nlohmann::json& v, const std::string& where) {
    if (!v.is_string()) throw InputError("network file: " + where + " must be an exact string \"M\" or \"M*2^E\"");
    return Dyadic::parse(v.get<std::string>(), "network file: " + where);
}

WeightList weights_from(const nlohmann::json& a, const std::string& where, int sources) {
    if (!a.is_array()) throw InputError("network file: " + where + " weights must be an array");
    WeightList w;
    for (size_t k = 0; k < a.size(); ++k) {
        const auto& e = a[k];
        const std::string here = where + " weight " + std::to_string(k);
        if (!e.is_array() || e.size() != 2 || !e[0].is_number_integer()) {
            throw InputError("network file: " + here + " must be [SOURCE_INDEX, \"EXACT\"]");
        }
        const long src = e[0].get<long>();
        if (src < 0 || src >= sources) {
            throw InputError("network file: " + here + " reads source " + std::to_string(src) + " of " + std::to_string(sources));
        }
        w.emplace_back(static_cast<int>(src), exact_field(e[1], here));
    }
    return w;
}

}  // namespace

nlohmann::json network_to_json(const Network& net) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& layer : net.layers) {
        nlohmann::json neurons = nlohmann::json::array();
        for (const auto& n : layer.neurons) {
            neurons.push_back({{"activation", activation_name(n.activation)},
                               {"weights", weights_json(n.weights)},
                               {"bias", n.bias.to_string()}});
        }
        layers.push_back({{"neurons", neurons}});
    }
    nlohmann::json readouts = nlohmann::json::array();
    for (const auto& r : net.readouts) {
        readouts.push_back({{"level", r.level}, {"layer", r.layer}, {"weights", weights_json(r.weights)}, {"bias", r.bias.to_string()}});
    }
    return {{"schema", "lpcert-network/1"}, {"d", net.d}, {"N", net.N}, {"levels", net.levels},
            {"layers", layers}, {"readouts", readouts}};
}

Network network_from_json(const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("schema") || j["schema"] != "lpcert-network/1") {
        throw InputError("network file: \"schema\" must be \"lpcert-network/1\"");
    }
    Network net;
    net.d = integer_field(j, "d", "the network", 1, 8);
    net.N = integer_field(j, "N", "the network", 2, 64);
    net.levels = integer_field(j, "levels", "the network", 0, 64);
    const auto& layers = field(j, "layers", "the network");
    if (!layers.is_array() || layers.size() > 100000) throw InputError("network file: \"layers\" must be an array (at most 100000)");
    int sources = net.d;
    for (size_t k = 0; k < layers.size(); ++k) {
        const std::string where = "layer " + std::to_string(k);
        const auto& neurons = field(layers[k], "neurons", where);
        if (!neurons.is_array()) throw InputError("network file: " + where + " \"neurons\" must be an array");
        Layer layer;
        for (size_t n = 0; n < neurons.size(); ++n) {
            const std::string here = where + " neuron " + std::to_string(n);
            const auto& act = field(neurons[n], "activation", here);
            if (!act.is_string()) throw InputError("network file: " + here + " activation must be a string");
            Neuron neuron;
            neuron.activation = parse_activation(act.get<std::string>());
            neuron.weights = weights_from(field(neurons[n], "weights", here), here, sources);
            neuron.bias = exact_field(field(neurons[n], "bias", here), here + " bias");
            layer.neurons.push_back(std::move(neuron));
        }
        sources = static_cast<int>(layer.neurons.size());
        net.layers.push_back(std::move(layer));
    }
    const auto& readouts = field(j, "readouts", "the network");
    if (!readouts.is_array()) throw InputError("network file: \"readouts\" must be an array");
    for (size_t k = 0; k < readouts.size(); ++k) {
        const std::string where = "readout " + std::to_string(k);
        Readout r;
        r.level = integer_field(readouts[k], "level", where, 0, net.levels);
        r.layer = integer_field(readouts[k], "layer", where, -1, static_cast<long>(net.layers.size()) - 1);
        const int width = r.layer < 0 ? 0 : static_cast<int>(net.layers[static_cast<size_t>(r.layer)].neurons.size());
        r.weights = weights_from(field(readouts[k], "weights", where), where, width);
        r.bias = exact_field(field(readouts[k], "bias", where), where + " bias");
        net.readouts.push_back(std::move(r));
    }
    for (int l = 0; l <= net.levels; ++l) net.readout(l);   // every level has a readout
    return net;
}

}  // namespace lpcert
