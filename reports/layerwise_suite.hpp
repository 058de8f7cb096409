#pragma once
// The layer-wise suite (INTERFACE.md "The layer-wise suite"): the claims of two layer-wise
// training schemes checked on the project's trained ONNX networks (tests/data/layerwise):
//   MGDL (arXiv:2601.16884) on "mgdl" networks: the error ||f - Phi_i|| decreases across grades;
//   LPA  (arXiv:2604.24154) on "lpa" networks, and on their "end-to-end" twins, where it is
//        expected to fail: the error decreases monotonically with depth.
// Every network is certified with certify_network (f = the manifest's expression, [0,1]^d) for
// each norm (quick: the d = 1 networks, p = 2 and inf; full: every network, p = 1, 2, inf).
// For a network and a norm the claim is
//   "certified" when every consecutive pair is "decreases",
//   "refuted"   when some pair is "increases" (the two enclosures are the witness),
//   "undecided" otherwise (some pair's enclosures overlap, or the run stopped).
// A refuted claim is a result of the suite, not a failure: the exit status is 0 when every
// certification completed and (with compare) nothing regressed.

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "quadrature/stop_token.hpp"

namespace lpcert {

// One entry of tests/data/layerwise/manifest.json.
struct LayerwiseNetwork {
    std::string file;          // relative to the data directory
    std::string scheme;        // "mgdl" | "lpa" | "end-to-end"
    std::string function;      // catalog name
    std::string expression;    // f in x1..xd
    int d = 1;
    int readouts = 0;
};

// Reads DIR/manifest.json; throws InputError naming the file and the field.
std::vector<LayerwiseNetwork> read_layerwise_manifest(const std::string& data_dir);

struct LayerwiseSuiteOptions {
    bool quick = true;
    std::string data_dir;      // holds manifest.json and the networks
    std::string out;           // "" = no files
    std::string compare;       // "" = no comparison; else a directory of certificates <file>_p<P>.json
    std::string tol = "1e-3";
    int threads = 0;
    bool quiet = false;
    std::function<void(const std::string&, long, long)> progress;
    std::function<void(const std::string&)> on_line;   // one line per network and a final line (the CLI prints them)
    StopToken stop;
};

// Regression check of two lpcert-network-certificate/1: "" when `now` agrees with `stored` (same
// readout count, same pair verdicts, every error and norm enclosure meets the stored one);
// otherwise what changed.
std::string compare_network_certificates(const nlohmann::json& now, const nlohmann::json& stored);

// Runs the suite; returns the exit status (0: every certification completed and nothing
// regressed; 1: stopped or a regression). Throws InputError for a bad manifest or network.
int run_layerwise_suite(const LayerwiseSuiteOptions& options);

}  // namespace lpcert
