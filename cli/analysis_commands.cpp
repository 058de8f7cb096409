// `verify integrate`, `verify modulus` and `verify functions`.

#include <iostream>

#include "cli/json_output.hpp"
#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/lp_norm.hpp"
#include "cli/commands.hpp"
#include "verify/analysis.hpp"
#include "verify/json_io.hpp"
#include "cli/progress.hpp"

namespace lpcert {

namespace {

ProgressCallback bar(Progress& progress) {
    return [&progress](const std::string& stage, long done, long total) { progress.update(stage, done, total); };
}

}  // namespace

int command_integrate(const CommandLine& c, const StopToken& stop) {
    IntegrateRequest q(c.function_label(), c.expression(), c.d, Exponent::parse(c.p));
    q.signed_integral = c.signed_integral;
    q.precision_bits = c.prec > 0 ? c.prec : 128;
    q.tol = c.tol;
    q.taylor_order = c.taylor_order;
    Progress progress(c.quiet);
    const IntegrateOutcome r = integrate(q, JobOptions{c.threads, bar(progress)}, stop);
    progress.finish();
    std::cout << (c.signed_integral ? "int f" : "int |f|^p") << " over [0,1]^" << c.d << " in " << to_string(r.integral)
              << "\n";
    if (r.norm) std::cout << "||f||_" << c.p << " in " << to_string(*r.norm) << "\n";
    std::cout << "boxes " << r.boxes << ", " << status_name(r.status) << ", " << r.seconds << " s\n";
    if (r.stopped) std::cout << "stopped: " << *r.stopped << " (the enclosure is true but not as tight as asked)\n";
    if (!c.json.empty()) emit_json(r.json, c.json);
    return r.status == IntegrationStatus::Converged ? 0 : 1;
}

int command_modulus(const CommandLine& c, const StopToken& stop) {
    ModulusRequest q(c.function_label(), c.expression(), c.d, Exponent::parse(c.p), c.delta);
    q.precision_bits = c.prec > 0 ? c.prec : 128;
    q.taylor_order = c.taylor_order;
    Progress progress(c.quiet);
    const ModulusOutcome r = modulus(q, JobOptions{c.threads, bar(progress)}, stop);
    progress.finish();
    std::cout << "omega_f(" << c.delta << ")_" << c.p << " >= " << decimal_down(r.lower.norm_at_best.lower()) << "\n";
    if (r.upper) std::cout << "omega_f(" << c.delta << ")_" << c.p << " <= " << decimal_up(r.upper->upper()) << "  (Lip * delta)\n";
    std::cout << "shifts ranked " << r.lower.shifts_screened << ", enclosed " << r.lower.shifts_tried << ", boxes "
              << r.lower.boxes << ", " << r.seconds << " s\n";
    if (r.stopped) std::cout << "stopped: " << *r.stopped << " (the lower bound is certified; more shifts might raise it)\n";
    if (!c.json.empty()) emit_json(r.json, c.json);
    return r.stopped ? 1 : 0;
}

int command_functions(const CommandLine& c) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : catalog()) {
        const int d = std::max(e.min_dimension, 1);
        std::cout << e.name << "  [" << e.family << ", d >= " << e.min_dimension << "]  " << e.expression(d) << "\n    "
                  << e.known << "\n";
        list.push_back({{"name", e.name}, {"family", e.family}, {"min_dimension", e.min_dimension},
                        {"expression", e.expression(d)}, {"known", e.known}});
    }
    if (!c.json.empty()) emit_json({{"schema", "lpcert-functions/1"}, {"functions", list}}, c.json);
    return 0;
}

}  // namespace lpcert
