// `verify integrate`, `verify modulus` and `verify functions`.

#include <tbb/info.h>

#include <chrono>
#include <iostream>

#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/lipschitz.hpp"
#include "quadrature/lp_norm.hpp"
#include "quadrature/modulus.hpp"
#include "quadrature/stop_request.hpp"
#include "verify/commands.hpp"
#include "verify/json_io.hpp"
#include "verify/progress.hpp"

namespace lpcert {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}


const char* status_name(IntegrationStatus s) {
    switch (s) {
        case IntegrationStatus::Converged: return "converged";
        case IntegrationStatus::BudgetSpent: return "budget_spent";
        case IntegrationStatus::Stopped: return "stopped";
    }
    return "?";
}

}  // namespace

int command_integrate(const CommandLine& c) {
    const auto start = std::chrono::steady_clock::now();
    const Expression f = c.expression();
    const Exponent p = Exponent::parse(c.p);
    if (c.signed_integral && !(p.is_integer() && p.numerator() == 1)) {
        throw InputError("--signed: the signed integral int f needs --p 1");
    }
    const Precision prec(c.prec > 0 ? c.prec : 128);
    Progress progress(c.quiet);
    IntegrationOptions opt;
    opt.relative_tolerance = c.tol;
    opt.taylor_order = c.taylor_order;
    opt.on_round = [&](long boxes, long ratio) { progress.update("integrate: boxes " + std::to_string(boxes), 1, std::max(1L, ratio)); };

    Interval integral(prec), norm(prec);
    IntegralEnclosure r{Interval(prec), 0, 0, IntegrationStatus::Converged, {}};
    if (c.signed_integral) {
        r = enclose_integral(f, {Piece{Box::unit_cube(c.d), 0}}, {}, opt, prec);
        integral = r.value;
        abs(norm, integral);   // | int f | <= || f ||_1 is not claimed: norm here is |int f|
    } else {
        NormEnclosure n = enclose_lp_norm(f, c.d, p, opt, prec);
        r = std::move(n.integral);
        integral = r.value;
        norm = n.norm;
    }
    progress.finish();
    const double secs = seconds_since(start);
    std::cout << (c.signed_integral ? "int f" : "int |f|^p") << " over [0,1]^" << c.d << " in " << to_string(integral)
              << "\n";
    if (!c.signed_integral) std::cout << "||f||_" << c.p << " in " << to_string(norm) << "\n";
    std::cout << "boxes " << r.boxes << ", " << status_name(r.status) << ", " << secs << " s\n";
    if (r.status == IntegrationStatus::Stopped) {
        std::cout << "stopped: " << stop_reason() << " (the enclosure is true but not as tight as asked)\n";
    }
    if (!c.json.empty()) {
        nlohmann::json j = {{"schema", "lpcert-integral/1"},
                            {"function", c.function_label()},
                            {"expression", f.text()},
                            {"d", c.d},
                            {"p", c.p},
                            {"signed", c.signed_integral},
                            {"integral", enclosure_json(integral)},
                            {"norm", c.signed_integral ? nlohmann::json(nullptr) : enclosure_json(norm)},
                            {"boxes", r.boxes},
                            {"status", status_name(r.status)},
                            {"complete", r.status != IntegrationStatus::Stopped},
                            {"stopped", r.status == IntegrationStatus::Stopped ? nlohmann::json(stop_reason()) : nlohmann::json(nullptr)},
                            {"seconds", std::to_string(secs)}};
        write_json(j, c.json);
    }
    return r.status == IntegrationStatus::Converged ? 0 : 1;
}

int command_modulus(const CommandLine& c) {
    const auto start = std::chrono::steady_clock::now();
    const Expression f = c.expression();
    const Exponent p = Exponent::parse(c.p);
    if (c.delta.empty()) throw InputError("--delta: modulus needs the radius delta > 0");
    const Precision prec(c.prec > 0 ? c.prec : 128);
    const Interval delta_check = parse_decimal(c.delta, prec, "--delta");
    if (!certainly_positive(delta_check)) throw InputError("--delta: must be > 0");
    const RationalConstant delta(c.delta);
    ModulusOptions opt;
    opt.integration.taylor_order = c.taylor_order;
    const ModulusLowerBound lb = certify_modulus_lower_bound(f, c.d, p, delta.value(), opt, prec);
    const auto lip = bound_lipschitz_constant(f, c.d, "1e-2", 20000, prec);
    std::optional<Interval> upper;
    if (lip) {
        Interval u(prec), dl(prec);
        mpfi_set_q(dl.raw(), delta.value());
        mul(u, lip->bound, dl);
        upper = u;
    }
    std::cout << "omega_f(" << c.delta << ")_" << c.p << " >= " << decimal_down(lb.norm_at_best.lower()) << "\n";
    if (upper) std::cout << "omega_f(" << c.delta << ")_" << c.p << " <= " << decimal_up(upper->upper()) << "  (Lip * delta)\n";
    std::cout << "shifts ranked " << lb.shifts_screened << ", enclosed " << lb.shifts_tried << ", boxes " << lb.boxes << ", " << seconds_since(start) << " s\n";
    if (lb.stopped) std::cout << "stopped: " << stop_reason() << " (the lower bound is certified; more shifts might raise it)\n";
    if (!c.json.empty()) {
        nlohmann::json shift = nlohmann::json::array();
        for (const auto& h : lb.best_shift) shift.push_back(h.to_string());
        nlohmann::json j = {{"schema", "lpcert-modulus/1"},
                            {"function", c.function_label()},
                            {"expression", f.text()},
                            {"d", c.d},
                            {"p", c.p},
                            {"delta", c.delta},
                            {"omega_lower", decimal_down(lb.norm_at_best.lower())},
                            {"omega_upper", upper ? nlohmann::json(decimal_up(upper->upper())) : nlohmann::json(nullptr)},
                            {"best_shift", shift},
                            {"complete", !lb.stopped},
                            {"stopped", lb.stopped ? nlohmann::json(stop_reason()) : nlohmann::json(nullptr)},
                            {"seconds", std::to_string(seconds_since(start))}};
        write_json(j, c.json);
    }
    return lb.stopped ? 1 : 0;
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
    if (!c.json.empty()) write_json({{"schema", "lpcert-functions/1"}, {"functions", list}}, c.json);
    return 0;
}

}  // namespace lpcert
