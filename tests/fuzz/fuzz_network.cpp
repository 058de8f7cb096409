// libFuzzer target: the network reader (INTERFACE.md "lpcert-network/1") and the forward passes
// on what it accepts. What the reader accepts must measure, export and re-read to the same
// network; and, for networks of bounded size, the interval forward pass (precisions 2, 17 and
// 128 bits, extraction kernel on and off, on a point and on a small box around it) must contain
// the exact rational value (ExactForward) at a few dyadic points derived from the input bytes,
// or, with sin2pi, meet the plain 4096-bit pass. Any failure aborts: a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <random>

#include <boost/multiprecision/gmp.hpp>
#include <nlohmann/json.hpp>

#include "construction/forward.hpp"
#include "construction/network_io.hpp"
#include "quadrature/errors.hpp"

namespace {

using boost::multiprecision::mpq_rational;
using namespace lpcert;

// Sizes that keep one run in milliseconds: exact values of at most ~12 * 160 bits per layer.
bool small_enough(const Network& net) {
    if (net.layers.size() > 12) return false;
    auto small = [](const Dyadic& w) { return w.mantissa_bits() <= 128 && w.exponent() <= 128 && w.exponent() >= -128; };
    auto list_ok = [&](const WeightList& w) {
        if (w.size() > 16) return false;
        for (const auto& [k, wk] : w)
            if (!small(wk)) return false;
        return true;
    };
    for (const auto& layer : net.layers) {
        if (layer.neurons.size() > 8) return false;
        for (const auto& n : layer.neurons)
            if (!list_ok(n.weights) || !small(n.bias)) return false;
    }
    for (const auto& r : net.readouts)
        if (!list_ok(r.weights) || !small(r.bias)) return false;
    return true;
}

bool contains_q(const Interval& a, const mpq_rational& q) {
    return mpfr_cmp_q(a.lower(), q.backend().data()) <= 0 && mpfr_cmp_q(a.upper(), q.backend().data()) >= 0;
}

void check_forward(const Network& net, const std::uint8_t* data, std::size_t size) {
    std::uint64_t h = 1469598103934665603ULL;   // FNV-1a of the input: the points
    for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ULL;
    std::mt19937_64 g(h);
    bool has_sine = false;
    for (const auto& layer : net.layers)
        for (const auto& n : layer.neurons) has_sine = has_sine || n.activation == Activation::Sin2Pi;
    for (int point = 0; point < 3; ++point) {
        // x_i = k / 2^m in [0, 1]: often on cell boundaries, where floor arguments are integers
        std::vector<mpq_rational> x;
        for (int i = 0; i < net.d; ++i) {
            const long m = static_cast<long>(g() % 13);
            x.emplace_back(static_cast<long>(g() % ((1UL << m) + 1)), 1L << m);
        }
        std::vector<mpq_rational> exact;
        if (!has_sine) exact = ExactForward(net).readouts(x);
        std::vector<Interval> high;
        if (has_sine) {
            std::vector<Interval> box;
            for (const auto& xi : x) {
                Interval side{Precision(4096)};
                mpfi_set_q(side.raw(), xi.backend().data());
                box.push_back(side);
            }
            high = IntervalForward(net, Precision(4096), false).evaluate(box);
        }
        for (long bits : {2L, 17L, 128L})
            for (bool kernel : {true, false})
                for (int boxed = 0; boxed < 2; ++boxed) {
                    std::vector<Interval> box;
                    for (const auto& xi : x) {
                        Interval side{Precision(256)};
                        mpfi_set_q(side.raw(), xi.backend().data());
                        if (boxed) {
                            Interval eps{Precision(256)};
                            mpfi_interv_si(eps.raw(), -1, 1);
                            mpfi_mul_2si(eps.raw(), eps.raw(), -static_cast<long>(3 + g() % 40));
                            mpfi_add(side.raw(), side.raw(), eps.raw());
                        }
                        box.push_back(side);
                    }
                    IntervalForward pass(net, Precision(bits), kernel);
                    const std::vector<Interval> got = pass.evaluate(box);
                    for (size_t l = 0; l < got.size(); ++l) {
                        if (!has_sine && !contains_q(got[l], exact[l])) std::abort();
                        if (has_sine && !overlaps(got[l], high[l])) std::abort();
                    }
                    // one level at a time: the same enclosure (no level left stale)
                    for (int l = net.levels; l >= 0; --l) {
                        const Interval once = pass.evaluate(box, l)[static_cast<size_t>(l)];
                        if (!contains(once, got[static_cast<size_t>(l)]) || !contains(got[static_cast<size_t>(l)], once)) std::abort();
                    }
                }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (j.is_discarded()) return 0;
    try {
        const Network net = network_from_json(j);
        measure_architecture(net);
        const nlohmann::json back = network_to_json(net);
        if (network_to_json(network_from_json(back)) != back) std::abort();
        if (small_enough(net)) check_forward(net, data, size);
    } catch (const InputError&) {
    }
    return 0;
}
