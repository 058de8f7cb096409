// libFuzzer target: the certificate reader of `verify check` (JSON, parameters, expression and
// level entries), everything `check` reads before it recomputes.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "quadrature/errors.hpp"
#include "verify/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpcert;
    const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (j.is_discarded()) return 0;
    try {
        validate_certificate(j);
    } catch (const InputError&) {
    } catch (const DomainError&) {
    }
    return 0;
}
