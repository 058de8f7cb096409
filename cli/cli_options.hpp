#pragma once
// The command line of `verify` (INTERFACE.md): common options, parsed and validated once.
// Every validation failure throws InputError with a one-line message naming the option.

#include <optional>
#include <string>
#include <vector>

#include "quadrature/expression.hpp"
#include "quadrature/lp_norm.hpp"
#include "verify/run_request.hpp"

namespace lpcert {

struct CommandLine {
    std::string subcommand;
    std::vector<std::string> arguments;        // positional arguments after the subcommand

    // target function
    std::string function_name;                 // catalog name, or "" when --f was given
    std::string function_text;                 // the expression text
    int d = 1;
    int N = 2;
    int levels = 3;
    std::string p = "2";
    long prec = 0;                             // 0 = choose
    std::string tol = "1e-3";
    int threads = 0;                           // 0 = all cores
    std::string json;                          // "" none, "-" stdout
    std::string out;                           // report directory
    std::string eta;                           // "" = default
    int digit_bits = 64;
    std::string construction = "floor-relu";
    std::string steepness;
    std::string delta;                         // modulus
    std::string export_file;                   // construct
    std::string target_error;                  // run
    std::string compare;                       // reproduce
    std::string suite = "paper";               // reproduce: paper | layerwise
    std::string at;                            // network: a point "x1,...,xd"
    std::string domain;                        // certify-network: "lo1:hi1,..." (exact decimals)
    bool signed_integral = false;              // integrate
    bool quick = false;
    bool quiet = false;
    int taylor_order = -1;                     // -1 = default_taylor_order(d)
    double max_seconds = 0;                    // 0 = none
    long max_memory = 0;                       // bytes of resident memory; 0 = none
    std::string help_text;                     // subcommand "help": what --help prints

    bool has_function() const { return !function_text.empty(); }
    // The function as an expression, checked against d. Throws InputError.
    Expression expression() const;
    // Display name: the catalog name or the expression.
    std::string function_label() const { return function_name.empty() ? function_text : function_name; }
};

// The run a command line asks for (run, construct): every string parsed into its exact type.
RunRequest run_request(const CommandLine& c);

// Parses argv; throws InputError on unknown options, bad values or a missing subcommand.
CommandLine parse_command_line(int argc, const char* const* argv);
std::string usage();                                  // the subcommands
std::string usage(const std::string& subcommand);     // one subcommand's options and defaults
std::string subcommand_list();                        // "run, construct, ..."

}  // namespace lpcert
