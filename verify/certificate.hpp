#pragma once
// The certificate of `verify run --json` (INTERFACE.md, schema "lpcert-certificate/1") and the
// parameters that rebuild the network it speaks about.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "quadrature/dyadic.hpp"
#include "verify/certification.hpp"

namespace lpcert {

struct RunParameters {
    std::string function;        // catalog name or the expression
    std::string expression;      // the expression text actually used
    int d = 1, N = 2, levels = 1;
    std::string p = "2";
    long precision_bits = 128;
    int digit_bits = 64;
    Dyadic eta;
    std::string tol = "1e-3";
    std::string construction = "floor-relu";
    std::optional<Dyadic> steepness;
};

// The run's overall verdict (INTERFACE.md), the one definition used by `run`, the reproduce suite
// and `verify check`: every computed level certified, the architecture claims hold (width
// 2dN+d+2, depth L(d+2)+1, prefix nested), nothing stopped, and with a target error, some level
// reached it.
bool run_is_certified(const CertificationResult& result, const std::optional<std::string>& target_error);

nlohmann::json certificate_json(const RunParameters& params, const CertificationResult& result, int threads,
                                double seconds, const std::optional<std::string>& target_error);

// Parameters as exact values, validated (InputError naming `what` otherwise):
// eta of SPEC section 3, a power of two 2^E with |E| <= 100000;
Dyadic parse_eta(const std::string& text, const std::string& what);
// the steepness S of SPEC 3b, a positive exact dyadic of at most 64 mantissa bits below 2^100000;
Dyadic parse_steepness(const std::string& text, const std::string& what);
// a relative tolerance, a decimal in [1e-30, 1).
void validate_tolerance(const std::string& text, const std::string& what);

// The result of a run stopped before its network existed: every level not reached, nothing
// certified, `stopped` set to the reason.
CertificationResult nothing_certified(const RunParameters& params, const std::string& reason);

// Reads the parameters back; throws InputError naming the first missing or malformed field.
RunParameters parameters_from_certificate(const nlohmann::json& certificate);

}  // namespace lpcert
