#include "construction/network_io.hpp"

#include <cctype>

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

// ---- lpcert-network/2 ---------------------------------------------------------------------------

Dyadic parse_exact_weight(const std::string& text, const std::string& where) {
    if (text.find('*') != std::string::npos || text.find_first_of(".eE") == std::string::npos) {
        return Dyadic::parse(text, "network file: " + where);
    }
    // a decimal [+-]D[.F][e[+-]X]: its value D F * 10^(X - |F|) must be a dyadic
    const auto bad = [&](const std::string& why) {
        return InputError("network file: " + where + ": '" + text.substr(0, 40) + "' " + why);
    };
    if (text.size() > 2000) throw bad("is longer than 2000 characters");
    size_t i = 0;
    std::string digits;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    long scale = 0;   // value = digits * 10^scale
    bool any = false;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) digits += text[i++], any = true;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) digits += text[i++], --scale, any = true;
    }
    if (!any) throw bad("is not a number");
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool eneg = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) eneg = text[i++] == '-';
        long e = 0;
        bool edigits = false;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            if (e > 100000) throw bad("has an exponent beyond 10^100000");
            e = 10 * e + (text[i++] - '0');
            edigits = true;
        }
        if (!edigits) throw bad("is not a number");
        scale += eneg ? -e : e;
    }
    if (i != text.size()) throw bad("is not a number");
    if (scale > 4000 || scale < -4000) throw bad("has a decimal exponent beyond 4000");
    const size_t nonzero = digits.find_first_not_of('0');   // no leading zero: "025" is not octal
    digits = nonzero == std::string::npos ? "0" : digits.substr(nonzero);
    if (digits.size() > 4000) throw bad("has more than 4000 digits");
    boost::multiprecision::mpz_int m(digits);
    if (negative) m = -m;
    if (m == 0) return Dyadic();
    if (scale >= 0) {
        for (long k = 0; k < scale; ++k) m *= 10;
        return Dyadic(m, 0);
    }
    // m * 10^-n = (m / 5^n) * 2^-n: exact only when 5^n divides m
    boost::multiprecision::mpz_int five(1);
    for (long k = 0; k < -scale; ++k) five *= 5;
    if (m % five != 0) throw bad("is not a dyadic number (write it as \"M*2^E\")");
    return Dyadic(m / five, scale);
}

namespace {

NetworkSource source_from(const nlohmann::json& e, const std::string& here, int previous_layer) {
    if (e.is_number_integer()) {
        const long v = e.get<long>();
        if (v < 0 || v > (1L << 30)) throw InputError("network file: " + here + " source " + std::to_string(v) + " is out of range");
        return NetworkSource{previous_layer, static_cast<int>(v)};
    }
    if (!e.is_string()) throw InputError("network file: " + here + " source must be an integer, \"xI\" or \"LK:I\"");
    const std::string t = e.get<std::string>();
    auto number = [&](const std::string& digits) {
        if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) {
            throw InputError("network file: " + here + " source '" + t.substr(0, 40) + "' must be \"xI\" or \"LK:I\"");
        }
        return std::stoi(digits);
    };
    if (!t.empty() && t[0] == 'x') {
        const int i = number(t.substr(1));
        if (i < 1) throw InputError("network file: " + here + " source '" + t + "': inputs are x1, x2, ...");
        return NetworkSource{-1, i - 1};
    }
    const size_t colon = t.find(':');
    if (t.empty() || t[0] != 'L' || colon == std::string::npos) {
        throw InputError("network file: " + here + " source '" + t.substr(0, 40) + "' must be \"xI\" or \"LK:I\"");
    }
    return NetworkSource{number(t.substr(1, colon - 1)), number(t.substr(colon + 1))};
}

SourceWeights source_weights_from(const nlohmann::json& a, const std::string& where, int previous_layer) {
    if (!a.is_array()) throw InputError("network file: " + where + " weights must be an array");
    SourceWeights w;
    for (size_t k = 0; k < a.size(); ++k) {
        const auto& e = a[k];
        const std::string here = where + " weight " + std::to_string(k);
        if (!e.is_array() || e.size() != 2 || !e[1].is_string()) {
            throw InputError("network file: " + here + " must be [SOURCE, \"EXACT\"]");
        }
        w.emplace_back(source_from(e[0], here, previous_layer), parse_exact_weight(e[1].get<std::string>(), here));
    }
    return w;
}

Dyadic exact_v2(const nlohmann::json& v, const std::string& where) {
    if (!v.is_string()) throw InputError("network file: " + where + " must be an exact string");
    return parse_exact_weight(v.get<std::string>(), where);
}

}  // namespace

SkipNetwork skip_network_from_json(const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("schema") || j["schema"] != "lpcert-network/2") {
        throw InputError("network file: \"schema\" must be \"lpcert-network/2\"");
    }
    SkipNetwork net;
    net.d = integer_field(j, "inputs", "the network", 1, 65536);
    const auto& layers = field(j, "layers", "the network");
    if (!layers.is_array() || layers.size() > 100000) throw InputError("network file: \"layers\" must be an array (at most 100000)");
    for (size_t k = 0; k < layers.size(); ++k) {
        const std::string where = "layer " + std::to_string(k);
        const auto& neurons = field(layers[k], "neurons", where);
        if (!neurons.is_array()) throw InputError("network file: " + where + " \"neurons\" must be an array");
        std::vector<SkipNeuron> layer;
        for (size_t n = 0; n < neurons.size(); ++n) {
            const std::string here = where + " neuron " + std::to_string(n);
            const auto& act = field(neurons[n], "activation", here);
            if (!act.is_string()) throw InputError("network file: " + here + " activation must be a string");
            SkipNeuron neuron;
            neuron.activation = parse_activation(act.get<std::string>());
            neuron.weights = source_weights_from(field(neurons[n], "weights", here), here, static_cast<int>(k) - 1);
            neuron.bias = exact_v2(field(neurons[n], "bias", here), here + " bias");
            layer.push_back(std::move(neuron));
        }
        net.layers.push_back(std::move(layer));
    }
    const auto& readouts = field(j, "readouts", "the network");
    if (!readouts.is_array() || readouts.empty() || readouts.size() > 100000) {
        throw InputError("network file: \"readouts\" must be a non-empty array (at most 100000)");
    }
    for (size_t k = 0; k < readouts.size(); ++k) {
        const std::string where = "readout " + std::to_string(k);
        SkipReadout r;
        r.layer = integer_field(readouts[k], "layer", where, -1, std::max(0L, static_cast<long>(net.layers.size()) - 1));
        if (r.layer < 0 && !field(readouts[k], "weights", where).empty()) {
            throw InputError("network file: " + where + " has layer -1 (a constant) but weights");
        }
        r.weights = source_weights_from(field(readouts[k], "weights", where), where, r.layer);
        r.bias = exact_v2(field(readouts[k], "bias", where), where + " bias");
        net.readouts.push_back(std::move(r));
    }
    return net;
}

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
    if (net.d > 8 || net.levels > 64) {   // beyond /1: the same layers as /2 (readouts in level order)
        for (auto& r : readouts) r.erase("level");
        return {{"schema", "lpcert-network/2"}, {"inputs", net.d}, {"layers", layers}, {"readouts", readouts}};
    }
    return {{"schema", "lpcert-network/1"}, {"d", net.d}, {"N", net.N}, {"levels", net.levels},
            {"layers", layers}, {"readouts", readouts}};
}

Network network_from_json(const nlohmann::json& j) {
    if (j.is_object() && j.contains("schema") && j["schema"] == "lpcert-network/2") return flatten(skip_network_from_json(j));
    if (!j.is_object() || !j.contains("schema") || j["schema"] != "lpcert-network/1") {
        throw InputError("network file: \"schema\" must be \"lpcert-network/1\" or \"lpcert-network/2\"");
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
