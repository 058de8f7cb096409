#pragma once
// The reproduce suite: the paper's claims checked over the catalog (smooth, oscillatory, Hoelder,
// Lipschitz with kinks, discontinuous; d in {1,2,3}; N in {2,3}; p in {1, 2, 3.5}), one certificate
// per case, a summary (Markdown, HTML, JSON) and an overall verdict; optionally compared with
// stored certificates (regression mode for CI).

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "quadrature/stop_token.hpp"

namespace lpcert {

struct SuiteCase {
    std::string name;          // file name of its certificate
    std::string function;      // catalog name
    int d, N, levels;
    std::string p;
    std::string eta;           // "" = the default of SPEC section 3
    std::string construction = "floor-relu";
};

std::vector<SuiteCase> reproduce_suite(bool quick);

struct SuiteOptions {
    bool quick = true;
    std::string out;           // "" = no files
    std::string compare;       // "" = no comparison
    std::string tol = "1e-3";
    int threads = 0;
    bool quiet = false;
    std::function<void(const std::string&, long, long)> progress;
    std::function<void(const std::string&)> on_line;   // one line per case and the summary (the CLI prints them)
    StopToken stop;
};

// "" when `now` agrees with `stored` (same verdict, same statuses, every error enclosure meets
// the stored one); otherwise what changed.
std::string compare_certificates(const nlohmann::json& now, const nlohmann::json& stored);

// Runs the suite, reports a line per case and a summary through on_line; returns the exit status (0 only if everything was
// certified and, with compare, nothing regressed).
int run_reproduce(const SuiteOptions& options);

}  // namespace lpcert
