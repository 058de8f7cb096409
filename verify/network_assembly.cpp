#include "verify/network_assembly.hpp"

#include <algorithm>

#include "quadrature/errors.hpp"
#include "verify/certify_run.hpp"

namespace lpcert {

const char* construction_name(Construction c) { return c == Construction::SinRelu ? "sin-relu" : "floor-relu"; }

Construction parse_construction(const std::string& s) {
    if (s == "floor-relu") return Construction::FloorRelu;
    if (s == "sin-relu") return Construction::SinRelu;
    throw InputError("--construction: must be floor-relu or sin-relu (got '" + s + "')");
}

namespace {

ConstructionRequest request_for(const RunParameters& params, const ProgressCallback& progress, const StopToken& stop) {
    ConstructionRequest r;
    r.d = params.d;
    r.N = params.N;
    r.levels = params.levels;
    r.digit_bits = params.digit_bits;
    r.eta = params.eta;
    r.prec = Precision(params.precision_bits);
    r.modulus_prec = Precision(chosen_quadrature_precision(params.tol, params.precision_bits));   // certify_run's
    r.progress = progress;
    r.stop = stop;
    // a memory budget also bounds what a build may ask for up front (refused with exit 3)
    if (const long budget = stop.memory_budget_bytes(); budget > 0) r.max_memory_bytes = std::min(r.max_memory_bytes, budget);
    return r;
}

}  // namespace

AssembledNetwork assemble_network(const Expression& f, const Exponent& p, RunParameters& params,
                                  const ProgressCallback& progress, const StopToken& stop) {
    AssembledNetwork out;
    const bool sine = params.construction == "sin-relu";
    out.built = sine ? construct_sin_relu(f, request_for(params, progress, stop), p, params.steepness)
                     : construct_floor_relu(f, request_for(params, progress, stop), p);
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

RunParameters request_parameters(const RunRequest& r) {
    RunParameters params;
    params.function = r.function_label;
    params.expression = r.f.text();
    params.d = r.d;
    params.N = r.N;
    params.levels = r.levels;
    params.p = r.p.text();
    params.precision_bits = r.precision_bits;
    params.digit_bits = r.digit_bits;
    params.tol = r.tol;
    params.construction = construction_name(r.construction);
    if (r.eta) params.eta = *r.eta;
    params.steepness = r.steepness;
    return params;
}

RunParameters resolve_parameters(const RunRequest& req, const ProgressCallback& progress, const StopToken& stop,
                                 std::optional<ModulusSearch>* search) {
    if (req.steepness && req.construction != Construction::SinRelu) {
        throw InputError("--steepness: only with --construction sin-relu");
    }
    RunParameters params = request_parameters(req);
    ConstructionRequest r = request_for(params, progress, stop);
    check_build_resources(r);
    if (!req.eta) {
        std::string explanation;
        params.eta = default_eta(req.f, r, req.p, explanation, search);
    }
    return params;
}

}  // namespace lpcert
