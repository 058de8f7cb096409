#pragma once
// Builds the network a run or a certificate speaks about (the chosen construction), and its
// prefix partner: the same construction with one level less and the same eta and b.

#include <memory>

#include "construction/builder.hpp"
#include "verify/certificate.hpp"
#include "verify/cli_options.hpp"

namespace lpcert {

struct AssembledNetwork {
    BuiltNetwork built;
    std::unique_ptr<Network> prefix_partner;   // null when L = 0
};

// From explicit parameters (eta given). For sin-relu without a steepness, the default S of
// SPEC 3b is chosen and written into params. progress may be empty.
AssembledNetwork assemble_network(const Expression& f, const Exponent& p, RunParameters& params,
                                  const std::function<void(const std::string&, long, long)>& progress);

// What the command line fixes by itself (everything but eta and the default steepness).
RunParameters command_line_parameters(const CommandLine& c);
// RunParameters for a command line: eta from --eta or the default of SPEC section 3 (whose
// modulus search is kept in *search when given, for the run's level L).
RunParameters run_parameters(const CommandLine& c, const Expression& f, const Exponent& p,
                             const std::function<void(const std::string&, long, long)>& progress,
                             std::optional<ModulusSearch>* search = nullptr);

}  // namespace lpcert
