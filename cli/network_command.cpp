// `verify network FILE [--at x1,...,xd]`: reads any exported network (INTERFACE.md: an
// lpcert-network/1 or /2 JSON file, or an ONNX model, told apart by content), reports its
// architecture, and evaluates its readouts at a point: exactly (rational arithmetic) when every
// neuron is relu, floor or identity, otherwise as rigorous enclosures at --prec bits. The point
// of a /1 network lies in [0, 1]^d (the theorem's cube); a general network takes any point.

#include <fstream>
#include <iostream>

#include "cli/json_output.hpp"
#include "construction/forward.hpp"
#include "construction/network_io.hpp"
#include "construction/onnx_import.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/expression.hpp"
#include "cli/commands.hpp"
#include "verify/json_io.hpp"

namespace lpcert {

namespace {

// The point "a,b,..." as exact rationals in [0, 1] (decimal text is an exact rational).
std::vector<RationalConstant> parse_point(const std::string& text, int d, bool unit_cube) {
    std::vector<RationalConstant> x;
    size_t from = 0;
    while (true) {
        const size_t comma = text.find(',', from);
        const std::string item = text.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        parse_decimal(item, Precision(64), "--at");   // the grammar and the exponent range
        x.emplace_back(item);
        if (unit_cube && (mpq_sgn(x.back().value()) < 0 || mpq_cmp_ui(x.back().value(), 1, 1) > 0)) {
            throw InputError("--at: coordinate '" + item + "' is outside [0, 1]");
        }
        if (comma == std::string::npos) break;
        from = comma + 1;
    }
    if (static_cast<int>(x.size()) != d) {
        throw InputError("--at: the network has d = " + std::to_string(d) + " inputs, the point has " + std::to_string(x.size()));
    }
    return x;
}

// Upper bounds on the bits of the exact intermediate values (numerator and denominator), from the
// weights' sizes: the largest one, and their sum over all neurons (the work of the pass).
struct ExactSize {
    double widest = 0, total = 0;
};

ExactSize exact_size_estimate(const Network& net, const std::vector<RationalConstant>& x) {
    double input = 0;
    for (const auto& xi : x) {
        input = std::max(input, static_cast<double>(mpz_sizeinbase(mpq_numref(xi.value()), 2) +
                                                    mpz_sizeinbase(mpq_denref(xi.value()), 2)));
    }
    std::vector<double> bits(x.size(), input);
    ExactSize size{input, input * static_cast<double>(x.size())};
    auto neuron_bits = [&](const WeightList& weights, const Dyadic& bias) {
        double b = static_cast<double>(bias.mantissa_bits()) + std::abs(static_cast<double>(bias.exponent()));
        for (const auto& [source, w] : weights) {
            const double wb = static_cast<double>(w.mantissa_bits()) + std::abs(static_cast<double>(w.exponent()));
            b = std::max(b, wb + bits[static_cast<size_t>(source)]);
        }
        return b + std::log2(static_cast<double>(weights.size()) + 2.0) + 1;
    };
    for (const auto& layer : net.layers) {
        std::vector<double> next;
        for (const auto& n : layer.neurons) next.push_back(neuron_bits(n.weights, n.bias));
        bits = std::move(next);
        for (double b : bits) {
            size.widest = std::max(size.widest, b);
            size.total += b;
        }
    }
    return size;
}

}  // namespace

int command_network(const CommandLine& c) {
    if (c.arguments.size() != 1) throw InputError("network: give exactly one network file (verify network FILE)");
    const std::string& path = c.arguments[0];
    std::string head(64, '\0');
    {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw InputError("network: cannot open '" + path + "'");
        in.read(head.data(), static_cast<std::streamsize>(head.size()));
        head.resize(static_cast<size_t>(in.gcount()));
    }
    bool general = true;   // lpcert-network/2 or ONNX
    Network net;
    if (looks_like_json(head)) {
        const nlohmann::json j = read_json_file(path);
        general = j.is_object() && j.contains("schema") && j["schema"] == "lpcert-network/2";
        net = network_from_json(j);
    } else {
        net = import_onnx(path);
    }
    const ArchitectureFacts facts = measure_architecture(net);
    std::cout << "network " << c.arguments[0] << ": d=" << net.d << " N=" << net.N << " levels=" << net.levels << "\n"
              << "width " << facts.width << ", depth " << facts.depth << "\n";
    for (const auto& [name, count] : facts.activations) std::cout << "  " << name << ": " << count << "\n";
    nlohmann::json out = {{"schema", "lpcert-network-summary/1"}, {"d", net.d}, {"N", net.N}, {"levels", net.levels},
                          {"width", facts.width}, {"depth", facts.depth}, {"activations", facts.activations},
                          {"readouts", nullptr}};
    if (!c.at.empty()) {
        const auto x = parse_point(c.at, net.d, !general);
        nlohmann::json readouts = nlohmann::json::array();
        bool exact = true;   // only relu, floor and identity have exact rational values
        for (const auto& [name, count] : facts.activations)
            if (count > 0 && name != "relu" && name != "floor" && name != "identity") exact = false;
        if (exact) {
            // refused beyond 1 GiB of values in all (2^33 bits) or 32 MiB for one value
            const ExactSize size = exact_size_estimate(net, x);
            if (size.total > 8.0 * (1L << 30) || size.widest > 8.0 * (1L << 25)) {
                throw ResourceLimit("exact evaluation of this network needs about " +
                                    std::to_string(static_cast<long>(size.total / 8 / (1 << 20))) + " MiB of values, " +
                                    std::to_string(static_cast<long>(size.widest / 8 / (1 << 20))) + " MiB for the largest");
            }
            std::vector<boost::multiprecision::mpq_rational> q;
            for (const auto& xi : x) q.emplace_back(xi.value());
            const auto phi = ExactForward(net).readouts(q);
            for (size_t l = 0; l < phi.size(); ++l) {
                const RationalConstant exact(phi[l].backend().data());
                std::cout << "Phi_" << l << " = " << exact.text() << "\n";
                readouts.push_back({{"level", l}, {"exact", exact.text()}});
            }
        } else {
            // A point that is not dyadic is an enclosure; the decoder multiplies its width by weights
            // up to 2^(b N^(dl)), so the default precision covers the largest weight.
            long largest = 0;
            for (const auto& layer : net.layers)
                for (const auto& n : layer.neurons)
                    for (const auto& [source, w] : n.weights) largest = std::max(largest, w.mantissa_bits() + std::abs(w.exponent()));
            if (largest > 1000000) throw ResourceLimit("a weight of " + std::to_string(largest) + " bits is beyond interval evaluation");
            const Precision prec(c.prec > 0 ? c.prec : std::max(256L, 2 * largest + 128));
            std::vector<Interval> box;
            for (const auto& xi : x) {
                Interval v(prec);
                mpfi_set_q(v.raw(), xi.value());
                box.push_back(v);
            }
            IntervalForward pass(net, prec);
            const auto& phi = pass.evaluate(box);
            for (size_t l = 0; l < phi.size(); ++l) {
                std::cout << "Phi_" << l << " in " << to_string(phi[l]) << "\n";
                readouts.push_back({{"level", l}, {"enclosure", enclosure_json(phi[l])}});
            }
        }
        out["readouts"] = readouts;
    }
    if (!c.json.empty()) emit_json(out, c.json);
    return 0;
}

}  // namespace lpcert
