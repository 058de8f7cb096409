#pragma once
// The error types of lpcert. Libraries throw them; the CLI catches them once and maps them to
// exit statuses (INTERFACE.md): InputError -> 2, ResourceLimit -> 3, DomainError -> 2.

#include <stdexcept>
#include <string>

namespace lpcert {

// Bad input from a user: a malformed expression, an out-of-range option, a broken file.
// The message is one line that names what is wrong.
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A function is undefined or unbounded on part of its domain of integration (log x1 near 0,
// 1/(x1-0.5)): an enclosure there would be meaningless, so nothing is certified.
struct DomainError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A request that would exceed memory or time limits, refused before work starts.
struct ResourceLimit : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace lpcert
