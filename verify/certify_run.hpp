#pragma once
// The certification pipeline, written once: request -> parameters (eta resolved) -> the built
// network and its prefix partner -> certify_levels -> the lpcert-certificate/1 JSON. `verify run`,
// the reproduce suite, `verify check`, the Python module and the tests all call it.

#include <nlohmann/json.hpp>

#include <optional>

#include "quadrature/stop_token.hpp"
#include "verify/certification.hpp"
#include "verify/network_assembly.hpp"
#include "verify/run_request.hpp"

namespace lpcert {

struct RunOutcome {
    RunParameters parameters;                  // eta (and a default steepness) resolved
    CertificationResult result;
    std::optional<AssembledNetwork> network;   // none when a stop came before it was built
    nlohmann::json certificate;                // lpcert-certificate/1; eta null when not chosen
    double seconds = 0;
    bool certified() const;                    // run_is_certified(result, target_error)
    std::optional<std::string> target_error;
};

// Runs the whole pipeline. A stop (the token) ends it where it is: what was certified is kept and
// the result is marked stopped (a stop before the network exists certifies nothing). Throws
// InputError / DomainError / ResourceLimit for bad requests and refused resources.
// `settings_override`, when given, replaces the certification settings derived from the request
// (verify check recomputes with another precision, tolerance and Taylor order); its stop,
// progress and known_modulus are set here.
RunOutcome certify_run(const RunRequest& request, const JobOptions& options, const StopToken& stop,
                       const std::optional<CertificationSettings>& settings_override = std::nullopt);

// The certification's quadrature precision for a run: 64 bits for tol >= 1e-8, else the request's
// (at most the request's either way). A speed choice, like certify-network's (docs/math.md 7):
// every enclosure holds at any precision, and at 64 bits the rounding of the quadratures, the
// p = 2 identity's sums (about 2^-60 of O(1) terms) and the modulus stays far below such a
// tolerance; the construction keeps the request's precision (the network does not change).
long chosen_quadrature_precision(const std::string& tol, long requested);

// The certification settings a request implies (tolerance, Taylor order, precision, target).
CertificationSettings settings_for(const RunRequest& request);

}  // namespace lpcert
