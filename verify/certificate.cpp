#include "verify/certificate.hpp"

#include "quadrature/errors.hpp"
#include "verify/json_io.hpp"

namespace lpcert {

Dyadic parse_eta(const std::string& text, const std::string& what) {
    const Dyadic eta = Dyadic::parse(text, what);
    if (eta.sign() <= 0 || eta.mantissa() != 1) throw InputError(what + ": must be a positive power of two \"1*2^E\" (got '" + text + "')");
    if (eta.exponent() < -100000 || eta.exponent() > 100000) throw InputError(what + ": the exponent of '" + text + "' is beyond +-100000");
    return eta;
}

Dyadic parse_steepness(const std::string& text, const std::string& what) {
    const Dyadic s = Dyadic::parse(text, what);
    if (s.sign() <= 0) throw InputError(what + ": must be positive (got '" + text + "')");
    if (s.mantissa_bits() > 64 || s.exponent() < -100000 || s.exponent() > 100000) {
        throw InputError(what + ": '" + text + "' is out of range (at most 64 mantissa bits, exponent within +-100000)");
    }
    return s;
}

void validate_tolerance(const std::string& text, const std::string& what) {
    const Interval t = parse_decimal(text, Precision(64), what);
    const Interval smallest = parse_decimal("1e-30", Precision(64), what);
    if (!certainly_less_equal(smallest, t) || mpfr_cmp_si(t.upper(), 1) >= 0) {
        throw InputError(what + ": must be in [1e-30, 1) (got '" + text + "')");
    }
}

CertificationResult nothing_certified(const RunParameters& P, const std::string& reason) {
    CertificationResult r;
    r.stopped = reason;
    r.width_bound = 2 * P.d * P.N + P.d + 2;
    r.expected_depth = P.levels * (P.d + 2) + 1;
    long cells = 1;
    for (int l = 0; l <= P.levels; ++l) {
        LevelCertificate lc;
        lc.level = l;
        lc.cells = cells;
        lc.integration_status = "not_reached";
        r.levels.push_back(std::move(lc));
        for (int k = 0; k < P.d && l < P.levels; ++k) cells *= P.N;
    }
    return r;
}

bool run_is_certified(const CertificationResult& r, const std::optional<std::string>& target_error) {
    if (r.stopped) return false;
    if (target_error && !r.target_level) return false;
    return r.all_certified();
}

nlohmann::json certificate_json(const RunParameters& P, const CertificationResult& r, int threads, double seconds,
                                const std::optional<std::string>& target_error) {
    nlohmann::json levels = nlohmann::json::array();
    for (const auto& l : r.levels) {
        nlohmann::json shift = nlohmann::json::array();
        for (const auto& h : l.best_shift) shift.push_back(h.to_string());
        const bool reached = l.integration_status != "not_reached";
        levels.push_back({
            {"level", l.level},
            {"cells", l.cells},
            {"error", reached ? enclosure_json(l.error) : nlohmann::json(nullptr)},
            {"omega_lower", reached ? nlohmann::json(decimal_down(l.omega_at_best.lower())) : nlohmann::json(nullptr)},
            {"bound", reached ? nlohmann::json(decimal_down(l.bound.lower())) : nlohmann::json(nullptr)},
            {"lipschitz_bound", l.lipschitz_bound ? nlohmann::json(decimal_up(l.lipschitz_bound->upper())) : nlohmann::json(nullptr)},
            {"lipschitz_status", l.lipschitz_bound ? nlohmann::json(l.lipschitz_holds ? "certified" : "not_certified")
                                                   : nlohmann::json(nullptr)},
            {"status", status_name(l.status)},
            {"best_shift", shift},
            {"diagnostics",
             {{"margin", "1*2^-" + std::to_string(l.margin_exponent)},
              {"sliver_term_upper", decimal_up(l.sliver_term.upper(), 6)},
              {"exact_cell_values", l.exact_cell_values},
              {"boxes", l.boxes},
              {"integration", l.integration_status}}},
        });
    }
    nlohmann::json activations = nlohmann::json::object();
    for (const auto& [name, count] : r.architecture.activations) activations[name] = count;
    return {
        {"schema", "lpcert-certificate/1"},
        {"parameters",
         {{"function", P.function},
          {"expression", P.expression},
          {"d", P.d},
          {"N", P.N},
          {"levels", P.levels},
          {"p", P.p},
          {"precision_bits", P.precision_bits},
          {"digit_bits", P.digit_bits},
          {"eta", P.eta.to_string()},
          {"tol", P.tol},
          {"construction", P.construction},
          {"steepness", P.steepness ? nlohmann::json(P.steepness->to_string()) : nlohmann::json(nullptr)}}},
        {"architecture",
         {{"width", r.architecture.width},
          {"width_bound", r.width_bound},
          {"depth", r.architecture.depth},
          {"depth_expected", r.expected_depth},
          {"activations", activations},
          {"prefix_nested", r.prefix_nested}}},
        {"lipschitz", r.lipschitz ? nlohmann::json({{"upper", decimal_up(r.lipschitz->upper())}}) : nlohmann::json(nullptr)},
        {"levels", levels},
        {"target_error", target_error ? nlohmann::json(*target_error) : nlohmann::json(nullptr)},
        {"target_level", r.target_level ? nlohmann::json(*r.target_level) : nlohmann::json(nullptr)},
        {"verdict", run_is_certified(r, target_error) ? "certified" : "not_certified"},
        // false when a budget or Ctrl-C stopped the run: levels not reached are "inconclusive"
        {"complete", !r.stopped.has_value()},
        {"stopped", r.stopped ? nlohmann::json(*r.stopped) : nlohmann::json(nullptr)},
        {"environment", environment_json(threads, seconds)},
    };
}

namespace {

const nlohmann::json& need(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) throw InputError("certificate: missing \"" + std::string(key) + "\" in " + where);
    return j.at(key);
}

std::string need_string(const nlohmann::json& j, const char* key, const std::string& where) {
    const auto& v = need(j, key, where);
    if (!v.is_string()) throw InputError("certificate: " + where + "." + key + " must be a string");
    return v.get<std::string>();
}

int need_int(const nlohmann::json& j, const char* key, const std::string& where, int lo, int hi) {
    const auto& v = need(j, key, where);
    if (!v.is_number_integer() || v.get<long>() < lo || v.get<long>() > hi) {
        throw InputError("certificate: " + where + "." + key + " must be an integer in [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "]");
    }
    return static_cast<int>(v.get<long>());
}

}  // namespace

RunParameters parameters_from_certificate(const nlohmann::json& c) {
    if (!c.is_object() || !c.contains("schema") || c["schema"] != "lpcert-certificate/1") {
        throw InputError("certificate: \"schema\" must be \"lpcert-certificate/1\"");
    }
    const auto& p = need(c, "parameters", "the certificate");
    RunParameters r;
    r.function = need_string(p, "function", "parameters");
    r.expression = p.contains("expression") ? need_string(p, "expression", "parameters") : r.function;
    r.d = need_int(p, "d", "parameters", 1, 8);
    r.N = need_int(p, "N", "parameters", 2, 64);
    r.levels = need_int(p, "levels", "parameters", 0, 64);
    r.p = need_string(p, "p", "parameters");
    r.precision_bits = need_int(p, "precision_bits", "parameters", 32, 100000);
    r.digit_bits = need_int(p, "digit_bits", "parameters", 8, 4096);
    r.eta = parse_eta(need_string(p, "eta", "parameters"), "certificate: parameters.eta");
    r.tol = need_string(p, "tol", "parameters");
    validate_tolerance(r.tol, "certificate: parameters.tol");
    Exponent::parse(r.p);
    r.construction = need_string(p, "construction", "parameters");
    if (r.construction != "floor-relu" && r.construction != "sin-relu") {
        throw InputError("certificate: parameters.construction must be floor-relu or sin-relu");
    }
    if (p.contains("steepness") && !p["steepness"].is_null()) {
        r.steepness = parse_steepness(need_string(p, "steepness", "parameters"), "certificate: parameters.steepness");
    }
    return r;
}

}  // namespace lpcert
