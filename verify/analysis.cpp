#include "verify/analysis.hpp"

#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <chrono>

#include "quadrature/errors.hpp"
#include "quadrature/lipschitz.hpp"
#include "verify/json_io.hpp"

namespace lpcert {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

int threads_of(const JobOptions& o) { return o.threads > 0 ? o.threads : tbb::info::default_concurrency(); }

}  // namespace

const char* status_name(IntegrationStatus s) {
    switch (s) {
        case IntegrationStatus::Converged: return "converged";
        case IntegrationStatus::BudgetSpent: return "budget_spent";
        case IntegrationStatus::Stopped: return "stopped";
    }
    return "?";
}

IntegrateOutcome integrate(const IntegrateRequest& q, const JobOptions& options, const StopToken& stop) {
    const auto start = std::chrono::steady_clock::now();
    q.f.require_dimension(q.d);
    if (q.signed_integral && !(q.p.is_integer() && q.p.numerator() == 1)) {
        throw InputError("--signed: the signed integral int f needs --p 1");
    }
    const Precision prec(q.precision_bits);
    IntegrationOptions opt;
    opt.relative_tolerance = q.tol;
    opt.taylor_order = q.taylor_order >= 0 ? q.taylor_order : single_domain_taylor_order(q.d);
    opt.stop = stop;
    if (options.progress) {
        opt.on_round = [&](long boxes, long ratio) {
            options.progress("integrate: boxes " + std::to_string(boxes), 1, std::max(1L, ratio));
        };
    }
    IntegrateOutcome out;
    out.integral = Interval(prec);
    tbb::task_arena arena(threads_of(options));
    arena.execute([&] {
        if (q.signed_integral) {
            IntegralEnclosure r = enclose_integral(q.f, {Piece{Box::unit_cube(q.d), 0}}, {}, opt, prec);
            out.integral = r.value;
            out.boxes = r.boxes;
            out.status = r.status;
        } else {
            NormEnclosure n = enclose_lp_norm(q.f, q.d, q.p, opt, prec);
            out.integral = n.integral.value;
            out.norm = n.norm;
            out.boxes = n.integral.boxes;
            out.status = n.integral.status;
        }
    });
    if (out.status == IntegrationStatus::Stopped) out.stopped = stop.reason();
    out.seconds = seconds_since(start);
    out.json = {{"schema", "lpcert-integral/1"},
                {"function", q.function_label},
                {"expression", q.f.text()},
                {"d", q.d},
                {"p", q.p.text()},
                {"signed", q.signed_integral},
                {"integral", enclosure_json(out.integral)},
                {"norm", out.norm ? enclosure_json(*out.norm) : nlohmann::json(nullptr)},
                {"boxes", out.boxes},
                {"status", status_name(out.status)},
                {"complete", !out.stopped},
                {"stopped", out.stopped ? nlohmann::json(*out.stopped) : nlohmann::json(nullptr)},
                {"seconds", std::to_string(out.seconds)}};
    return out;
}

ModulusOutcome modulus(const ModulusRequest& q, const JobOptions& options, const StopToken& stop) {
    const auto start = std::chrono::steady_clock::now();
    q.f.require_dimension(q.d);
    const Precision prec(q.precision_bits);
    if (q.delta.empty()) throw InputError("--delta: modulus needs the radius delta > 0");
    const Interval delta_check = parse_decimal(q.delta, prec, "--delta");
    if (!certainly_positive(delta_check)) throw InputError("--delta: must be > 0");
    const RationalConstant delta(q.delta);
    ModulusOptions opt;
    opt.integration.taylor_order = q.taylor_order >= 0 ? q.taylor_order : single_domain_taylor_order(q.d);
    opt.integration.stop = stop;
    ModulusOutcome out;
    tbb::task_arena arena(threads_of(options));
    arena.execute([&] {
        try {
            out.lower = certify_modulus_lower_bound(q.f, q.d, q.p, delta.value(), opt, prec);
        } catch (const Stopped&) {
            // stopped before the first shift was enclosed: 0 is the certified lower bound then
            out.lower.norm_at_best = Interval(prec);
            out.lower.stopped = true;
            return;
        }
        if (const auto lip = bound_lipschitz_constant(q.f, q.d, "1e-2", 20000, prec, stop)) {
            Interval u(prec), dl(prec);
            mpfi_set_q(dl.raw(), delta.value());
            mul(u, lip->bound, dl);
            out.upper = u;
        }
    });
    if (out.lower.stopped) out.stopped = stop.reason();
    out.seconds = seconds_since(start);
    nlohmann::json shift = nlohmann::json::array();
    for (const auto& h : out.lower.best_shift) shift.push_back(h.to_string());
    out.json = {{"schema", "lpcert-modulus/1"},
                {"function", q.function_label},
                {"expression", q.f.text()},
                {"d", q.d},
                {"p", q.p.text()},
                {"delta", q.delta},
                {"omega_lower", decimal_down(out.lower.norm_at_best.lower())},
                {"omega_upper", out.upper ? nlohmann::json(decimal_up(out.upper->upper())) : nlohmann::json(nullptr)},
                {"best_shift", shift},
                {"shifts_screened", out.lower.shifts_screened},
                {"shifts_enclosed", out.lower.shifts_tried},
                {"boxes", out.lower.boxes},
                {"complete", !out.stopped},
                {"stopped", out.stopped ? nlohmann::json(*out.stopped) : nlohmann::json(nullptr)},
                {"seconds", std::to_string(out.seconds)}};
    return out;
}

}  // namespace lpcert
