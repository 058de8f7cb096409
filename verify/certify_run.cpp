#include "verify/certify_run.hpp"

#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <chrono>

#include "quadrature/errors.hpp"
#include "quadrature/expression.hpp"

namespace lpcert {

bool RunOutcome::certified() const { return run_is_certified(result, target_error); }

long chosen_quadrature_precision(const std::string& tol, long requested) {
    // exact comparison of the decimals (tol = 1e-8 itself is 64 bits)
    if (mpq_cmp(RationalConstant(tol).value(), RationalConstant("1e-8").value()) >= 0) return std::min(requested, 64L);
    return requested;
}

CertificationSettings settings_for(const RunRequest& request) {
    CertificationSettings s;
    s.tol = request.tol;
    s.taylor_order = request.taylor_order;
    s.quadrature_bits = chosen_quadrature_precision(request.tol, request.precision_bits);
    s.target_error = request.target_error;
    return s;
}

RunOutcome certify_run(const RunRequest& request, const JobOptions& options, const StopToken& stop,
                       const std::optional<CertificationSettings>& settings_override) {
    const auto start = std::chrono::steady_clock::now();
    request.f.require_dimension(request.d);
    const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
    // The job's own arena: the thread count is the request's, not a process-wide setting.
    tbb::task_arena arena(threads);
    RunOutcome out;
    out.target_error = request.target_error;
    out.parameters = request_parameters(request);
    bool built = false;
    try {
        arena.execute([&] {
            std::optional<ModulusSearch> finest_modulus;
            try {
                out.parameters = resolve_parameters(request, options.progress, stop, &finest_modulus);
                out.network.emplace(assemble_network(request.f, request.p, out.parameters, options.progress, stop));
                built = true;
            } catch (const Stopped& s) {
                out.result = nothing_certified(out.parameters, s.what());
                return;
            }
            CertificationSettings settings = settings_override ? *settings_override : settings_for(request);
            settings.stop = stop;
            settings.progress = options.progress;
            if (finest_modulus) settings.known_modulus = &*finest_modulus;
            out.result = certify_levels(request.f, request.p, out.network->built, out.network->prefix_partner.get(), settings);
            settings.known_modulus = nullptr;
        });
    } catch (const DomainError& e) {
        // f itself undefined or unbounded somewhere (a cell average, sup |f|): (T) is about f in
        // L^p with the modulus of a bounded f, so say so in the one line
        const std::string why = e.what();
        if (why.rfind("function '" + request.f.text() + "'", 0) != 0) throw;
        throw DomainError("f must be bounded on the domain ([0,1]^" + std::to_string(request.d) + " by default): " + why);
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.certificate = certificate_json(out.parameters, out.result, threads, out.seconds, request.target_error);
    if (!built) out.certificate["parameters"]["eta"] = nullptr;   // not chosen yet
    return out;
}

}  // namespace lpcert
