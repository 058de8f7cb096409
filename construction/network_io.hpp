#pragma once
// The network files of INTERFACE.md: "lpcert-network/1" (every layer reads the previous one,
// weights "M" or "M*2^E") and "lpcert-network/2" (docs/network-format.md: any number of inputs,
// sources "x3" and "L2:5" for skip connections, weights also as dyadic decimals "0.125").
// Reading validates everything and throws InputError naming the first bad field.

#include <nlohmann/json.hpp>

#include "construction/network.hpp"

namespace lpcert {

// Writes lpcert-network/1, or lpcert-network/2 (with the same integer sources) when the network
// is beyond /1's limits (d > 8 or more than 65 readouts).
nlohmann::json network_to_json(const Network& net);
// Either schema; a /2 file is flattened (flatten() in network.hpp) into a plain Network.
Network network_from_json(const nlohmann::json& j);
// A lpcert-network/2 file as written, skip connections kept.
SkipNetwork skip_network_from_json(const nlohmann::json& j);
// An exact weight of /2: "M", "M*2^E" or a decimal that is a dyadic ("-1.5e-3" is refused: it is
// not); throws InputError naming `where`.
Dyadic parse_exact_weight(const std::string& text, const std::string& where);

}  // namespace lpcert
