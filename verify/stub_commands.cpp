// Subcommands whose libraries are not built yet.
#include "quadrature/errors.hpp"
#include "verify/commands.hpp"

namespace lpcert {
int command_construct(const CommandLine&) { throw InputError("construct: not available in this build"); }
int command_run(const CommandLine&) { throw InputError("run: not available in this build"); }
int command_check(const CommandLine&) { throw InputError("check: not available in this build"); }
int command_reproduce(const CommandLine&) { throw InputError("reproduce: not available in this build"); }
}  // namespace lpcert
