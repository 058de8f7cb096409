#pragma once
// `verify check`: an independent re-verification of a certificate. The network is rebuilt from
// the recorded parameters and the whole run is recomputed by the same pipeline as `verify run`
// (certify_run.hpp) at another precision (+64 bits), a tighter tolerance (half) and another
// Taylor order (5 instead of 6). Every claim the certificate makes is then checked:
//   - parameters: they define the recomputation (a changed one changes what is recomputed);
//   - architecture: width, depth, their expected values, activation counts, prefix_nested equal
//     the rebuilt network's;
//   - lipschitz: present exactly when the recomputation finds a bound, and not below the
//     recomputed certified lower end of Lip;
//   - levels: as many as the recomputation reaches; each error enclosure meets the recomputed one;
//     omega_lower is not above the recomputed norm at its admissible shift; bound <= (2d+1)
//     omega_lower and lipschitz_bound >= (2d+1) Lip N^-l exactly; a claimed "certified" or
//     "refuted" is what the recomputation finds and follows from the recorded numbers;
//   - target_error / target_level: the recomputation stops at the recorded level, and the recorded
//     errors are above the target before it and below it there;
//   - verdict: equal to run_is_certified (the function `run` uses) of the recorded claims, and a
//     "certified" one confirmed by the recomputation;
//   - complete / stopped: consistent with each other and with the number of levels;
//   - schema and environment: well formed (the environment is provenance, not a claim).

#include <nlohmann/json.hpp>

#include <string>

#include "quadrature/stop_token.hpp"
#include "verify/run_request.hpp"

namespace lpcert {

struct CheckOutcome {
    bool passed = false;
    std::string first_failure;   // "levels[3].error: ..." when not passed
    int levels_checked = 0;
};

// The certificate reader: parameters, expression and the shape of every field. Throws InputError
// naming the first malformed field; recomputes nothing (fast, used by the fuzzer).
void validate_certificate(const nlohmann::json& certificate);

// Throws InputError for a malformed certificate; a stop during the recomputation rejects it
// ("nothing was confirmed").
CheckOutcome check_certificate(const nlohmann::json& certificate, const JobOptions& options, const StopToken& stop);

}  // namespace lpcert
