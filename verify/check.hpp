#pragma once
// `verify check`: an independent re-verification of a certificate. The network is rebuilt from
// the recorded parameters and every level is recomputed at a different precision (+64 bits),
// a tighter tolerance (half) and a different Taylor order (5 instead of 6). The certificate
// passes only if
//   - every recorded enclosure is well formed and intersects the recomputed one,
//   - every recorded omega_lower is consistent (not above the recomputed norm at its shift, and
//     the shift has |h|_2 <= N^-l exactly),
//   - every recorded bound is <= (2d+1) * omega_lower,
//   - every level recorded "certified" is certified by the recomputation, and the recorded
//     verdict and architecture facts are what the recomputation finds.

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace lpcert {

struct CheckOutcome {
    bool passed = false;
    std::string first_failure;   // "levels[3].error: ..." when not passed
    int levels_checked = 0;
};

// The certificate reader: parameters, expression and the shape of every level entry. Throws
// InputError naming the first malformed field; recomputes nothing (fast, used by the fuzzer).
void validate_certificate(const nlohmann::json& certificate);

CheckOutcome check_certificate(const nlohmann::json& certificate, int threads_hint,
                               const std::function<void(const std::string&, long, long)>& progress);

}  // namespace lpcert
