#pragma once
// The network file of INTERFACE.md ("lpcert-network/1"): every weight and bias an exact string
// "M" or "M*2^E". Reading validates everything and throws InputError naming the first bad field.

#include <nlohmann/json.hpp>

#include "construction/network.hpp"

namespace lpcert {

nlohmann::json network_to_json(const Network& net);
Network network_from_json(const nlohmann::json& j);

}  // namespace lpcert
