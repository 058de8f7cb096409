// libFuzzer target: the ONNX importer (INTERFACE.md "Certifying any network"). Hostile bytes must
// give a Network, InputError or ResourceLimit, never a crash; what it accepts must evaluate (at
// the origin, as enclosures) and export to lpcert-network JSON that reads back the same network.
// The limits are small, so that every input is cheap and the 100,000-run smoke takes about a minute.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "construction/forward.hpp"
#include "construction/network_io.hpp"
#include "construction/onnx_import.hpp"
#include "quadrature/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpcert;
    OnnxLimits limits;
    limits.max_file_bytes = 1 << 16;
    limits.max_weights = 4096;
    limits.max_neurons = 1024;
    limits.max_nodes = 256;
    limits.max_inputs = 64;
    try {
        const Network net = import_onnx_bytes(std::string(reinterpret_cast<const char*>(data), size), limits);
        const nlohmann::json j = network_to_json(net);
        if (network_to_json(network_from_json(j)) != j) std::abort();
        std::vector<Interval> origin(static_cast<size_t>(net.d), Interval(Precision(64)));
        IntervalForward pass(net, Precision(64));
        if (pass.evaluate(origin).size() != static_cast<size_t>(net.levels) + 1) std::abort();
    } catch (const InputError&) {
    } catch (const ResourceLimit&) {
    } catch (const DomainError&) {
    }
    return 0;
}
