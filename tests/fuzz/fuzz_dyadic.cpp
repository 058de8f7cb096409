// libFuzzer target: the exact dyadic parser "M" / "M*2^E". What parses must print back to a
// string that parses to the same value (a failed round trip aborts: a finding).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "quadrature/dyadic.hpp"
#include "quadrature/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpcert;
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const Dyadic x = Dyadic::parse(text, "fuzz");
        const Dyadic y = Dyadic::parse(x.to_string(), "fuzz");
        if (!(x == y)) std::abort();
    } catch (const InputError&) {
    }
    return 0;
}
