#pragma once
// The subcommands of `verify`; each returns the process exit status (INTERFACE.md). Long ones
// take the stop token of the CLI's StopSource (Ctrl-C and the budgets).

#include "cli/cli_options.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

int command_integrate(const CommandLine& c, const StopToken& stop);
int command_modulus(const CommandLine& c, const StopToken& stop);
int command_functions(const CommandLine& c);
int command_construct(const CommandLine& c, const StopToken& stop);
int command_run(const CommandLine& c, const StopToken& stop);
int command_check(const CommandLine& c, const StopToken& stop);
int command_reproduce(const CommandLine& c, const StopToken& stop);
int command_network(const CommandLine& c);
int command_certify_network(const CommandLine& c, const StopToken& stop);

}  // namespace lpcert
