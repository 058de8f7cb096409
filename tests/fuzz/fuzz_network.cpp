// libFuzzer target: the network reader (INTERFACE.md "lpcert-network/1"). What it accepts must
// measure, export and re-read to the same network (a failed round trip aborts: a finding).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "construction/network_io.hpp"
#include "quadrature/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpcert;
    const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (j.is_discarded()) return 0;
    try {
        const Network net = network_from_json(j);
        measure_architecture(net);
        const nlohmann::json back = network_to_json(net);
        if (network_to_json(network_from_json(back)) != back) std::abort();
    } catch (const InputError&) {
    }
    return 0;
}
