#pragma once
// The paper's corollaries read off a certificate (docs/math.md section 8), for the reproduce
// suite's summary:
//   - the Hoelder rate  ||f - Phi_l||_p <= (2d+1) lambda N^(-alpha l)  for the catalog functions
//     with exact Hoelder data (quadrature/catalog.hpp), checked against the certified error's
//     upper end like the Lipschitz rate (verify/certification.cpp, decide);
//   - Corollary 2.3 (accuracy eps with depth O(log 1/eps)): the first certified level whose error
//     upper end is <= eps, with the depth and the nonzero parameter count of the network of that
//     many levels.
// Computed in the report layer from the certificate's outward-rounded decimals and the catalog's
// exact data, in MPFI with outward rounding (never in double); the certificate schema is
// unchanged, and nothing here is needed by `verify check`.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "construction/builder.hpp"

namespace lpcert {

struct HoelderRateLevel {
    int level = 0;
    std::string error_upper;   // the certificate's decimal
    std::string rate_bound;    // (2d+1) lambda N^(-alpha l), rounded down to a decimal
    bool holds = false;        // error_upper <= rate_bound, decided on the decimals (exactly)
};

struct HoelderRate {
    std::string alpha;    // "1/2", or "1/p" for functions with jumps
    std::string lambda;   // "1", or "1.6^(1/p)"
    std::string sense;    // "sup" (|f(x)-f(y)| <= lambda |x-y|^alpha) or "L^p" (only omega_f(delta)_p <= lambda delta^alpha)
    std::vector<HoelderRateLevel> levels;   // the levels whose error was enclosed
    int holding() const;                    // how many levels hold
};

// The Hoelder rate of a certificate whose function is a catalog name with Hoelder data;
// nullopt otherwise (an expression, no data, or p = inf with alpha = 1/p).
std::optional<HoelderRate> hoelder_rate(const nlohmann::json& certificate);

// The size of the network of `level` levels (the prefix of the built one: same weights).
struct NetworkSize {
    int level = 0;
    int depth = 0;                      // hidden layers: level (d+2) + 1, 0 for the constant Phi_0
    long parameters = 0;                // nonzero weights and biases of the hidden neurons and of readout Phi_level
    long longest_coefficient_bits = 0;  // mantissa bits of the longest coefficient (the level table theta)
};

// Nonzero weights and biases of every hidden neuron of `net` plus those of its readout of level
// `readout_level` (the other readouts are not needed to compute that one).
long nonzero_coefficients(const Network& net, int readout_level);
long longest_coefficient_bits(const Network& net, int readout_level);

// Per level l = 0..L of `built`: the network built from the same cell values (and, for sin-relu,
// the same steepness) with l levels. Rebuilds from exact data: no quadrature, no rounding.
std::vector<NetworkSize> network_sizes(const BuiltNetwork& built);

struct AccuracyLevel {
    std::string eps;                 // decimal, e.g. "1e-2"
    std::optional<int> level;        // first certified level with error upper <= eps; nullopt: not reached
    std::string error_upper;         // at that level
    NetworkSize size;                // of the network of that level
};

// Corollary 2.3 for one certificate: for each eps, the first level whose status is "certified"
// and whose error upper end is <= eps (decided exactly on the decimals).
std::vector<AccuracyLevel> accuracy_levels(const nlohmann::json& certificate, const std::vector<NetworkSize>& sizes,
                                           const std::vector<std::string>& eps);

// 1e-1, 1e-2, 1e-3 and further powers 1e-k as long as some certified level of some certificate
// reaches them.
std::vector<std::string> accuracy_targets(const std::vector<const nlohmann::json*>& certificates);

// The two summary sections ("Hoelder rate", "Corollary 2.3") over the cases of a suite, as
// Markdown and HTML (tables and their explanations), and per case as JSON for summary.json
// ({"name", "hoelder_rate": null | {...}, "accuracy": [...]}).
struct CorollaryCase {
    std::string name;
    const nlohmann::json* certificate = nullptr;
    const std::vector<NetworkSize>* sizes = nullptr;   // may be empty (no network was built)
};
struct CorollarySections {
    std::string markdown, html;
    nlohmann::json json = nlohmann::json::array();
};
CorollarySections corollary_sections(const std::vector<CorollaryCase>& cases);

}  // namespace lpcert
