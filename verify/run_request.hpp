#pragma once
// What a certification run asks for (SPEC section 5), as exact types parsed at the edge: the CLI,
// the Python module, the reproduce suite and `verify check` each build one and call certify_run
// (certify_run.hpp). Nothing here is a command line.

#include <functional>
#include <optional>
#include <string>

#include "quadrature/dyadic.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/lp_norm.hpp"

namespace lpcert {

// (stage, done, total): a long job's progress; total 0 = unknown. Called from worker threads.
using ProgressCallback = std::function<void(const std::string&, long, long)>;

enum class Construction { FloorRelu, SinRelu };
const char* construction_name(Construction c);          // "floor-relu", "sin-relu"
Construction parse_construction(const std::string& s);  // throws InputError naming --construction

struct RunRequest {
    RunRequest(std::string function_label, Expression f, int d, Exponent p)
        : function_label(std::move(function_label)), f(std::move(f)), d(d), p(std::move(p)) {}

    std::string function_label;    // the catalog name, or the expression text
    Expression f;                  // checked against d by certify_run
    int d;
    Exponent p;
    int N = 2;
    int levels = 3;
    long precision_bits = 128;     // working precision of the quadrature
    int digit_bits = 64;           // b
    std::optional<Dyadic> eta;     // none: the default of SPEC section 3
    Construction construction = Construction::FloorRelu;
    std::optional<Dyadic> steepness;            // sin-relu only; none: the default of SPEC 3b
    std::string tol = "1e-3";                    // a validated decimal (validate_tolerance)
    std::optional<std::string> target_error;    // a validated decimal: stop at the first level below it
    int taylor_order = -1;                       // -1: default_taylor_order(d)
};

// How a job runs, not what it computes.
struct JobOptions {
    int threads = 0;               // TBB workers; 0 = all cores. Results do not depend on it.
    ProgressCallback progress;     // may be empty
};

}  // namespace lpcert
