#include "verify/network_assembly.hpp"

#include <algorithm>

#include "quadrature/errors.hpp"
#include "quadrature/stop_request.hpp"

namespace lpcert {

namespace {

ConstructionRequest request_for(const RunParameters& params, const std::function<void(const std::string&, long, long)>& progress) {
    ConstructionRequest r;
    r.d = params.d;
    r.N = params.N;
    r.levels = params.levels;
    r.digit_bits = params.digit_bits;
    r.eta = params.eta;
    r.prec = Precision(params.precision_bits);
    r.progress = progress;
    // --max-memory also bounds what a build may ask for up front (refused with exit 3)
    if (const long budget = memory_budget_bytes(); budget > 0) r.max_memory_bytes = std::min(r.max_memory_bytes, budget);
    return r;
}

}  // namespace

AssembledNetwork assemble_network(const Expression& f, const Exponent& p, RunParameters& params,
                                  const std::function<void(const std::string&, long, long)>& progress) {
    AssembledNetwork out;
    const bool sine = params.construction == "sin-relu";
    out.built = sine ? construct_sin_relu(f, request_for(params, progress), p, params.steepness)
                     : construct_floor_relu(f, request_for(params, progress), p);
    if (sine) params.steepness = out.built.steepness;
    if (params.levels >= 1) {
        CellValues shorter = out.built.values;
        shorter.v.pop_back();
        const int L = params.levels - 1;
        out.prefix_partner = std::make_unique<Network>(
            sine ? build_sin_relu(shorter, params.d, params.N, L, params.digit_bits, *params.steepness).network
                 : build_floor_relu(shorter, params.d, params.N, L, params.digit_bits).network);
    }
    return out;
}

RunParameters command_line_parameters(const CommandLine& c) {
    RunParameters params;
    params.function = c.function_label();
    params.expression = c.function_text;
    params.d = c.d;
    params.N = c.N;
    params.levels = c.levels;
    params.p = c.p;
    params.precision_bits = c.prec > 0 ? c.prec : 128;
    params.digit_bits = c.digit_bits;
    params.tol = c.tol;
    params.construction = c.construction;
    return params;
}

RunParameters run_parameters(const CommandLine& c, const Expression& f, const Exponent& p,
                             const std::function<void(const std::string&, long, long)>& progress,
                             std::optional<ModulusSearch>* search) {
    RunParameters params = command_line_parameters(c);
    params.expression = f.text();
    ConstructionRequest r = request_for(params, progress);
    check_build_resources(r);
    if (!c.eta.empty()) {
        params.eta = parse_eta(c.eta, "--eta");
    } else {
        std::string explanation;
        params.eta = default_eta(f, r, p, explanation, search);
    }
    if (!c.steepness.empty()) {
        params.steepness = parse_steepness(c.steepness, "--steepness");
        if (c.construction != "sin-relu") throw InputError("--steepness: only with --construction sin-relu");
    }
    return params;
}

}  // namespace lpcert
