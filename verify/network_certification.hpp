#pragma once
// Certifying a GIVEN network against a target f (INTERFACE.md "Certifying any network"): for
// every readout Phi_i, rigorous enclosures of
//     E_i = || f - Phi_i ||   and   ||Phi_i||,
// over a box domain D (exact dyadic ends), NOT normalised by vol(D):
//     p finite:  ||g||_p = (int_D |g|^p)^(1/p)   (enclose_integral over D, then root_outward);
//     p = inf:   ess sup_D |g|                   (enclose_sup_abs, sup_norm.hpp).
// Between consecutive readouts the verdict is read off the enclosures:
//     "decreases"  when upper(E_{i+1}) < lower(E_i),
//     "increases"  when lower(E_{i+1}) > upper(E_i),
//     "undecided"  otherwise, after one tightening round (tolerance / 16, 4x the box budget) of
//                  the error enclosures involved (intersected with the first ones).
// Goals: relative tolerance tol, with absolute floors (tol * 1e-30 on int |g|^p, tol * 1e-15 on
// sup |g|) so that a norm equal to 0 converges instead of spending the box budget.
// Verdicts are computed once all enclosures are final, from the enclosures the certificate
// records, so that `verify check` can recompute every verdict from the recorded numbers.
// The network is compiled to an Expression (construction/network_expression.hpp) with exact
// weights; every number printed is an outward-rounded enclosure.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "construction/network.hpp"
#include "quadrature/box.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/lp_norm.hpp"
#include "quadrature/stop_token.hpp"
#include "verify/check.hpp"
#include "verify/run_request.hpp"

namespace lpcert {

// p in [1, inf) exactly, or infinity.
struct ExponentOrInfinity {
    bool infinite = false;
    std::optional<Exponent> finite;
    // "inf" or a decimal >= 1 (Exponent::parse); throws InputError naming --p.
    static ExponentOrInfinity parse(const std::string& text);
    std::string text() const { return infinite ? "inf" : finite->text(); }
};

using DyadicDomain = std::vector<std::pair<Dyadic, Dyadic>>;

// "lo1:hi1,lo2:hi2,..." (exact decimals, each a dyadic rational, lo < hi) for d inputs; throws
// InputError naming `what` (a decimal such as 0.1 is not dyadic: refused, not rounded).
DyadicDomain parse_domain(const std::string& text, int d, const std::string& what = "--domain");
// An exact decimal that is a dyadic rational, as a Dyadic; throws InputError naming `what`.
Dyadic dyadic_from_decimal(const std::string& text, const std::string& what);
// The exact decimal expansion of a dyadic ("-0.375", "3").
std::string exact_decimal(const Dyadic& x);
Box domain_box(const DyadicDomain& domain);

// Reads a network file; sets `format` ("lpcert-json" today; ONNX and the v2 JSON are added
// here). Throws InputError naming the file and the field.
Network read_network_file(const std::string& path, std::string& format);

struct NetworkCertificationRequest {
    Network net;
    std::string file, sha256, format = "lpcert-json";
    std::string function_label;
    Expression f;
    ExponentOrInfinity p;
    DyadicDomain domain;            // empty: [0,1]^d
    std::string tol = "1e-3";       // a validated decimal
    long precision_bits = 0;        // 0: chosen from tol (chosen_network_precision)
    long max_boxes = 0;             // per enclosure; 0 = the defaults of enclose_integral / enclose_sup_abs
};

// The working precision when none is given: 64 bits for tol >= 1e-8 when every weight and bias
// is a float32 value (mantissa <= 24 bits, exponent within +-126: what ONNX from PyTorch holds),
// MPFR's one-limb numbers, 1.3-1.7x faster than two limbs (rounding at 2^-64 per operation stays
// far below such a goal, and the forms that cancel add their own 64 bits); otherwise 128 down
// to tol 1e-25 and 160 below (networks with long exact weights, like lpcert's own
// constructions, need the bits: at 64 a constructed kink network spent its budget).
long chosen_network_precision(const std::string& tol, const Network& net);

// The request for a network file and a target (the catalog name, resolved in the network's
// dimension, or an expression in x1..xd), p ("inf" or a decimal >= 1), an optional domain text
// ("" = [0,1]^d), a validated tolerance and a precision (0: chosen from tol): what `verify certify-network` and
// lpcert.certify_network build. Throws InputError naming the option or the file's field.
NetworkCertificationRequest network_request(const std::string& file, const std::optional<std::string>& function,
                                            const std::optional<std::string>& expression, const std::string& p,
                                            const std::string& domain, const std::string& tol, long precision_bits);

enum class PairVerdict { Decreases, Increases, Undecided };
const char* verdict_name(PairVerdict v);
// The verdict rule above, from two enclosures (certainly_less: every point of one below the other).
PairVerdict verdict_of(const Interval& from, const Interval& to);

struct ReadoutEnclosures {
    int index = 0;
    Interval error, norm;
    std::string error_status, norm_status;   // converged, budget_spent, stopped
    long boxes = 0;
    bool tightened = false;
};

struct NetworkCertificationOutcome {
    std::vector<ReadoutEnclosures> readouts;   // 0..k-1 (all of them unless stopped)
    std::vector<PairVerdict> verdicts;         // between readouts i and i+1
    bool complete = false;
    std::optional<std::string> stopped;
    nlohmann::json certificate;                // lpcert-network-certificate/1
    double seconds = 0;
    // Every readout enclosed and every pair decided: exit status 0 of certify-network.
    bool all_decided() const;
};

// Throws InputError (dimension mismatch, unsupported activation, no readouts), DomainError (f
// undefined on D). A stop ends the work where it is: the enclosures so far are kept (each true)
// and the outcome is marked stopped.
NetworkCertificationOutcome certify_network(const NetworkCertificationRequest& request, const JobOptions& options,
                                            const StopToken& stop);

// `verify check` of an lpcert-network-certificate/1 (defined in check.cpp): rebuilds the network
// from "network_content", recomputes at half the tolerance and +64 bits, and checks every field
// (see check.cpp). `base_dir`: where a relative "file" is looked for besides the working directory.
CheckOutcome check_network_certificate(const nlohmann::json& certificate, const JobOptions& options, const StopToken& stop,
                                       const std::string& base_dir = "");

}  // namespace lpcert
