#pragma once
// The two analysis jobs of `verify integrate` and `verify modulus` as library entry points: a
// typed request in, the result and its JSON (INTERFACE.md: lpcert-integral/1, lpcert-modulus/1)
// out. The CLI prints them; the Python module returns the JSON as a dict.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "quadrature/integration.hpp"
#include "quadrature/lp_norm.hpp"
#include "quadrature/modulus.hpp"
#include "quadrature/stop_token.hpp"
#include "verify/run_request.hpp"

namespace lpcert {

struct IntegrateRequest {
    IntegrateRequest(std::string function_label, Expression f, int d, Exponent p)
        : function_label(std::move(function_label)), f(std::move(f)), d(d), p(std::move(p)) {}
    std::string function_label;
    Expression f;
    int d;
    Exponent p;
    bool signed_integral = false;   // int f instead of int |f|^p (needs p = 1)
    long precision_bits = 128;
    std::string tol = "1e-3";       // a validated decimal
    int taylor_order = -1;          // -1: default_taylor_order(d)
};

struct IntegrateOutcome {
    Interval integral{Precision(128)};   // int |f|^p, or int f when signed
    std::optional<Interval> norm;        // ||f||_p (none when signed)
    long boxes = 0;
    IntegrationStatus status = IntegrationStatus::Converged;
    std::optional<std::string> stopped;
    double seconds = 0;
    nlohmann::json json;                 // lpcert-integral/1
};

// Throws InputError (signed with p != 1), DomainError (f undefined or unbounded on the cube).
IntegrateOutcome integrate(const IntegrateRequest& request, const JobOptions& options, const StopToken& stop);

struct ModulusRequest {
    ModulusRequest(std::string function_label, Expression f, int d, Exponent p, std::string delta)
        : function_label(std::move(function_label)), f(std::move(f)), d(d), p(std::move(p)), delta(std::move(delta)) {}
    std::string function_label;
    Expression f;
    int d;
    Exponent p;
    std::string delta;              // a positive decimal, kept exactly (validated by the constructor's caller)
    long precision_bits = 128;
    int taylor_order = -1;
};

struct ModulusOutcome {
    ModulusLowerBound lower{Interval(Precision(128)), {}, 0, 0, 0, false};   // certified: omega_f(delta)_p >= lower.norm_at_best.lower()
    std::optional<Interval> upper;       // Lip * delta, where a Lipschitz bound exists
    std::optional<std::string> stopped;
    double seconds = 0;
    nlohmann::json json;                 // lpcert-modulus/1
};

// Throws InputError when delta is not a positive decimal.
ModulusOutcome modulus(const ModulusRequest& request, const JobOptions& options, const StopToken& stop);

const char* status_name(IntegrationStatus s);

}  // namespace lpcert
