#pragma once
// Builds the network a run or a certificate speaks about (the chosen construction), and its
// prefix partner: the same construction with one level less and the same eta and b.

#include <memory>
#include <optional>

#include "construction/builder.hpp"
#include "quadrature/stop_token.hpp"
#include "verify/certificate.hpp"
#include "verify/run_request.hpp"

namespace lpcert {

struct AssembledNetwork {
    BuiltNetwork built;
    std::unique_ptr<Network> prefix_partner;   // null when L = 0
};

// From explicit parameters (eta given). For sin-relu without a steepness, the default S of
// SPEC 3b is chosen and written into params. Throws Stopped when `stop` fires during the build.
AssembledNetwork assemble_network(const Expression& f, const Exponent& p, RunParameters& params,
                                  const ProgressCallback& progress, const StopToken& stop);

// The parameters a request fixes by itself (eta, when not given, is left at its zero value).
RunParameters request_parameters(const RunRequest& r);
// The parameters of a request with eta resolved: the request's, or the default of SPEC section 3
// (whose modulus search is kept in *search when given, for the run's level L).
RunParameters resolve_parameters(const RunRequest& r, const ProgressCallback& progress, const StopToken& stop,
                                 std::optional<ModulusSearch>* search = nullptr);

}  // namespace lpcert
