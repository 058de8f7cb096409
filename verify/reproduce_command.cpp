// `verify reproduce`.
#include "quadrature/errors.hpp"
#include "verify/commands.hpp"

namespace lpcert {
int command_reproduce(const CommandLine&) { throw InputError("reproduce: not available in this build"); }
}  // namespace lpcert
