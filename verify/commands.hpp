#pragma once
// The subcommands of `verify`; each returns the process exit status (INTERFACE.md).

#include "verify/cli_options.hpp"

namespace lpcert {

int command_integrate(const CommandLine& c);
int command_modulus(const CommandLine& c);
int command_functions(const CommandLine& c);
int command_construct(const CommandLine& c);
int command_run(const CommandLine& c);
int command_check(const CommandLine& c);
int command_reproduce(const CommandLine& c);
int command_network(const CommandLine& c);

}  // namespace lpcert
