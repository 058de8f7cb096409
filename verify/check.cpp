#include "verify/check.hpp"

#include <boost/multiprecision/gmp.hpp>

#include "construction/cell_grid.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/lp_norm.hpp"
#include "quadrature/modulus.hpp"
#include "verify/certificate.hpp"
#include "verify/certify_run.hpp"
#include "verify/json_io.hpp"
#include "verify/network_certification.hpp"
#include "verify/sha256.hpp"
#include "construction/network_io.hpp"
#include "quadrature/catalog.hpp"

namespace lpcert {

namespace {

using boost::multiprecision::mpq_rational;
using boost::multiprecision::mpz_int;

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void require(bool ok, const std::string& field, const std::string& why) {
    if (!ok) throw Failure(field + ": " + why);
}

// A decimal field as an exact rational (the certificate's numbers are compared exactly).
mpq_rational exact(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.contains(key) || !j[key].is_string()) throw Failure(where + "." + key + ": missing or not a string");
    const RationalConstant q(j[key].get<std::string>());
    return mpq_rational(q.value());
}

mpq_rational exact_of(mpfr_srcptr x) {
    mpq_rational q;
    mpfr_get_q(q.backend().data(), x);   // exact: every finite MPFR number is a dyadic
    return q;
}

mpq_rational power_of(long N, long e) {
    mpq_rational q(1);
    for (long k = 0; k < e; ++k) q *= N;
    return q;
}

// ---- the reader -------------------------------------------------------------------------------

void decimal_or_null(const nlohmann::json& e, const char* key, const std::string& where) {
    if (!e.contains(key) || e[key].is_null()) return;
    if (!e[key].is_string()) throw InputError("certificate: " + where + "." + key + " must be a decimal string or null");
    parse_decimal(e[key].get<std::string>(), Precision(64), "certificate: " + where + "." + key);
    RationalConstant exact_value(e[key].get<std::string>());   // bounded exponent: refuses 1e999999999
}

// A level's diagnostics say how its error enclosure was obtained (docs/certificates.md): the
// sliver margin 2^-k, an upper bound of the sliver term, whether every cell value was exact, the
// quadrature's box count and status. Their shape is checked here; what they claim, in check_level.
void validate_diagnostics(const nlohmann::json& g, const std::string& where) {
    if (!g.is_object()) throw InputError("certificate: " + where + " must be an object");
    for (const char* k : {"margin", "sliver_term_upper", "exact_cell_values", "boxes", "integration"})
        if (!g.contains(k)) throw InputError("certificate: " + where + "." + k + " is missing");
    const auto& m = g["margin"];
    static const std::string prefix = "1*2^-";
    const std::string text = m.is_string() ? m.get<std::string>() : std::string();
    const std::string digits = text.size() > prefix.size() && text.compare(0, prefix.size(), prefix) == 0 ? text.substr(prefix.size()) : "";
    // k = 0 only for a level not reached (no margin was chosen)
    if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos ||
        (digits[0] == '0' && digits != "0"))
        throw InputError("certificate: " + where + ".margin must be \"1*2^-k\" with k an integer 0..999999");
    if (!g["sliver_term_upper"].is_string()) throw InputError("certificate: " + where + ".sliver_term_upper must be a decimal string");
    decimal_or_null(g, "sliver_term_upper", where);
    if (!g["exact_cell_values"].is_boolean()) throw InputError("certificate: " + where + ".exact_cell_values must be true or false");
    if (!g["boxes"].is_number_integer() || g["boxes"].get<long>() < 0)
        throw InputError("certificate: " + where + ".boxes must be a non-negative integer");
    const auto& s = g["integration"];
    if (!s.is_string() || !(s == "converged" || s == "budget_spent" || s == "not_reached"))
        throw InputError("certificate: " + where + ".integration must be converged, budget_spent or not_reached");
}

// The shape of every level entry, before any recomputation: a malformed file is bad input
// (InputError, exit 2) found at once, not after minutes of quadrature.
void validate_level_entries(const nlohmann::json& levels, int max_levels) {
    if (static_cast<long>(levels.size()) > max_levels + 1L) throw InputError("certificate: more level entries than levels 0..L");
    for (size_t i = 0; i < levels.size(); ++i) {
        const auto& e = levels[i];
        const std::string where = "levels[" + std::to_string(i) + "]";
        if (!e.is_object()) throw InputError("certificate: " + where + " must be an object");
        if (!e.contains("level") || !e["level"].is_number_integer()) throw InputError("certificate: " + where + ".level must be an integer");
        if (!e.contains("status") || !e["status"].is_string()) throw InputError("certificate: " + where + ".status must be a string");
        const std::string status = e["status"].get<std::string>();
        if (status != "certified" && status != "inconclusive" && status != "refuted") {
            throw InputError("certificate: " + where + ".status must be certified, inconclusive or refuted");
        }
        if (e.contains("error") && !e["error"].is_null()) {
            if (!e["error"].is_object()) throw InputError("certificate: " + where + ".error must be an enclosure or null");
            for (const char* k : {"lower", "upper"}) {
                if (!e["error"].contains(k)) throw InputError("certificate: " + where + ".error." + k + " is missing");
                decimal_or_null(e["error"], k, where + ".error");
            }
        }
        for (const char* k : {"omega_lower", "bound", "lipschitz_bound"}) decimal_or_null(e, k, where);
        if (e.contains("lipschitz_status") && !e["lipschitz_status"].is_null() && !e["lipschitz_status"].is_string())
            throw InputError("certificate: " + where + ".lipschitz_status must be a string or null");
        if (e.contains("cells") && !e["cells"].is_number_integer()) throw InputError("certificate: " + where + ".cells must be an integer");
        if (e.contains("best_shift") && !e["best_shift"].is_array()) throw InputError("certificate: " + where + ".best_shift must be an array");
        if (e.contains("best_shift") && e["best_shift"].size() > 8) throw InputError("certificate: " + where + ".best_shift has more than d entries");
        if (!e.contains("diagnostics")) throw InputError("certificate: " + where + ".diagnostics is missing");
        validate_diagnostics(e["diagnostics"], where + ".diagnostics");
    }
}

void validate_top_level(const nlohmann::json& cert) {
    auto wrong = [](const char* key) { throw InputError(std::string("certificate: \"") + key + "\" has the wrong type"); };
    if (cert.contains("complete") && !cert["complete"].is_boolean()) wrong("complete");
    if (cert.contains("verdict") && !(cert["verdict"].is_string() && (cert["verdict"] == "certified" || cert["verdict"] == "not_certified")))
        throw InputError("certificate: \"verdict\" must be \"certified\" or \"not_certified\"");
    if (cert.contains("architecture") && !cert["architecture"].is_object()) wrong("architecture");
    if (cert.contains("target_level") && !cert["target_level"].is_null() && !cert["target_level"].is_number_integer()) wrong("target_level");
    if (cert.contains("stopped") && !cert["stopped"].is_null() && !cert["stopped"].is_string()) wrong("stopped");
    if (cert.contains("target_error") && !cert["target_error"].is_null()) {
        if (!cert["target_error"].is_string()) wrong("target_error");
        parse_decimal(cert["target_error"].get<std::string>(), Precision(64), "certificate: target_error");
        RationalConstant bounded(cert["target_error"].get<std::string>());
    }
    if (cert.contains("lipschitz") && !cert["lipschitz"].is_null()) {
        if (!cert["lipschitz"].is_object()) wrong("lipschitz");
        decimal_or_null(cert["lipschitz"], "upper", "lipschitz");
    }
    if (cert.contains("environment")) {
        const auto& env = cert["environment"];
        if (!env.is_object()) wrong("environment");
        if (env.contains("threads") && !(env["threads"].is_number_integer() && env["threads"].get<long>() >= 1))
            throw InputError("certificate: environment.threads must be a positive integer");
        if (env.contains("seconds")) decimal_or_null(env, "seconds", "environment");
    }
}

// ---- the claims -------------------------------------------------------------------------------

// The recorded claims as a CertificationResult, so that the verdict is recomputed by the very
// function `run` uses (run_is_certified).
CertificationResult recorded_claims(const nlohmann::json& cert) {
    CertificationResult r;
    const auto& arch = cert.value("architecture", nlohmann::json::object());
    r.architecture.width = arch.value("width", -1);
    r.architecture.depth = arch.value("depth", -1);
    r.width_bound = arch.value("width_bound", -2);
    r.expected_depth = arch.value("depth_expected", -2);
    r.prefix_nested = arch.value("prefix_nested", false);
    for (const auto& L : cert["levels"]) {
        LevelCertificate lc;
        lc.level = L.value("level", 0);
        const std::string s = L.value("status", "");
        lc.status = s == "certified" ? LevelStatus::Certified : s == "refuted" ? LevelStatus::Refuted : LevelStatus::Inconclusive;
        r.levels.push_back(std::move(lc));
    }
    if (cert.contains("target_level") && cert["target_level"].is_number_integer()) r.target_level = cert["target_level"].get<int>();
    if (cert.contains("stopped") && cert["stopped"].is_string()) r.stopped = cert["stopped"].get<std::string>();
    return r;
}

void check_architecture(const nlohmann::json& cert, const RunParameters& P, const CertificationResult& r) {
    const auto& arch = cert.contains("architecture") ? cert["architecture"] : nlohmann::json();
    require(arch.is_object(), "architecture", "missing");
    auto same_int = [&](const char* key, long value) {
        require(arch.contains(key) && arch[key].is_number_integer() && arch[key].get<long>() == value,
                std::string("architecture.") + key, "differs from the rebuilt network (" + std::to_string(value) + ")");
    };
    same_int("width", r.architecture.width);
    same_int("depth", r.architecture.depth);
    same_int("width_bound", 2L * P.d * P.N + P.d + 2);
    same_int("depth_expected", static_cast<long>(P.levels) * (P.d + 2) + 1);
    require(arch.contains("prefix_nested") && arch["prefix_nested"].is_boolean() && arch["prefix_nested"] == r.prefix_nested,
            "architecture.prefix_nested", "differs from the recomputation");
    nlohmann::json activations = nlohmann::json::object();
    for (const auto& [name, count] : r.architecture.activations) activations[name] = count;
    require(arch.contains("activations") && arch["activations"] == activations, "architecture.activations",
            "differs from the rebuilt network (" + activations.dump() + ")");
}

// lipschitz: {"upper": U} claims Lip <= U; null claims nothing, but must agree with whether the
// recomputation finds a bound (a dropped bound would hide the levels' Lipschitz claims).
std::optional<mpq_rational> check_lipschitz(const nlohmann::json& cert, const CertificationResult& r) {
    const bool recorded = cert.contains("lipschitz") && !cert["lipschitz"].is_null();
    require(recorded == r.lipschitz.has_value(), "lipschitz",
            recorded ? "recorded, but the recomputation finds no Lipschitz bound" : "missing, but the recomputation finds one");
    if (!recorded) return std::nullopt;
    const mpq_rational U = exact(cert["lipschitz"], "upper", "lipschitz");
    require(U >= exact_of(r.lipschitz->lower()), "lipschitz.upper",
            "below the certified lower end " + decimal_down(r.lipschitz->lower(), 10) + " of the recomputed Lip");
    return U;
}

void check_shift(const nlohmann::json& L, const std::string& where, const RunParameters& P, const Expression& f,
                 const Exponent& p, size_t level, long quadrature_bits) {
    const Precision prec(quadrature_bits + 64);
    const Interval omega = parse_decimal(L["omega_lower"].get<std::string>(), prec, where + ".omega_lower");
    if (mpfr_sgn(omega.upper()) <= 0) return;
    std::vector<Dyadic> h;
    if (L.contains("best_shift") && L["best_shift"].is_array()) {
        for (const auto& x : L["best_shift"]) {
            require(x.is_string(), where + ".best_shift", "entries must be exact strings");
            try {
                h.push_back(Dyadic::parse(x.get<std::string>(), where + ".best_shift"));
            } catch (const InputError& e) {
                throw Failure(e.what());
            }
        }
    }
    require(static_cast<int>(h.size()) == P.d, where + ".best_shift", "a positive omega_lower needs its shift h");
    // |h|_2^2 <= N^-2l exactly
    mpq_rational norm2(0);
    for (const auto& x : h) {
        mpq_rational q;
        x.to_mpq(q.backend().data());
        norm2 += q * q;
    }
    require(norm2 * power_of(P.N, 2 * static_cast<long>(level)) <= 1, where + ".best_shift", "|h|_2 > N^-l");
    IntegrationOptions io;
    io.relative_tolerance = "1e-3";
    io.taylor_order = 5;
    io.max_boxes = 200000;
    const Interval at_h = enclose_shift_norm(f, P.d, p, h, io, Precision(quadrature_bits));
    require(mpfr_lessequal_p(omega.lower(), at_h.upper()), where + ".omega_lower",
            "above the recomputed ||f(.+h) - f|| = " + to_string(at_h, 10));
}

// What the diagnostics claim, against the recorded level and its recomputation. The box count and
// the margin belong to the recording run's tolerance (the recomputation uses half of it), so
// they are held to what any run must satisfy rather than to the recomputed values.
void check_diagnostics(const nlohmann::json& g, const std::string& where, bool error_recorded, const RunParameters& P,
                       const LevelCertificate& R) {
    const std::string integration = g["integration"].get<std::string>();
    require(error_recorded == (integration != "not_reached"), where + ".integration",
            error_recorded ? "a level with an error enclosure was integrated" : "a level without an error enclosure was not reached");
    if (!error_recorded) return;
    require(g["exact_cell_values"].get<bool>() == R.exact_cell_values, where + ".exact_cell_values",
            std::string("the recomputation finds the cell values ") + (R.exact_cell_values ? "exact" : "not all exact"));
    // every cell is at least one quadrature piece; 0 boxes means the p = 2 identity replaced the
    // quadrature (docs/math.md), which exists for p = 2 only
    const long boxes = g["boxes"].get<long>();
    if (boxes == 0) {
        const Exponent p = Exponent::parse(P.p);
        require(p.is_integer() && p.numerator() == 2, where + ".boxes", "0 boxes (the p = 2 identity) at p = " + P.p);
        require(integration == "converged", where + ".integration", "the p = 2 identity is exact to its goal: converged");
    } else {
        require(boxes >= R.cells, where + ".boxes", "fewer quadrature boxes than the " + std::to_string(R.cells) + " cells");
    }
    // the margin 2^-k is the construction's choice for the recorded tolerance: mu0 (its exponent
    // grows by one bit when the tolerance halves, as in the recomputation) or, for sin-relu, the
    // ramps' band, which does not depend on the tolerance
    const long k = std::stol(g["margin"].get<std::string>().substr(5));
    require(k <= R.margin_exponent && k >= R.margin_exponent - 2, where + ".margin",
            "the recomputation at half the tolerance chose 2^-" + std::to_string(R.margin_exponent) + "; this tolerance gives 2^-" +
                std::to_string(R.margin_exponent - 2) + " .. 2^-" + std::to_string(R.margin_exponent));
}

// sliver_term_upper X bounds A + B, which widens E^p to [I_lo - A, I_hi + B]: where the lower end
// was not clipped at 0, X <= upper^p - lower^p (X is printed rounded up to 6 digits: a relative
// 2^-16 covers it).
void check_sliver_term(const nlohmann::json& g, const std::string& where, const Interval& recorded_error, const Exponent& p) {
    if (mpfr_sgn(recorded_error.lower()) <= 0) return;
    const Precision prec(recorded_error.precision().bits + 64);
    const Interval X = parse_decimal(g["sliver_term_upper"].get<std::string>(), prec, where + ".sliver_term_upper");
    require(mpfr_sgn(X.lower()) >= 0, where + ".sliver_term_upper", "negative");
    Interval lo(prec), hi(prec), width_p(prec), slack(prec);
    set_exact_or_outward(lo, recorded_error.lower());
    set_exact_or_outward(hi, recorded_error.upper());
    sub(width_p, power_outward(hi, p, prec), power_outward(lo, p, prec));
    mul_2si(slack, width_p, -16);
    add(width_p, width_p, slack);
    require(mpfr_lessequal_p(X.lower(), width_p.upper()), where + ".sliver_term_upper",
            "exceeds the width of the recorded error^p, which holds it");
}

// One level entry against the recomputed level.
void check_level(const nlohmann::json& L, size_t i, const RunParameters& P, const Expression& f, const Exponent& p,
                 const LevelCertificate& R, const std::optional<mpq_rational>& lip_upper, long quadrature_bits) {
    const std::string where = "levels[" + std::to_string(i) + "]";
    require(L["level"].get<long>() == static_cast<long>(i), where + ".level", "must be " + std::to_string(i));
    require(L.contains("cells") && L["cells"].is_number_integer() && L["cells"].get<long>() == R.cells, where + ".cells",
            "must be N^(d l) = " + std::to_string(R.cells));
    const std::string status = L.value("status", "");
    const bool reached = R.integration_status != "not_reached";
    const bool recorded = L.contains("error") && !L["error"].is_null();
    if (!recorded) {
        require(!reached, where + ".error", "missing, but the level was recomputed");
        require(status == "inconclusive", where + ".status", "a level not reached is inconclusive");
        check_diagnostics(L["diagnostics"], where + ".diagnostics", recorded, P, R);
        return;
    }
    require(reached, where + ".error", "recorded, but the recomputation does not reach this level");
    const Precision prec(quadrature_bits + 64);
    Interval rec(prec);
    try {
        rec = enclosure_from_json(L["error"], where + ".error", prec);
    } catch (const InputError& e) {
        throw Failure(e.what());
    }
    const mpq_rational lo = exact(L["error"], "lower", where + ".error"), hi = exact(L["error"], "upper", where + ".error");
    require(lo <= hi, where + ".error", "lower > upper");
    require(overlaps(rec, R.error), where + ".error",
            "the recorded enclosure " + to_string(rec, 10) + " does not meet the recomputed " + to_string(R.error, 10));
    check_diagnostics(L["diagnostics"], where + ".diagnostics", recorded, P, R);
    check_sliver_term(L["diagnostics"], where + ".diagnostics", rec, p);

    check_shift(L, where, P, f, p, i, quadrature_bits);
    const mpq_rational omega = exact(L, "omega_lower", where);
    const mpq_rational bound = exact(L, "bound", where);
    require(bound <= (2 * P.d + 1) * omega, where + ".bound", "exceeds (2d+1) * omega_lower");

    // Lipschitz rate: lipschitz_bound >= (2d+1) U N^-l exactly, and its status follows from it.
    const bool has_lb = L.contains("lipschitz_bound") && !L["lipschitz_bound"].is_null();
    require(has_lb == lip_upper.has_value(), where + ".lipschitz_bound",
            lip_upper ? "missing although the certificate has a Lipschitz bound" : "recorded without a Lipschitz bound");
    std::optional<mpq_rational> lb;
    if (has_lb) {
        lb = exact(L, "lipschitz_bound", where);
        // both are printed rounded up from the same enclosure (20 digits): a relative 2^-50 covers that
        const mpq_rational slack = 1 + mpq_rational(1, mpz_int(1) << 50);
        require(*lb * power_of(P.N, static_cast<long>(i)) * slack >= (2 * P.d + 1) * *lip_upper, where + ".lipschitz_bound",
                "below (2d+1) * lipschitz.upper * N^-l");
        const std::string ls = L.value("lipschitz_status", "");
        require(ls == "certified" || ls == "not_certified", where + ".lipschitz_status", "must be certified or not_certified");
        if (ls == "certified") {
            require(hi <= *lb, where + ".lipschitz_status", "certified, but the recorded error exceeds lipschitz_bound");
            require(R.lipschitz_holds, where + ".lipschitz_status", "certified, but the recomputation does not confirm it");
        }
    } else {
        require(!L.contains("lipschitz_status") || L["lipschitz_status"].is_null(), where + ".lipschitz_status",
                "recorded without a Lipschitz bound");
    }
    if (status == "certified") {
        require(R.status == LevelStatus::Certified, where + ".status",
                "claimed certified, but the recomputation gives " + std::string(status_name(R.status)));
        require(hi <= bound, where + ".status", "claimed certified, but the recorded error upper bound exceeds the recorded bound");
    } else if (status == "refuted") {
        require(R.status == LevelStatus::Refuted, where + ".status",
                "claimed refuted, but the recomputation gives " + std::string(status_name(R.status)));
        require(lb && lo > *lb, where + ".status", "claimed refuted, but the recorded error does not exceed lipschitz_bound");
    }
}

// target_error / target_level: the recomputation stops where the certificate says, and the
// recorded errors say the same (above the target before the level, at or below it there).
void check_target(const nlohmann::json& cert, const CertificationResult& r) {
    const bool has_target = cert.contains("target_error") && !cert["target_error"].is_null();
    const bool has_level = cert.contains("target_level") && !cert["target_level"].is_null();
    if (!has_target) {
        require(!has_level, "target_level", "recorded without a target_error");
        return;
    }
    const int target_level = has_level ? cert["target_level"].get<int>() : -1;
    require(target_level == r.target_level.value_or(-1), "target_level",
            "differs from the recomputation (" + (r.target_level ? std::to_string(*r.target_level) : std::string("none")) + ")");
    const mpq_rational eps = exact(cert, "target_error", "certificate");
    const auto& levels = cert["levels"];
    for (size_t i = 0; i < levels.size(); ++i) {
        const auto& L = levels[i];
        if (!L.contains("error") || L["error"].is_null()) continue;
        const mpq_rational hi = exact(L["error"], "upper", "levels[" + std::to_string(i) + "].error");
        if (static_cast<int>(i) == target_level) {
            require(hi <= eps, "target_level", "the recorded error of that level is above target_error");
        } else {
            require(hi > eps, "target_level", "levels[" + std::to_string(i) + "] already reaches target_error");
        }
    }
    if (target_level >= 0) require(static_cast<int>(levels.size()) == target_level + 1, "target_level", "levels recorded after the target level");
}

void check_completion(const nlohmann::json& cert, const CertificationResult& r) {
    const bool complete = cert.value("complete", true);
    const bool has_stopped = cert.contains("stopped") && cert["stopped"].is_string();
    require(complete != has_stopped, complete ? "stopped" : "complete",
            complete ? "a complete certificate has \"stopped\": null" : "an incomplete certificate says why it stopped");
    if (complete) {
        require(cert["levels"].size() == r.levels.size(), "levels",
                "a complete run has " + std::to_string(r.levels.size()) + " level entries here");
    }
}

void check_verdict(const nlohmann::json& cert, const CertificationResult& recomputed) {
    const std::optional<std::string> target =
        cert.contains("target_error") && cert["target_error"].is_string() ? std::optional<std::string>(cert["target_error"].get<std::string>())
                                                                          : std::nullopt;
    const bool claimed = cert.value("verdict", "") == "certified";
    const bool follows = run_is_certified(recorded_claims(cert), target);
    require(claimed == follows, "verdict",
            std::string("must be ") + (follows ? "certified" : "not_certified") + " given the recorded levels and architecture");
    if (claimed) require(run_is_certified(recomputed, target), "verdict", "claimed certified, but the recomputation does not certify every claim");
}

// The request a certificate's parameters describe (eta and steepness as recorded).
RunRequest request_from(const nlohmann::json& cert, const RunParameters& P) {
    RunRequest q(P.function, Expression::parse(P.expression), P.d, Exponent::parse(P.p));
    q.N = P.N;
    q.levels = P.levels;
    q.precision_bits = P.precision_bits;
    q.digit_bits = P.digit_bits;
    q.eta = P.eta;
    q.construction = parse_construction(P.construction);
    q.steepness = P.steepness;
    q.tol = P.tol;
    if (cert.contains("target_error") && cert["target_error"].is_string()) q.target_error = cert["target_error"].get<std::string>();
    return q;
}

}  // namespace

void validate_certificate(const nlohmann::json& cert) {
    const RunParameters P = parameters_from_certificate(cert);
    validate_top_level(cert);
    Expression::parse(P.expression).require_dimension(P.d);
    Exponent::parse(P.p);
    if (!cert.contains("levels") || !cert["levels"].is_array()) throw InputError("certificate: \"levels\" must be an array");
    validate_level_entries(cert["levels"], P.levels);
}

CheckOutcome check_certificate(const nlohmann::json& cert, const JobOptions& options, const StopToken& stop) {
    if (cert.is_object() && cert.contains("schema") && cert["schema"] == "lpcert-network-certificate/1")
        return check_network_certificate(cert, options, stop);
    CheckOutcome outcome;
    validate_certificate(cert);   // InputError on anything malformed, before any recomputation
    const RunParameters P = parameters_from_certificate(cert);
    const RunRequest request = request_from(cert, P);
    const auto& levels = cert["levels"];
    try {
        // another precision, half the tolerance, another Taylor order
        CertificationSettings s = settings_for(request);
        const Interval tol = parse_decimal(P.tol, Precision(64), "certificate: parameters.tol");
        Interval half = tol;
        mpfi_div_si(half.raw(), half.raw(), 2);
        s.tol = decimal_down(half.lower(), 6);
        s.taylor_order = 5;
        s.quadrature_bits = P.precision_bits + 64;
        if (!cert.value("complete", true)) {
            // an incomplete certificate claims nothing beyond its last reached level
            int last = -1;
            for (size_t i = 0; i < levels.size(); ++i)
                if (levels[i].contains("error") && !levels[i]["error"].is_null()) last = static_cast<int>(i);
            s.last_level = last;
        }
        const RunOutcome run = certify_run(request, options, stop, s);
        // a budget or Ctrl-C: nothing is confirmed by an unfinished recomputation
        if (run.result.stopped) throw Failure("the recomputation was stopped (" + *run.result.stopped + "); nothing was confirmed");
        const CertificationResult& r = run.result;
        require(run.parameters.steepness == P.steepness || !P.steepness, "parameters.steepness", "differs from the rebuilt network");

        check_architecture(cert, P, r);
        const auto lip_upper = check_lipschitz(cert, r);
        require(levels.size() <= r.levels.size(), "levels", "more levels than the recomputation reaches");
        const Expression f = Expression::parse(P.expression);
        const Exponent p = Exponent::parse(P.p);
        for (size_t i = 0; i < levels.size(); ++i) {
            check_level(levels[i], i, P, f, p, r.levels[i], lip_upper, s.quadrature_bits);
            outcome.levels_checked++;
        }
        check_target(cert, r);
        check_completion(cert, r);
        check_verdict(cert, r);
        outcome.passed = true;
    } catch (const Failure& e) {
        outcome.first_failure = e.what();
    } catch (const nlohmann::json::exception& e) {
        outcome.first_failure = std::string("a field has the wrong type (") + e.what() + ")";
    }
    return outcome;
}

// ---- lpcert-network-certificate/1 --------------------------------------------------------------
//
// What is checked (every claim; a field that defines the recomputation changes what is recomputed):
//   - schema; network_content rebuilds a network (the content is authoritative);
//   - network: inputs and readouts equal the rebuilt network's; format is known; content_sha256 is
//     the SHA-256 of the canonical content; sha256 is the SHA-256 of the named file when that file
//     can be read (and the file then holds the same network), else of the canonical content, else
//     it is reported as not verifiable here;
//   - function names the expression (a catalog name whose expression in d variables it is, or the
//     expression itself); expression, p, domain, tol and precision_bits define the recomputation
//     (half the tolerance, +64 bits);
//   - readouts: indices 0, 1, ...; each error and norm enclosure is well formed and meets the
//     recomputed one;
//   - pairs: one per consecutive recorded readouts; each verdict is the one the verdict rule gives
//     on the RECORDED enclosures (exact rational comparisons of the decimals), and a decided
//     verdict is also the recomputation's;
//   - complete / stopped: consistent with each other and with the number of readouts.

namespace {

Dyadic domain_end(const nlohmann::json& v, const std::string& where) {
    if (!v.is_string()) throw InputError("certificate: " + where + " must be an exact decimal string");
    return dyadic_from_decimal(v.get<std::string>(), "certificate: " + where);
}

// error_status / norm_status: "converged" claims the enclosure meets the tolerance, i.e. (upper -
// lower) <= tol * max(lower, floor) as the quadrature's goal says (the integral's relative width
// bounds the root's for p >= 1; slack for the roots' and decimals' outward rounding); the floors
// are the certifier's, 1e-30 for int |g|^p and 1e-15 for sup |g|.
// "budget_spent" and "stopped" claim nothing about the width. tightened is a boolean.
void check_readout_statuses(const nlohmann::json& r, const std::string& where, const ExponentOrInfinity& p, const std::string& tol) {
    if (!r.contains("tightened") || !r["tightened"].is_boolean()) throw Failure(where + ".tightened: missing or not a boolean");
    // the boxes of this run's enclosures (a description: the recomputation, at half the tolerance, needs others)
    // (absent in certificates written before it was recorded: then it says nothing)
    if (r.contains("boxes") && (!r["boxes"].is_number_integer() || r["boxes"].get<long>() < 0))
        throw Failure(where + ".boxes: not a non-negative integer");
    const Precision prec(128);
    const Interval t = parse_decimal(tol, prec, "tol");
    for (const char* key : {"error", "norm"}) {
        const std::string field = std::string(key) + "_status";
        const auto& s = r.value(field, nlohmann::json());
        require(s.is_string() && (s == "converged" || s == "budget_spent" || s == "stopped"), where + "." + field,
                "must be converged, budget_spent or stopped");
        if (s != "converged") continue;
        Interval lo(prec), hi(prec), width(prec), goal(prec);
        try {
            const Interval e = enclosure_from_json(r[key], where + "." + key, Precision(256));
            set_exact_or_outward(lo, e.lower());
            set_exact_or_outward(hi, e.upper());
        } catch (const InputError& e) {
            throw Failure(e.what());
        }
        sub(width, hi, lo);
        mul(goal, lo, t);
        // slack: a relative 2^-16 of the goal, and 2^-56 of lower for the two ends' 20-digit
        // outward decimals and the root's rounding (which do not shrink with tol)
        Interval slack(prec);
        mul_2si(slack, goal, -16);
        add(goal, goal, slack);
        mul_2si(slack, lo, -56);
        add(goal, goal, slack);
        if (certainly_less_equal(width, goal)) continue;
        // below the floor: upper^p <= floor (1 + tol) <= 2 floor
        const Interval floor2 = parse_decimal(p.infinite ? "2e-15" : "2e-30", prec, "floor");
        const Interval top = p.infinite ? hi : power_outward(hi, *p.finite, prec);
        require(certainly_less_equal(top, floor2), where + "." + field,
                std::string("converged, but the recorded ") + key + " enclosure is wider than tol * lower");
    }
}

// The recorded enclosure's ends as exact rationals (lower <= upper required).
std::pair<mpq_rational, mpq_rational> exact_enclosure(const nlohmann::json& e, const std::string& where) {
    if (!e.is_object()) throw Failure(where + ": missing or not an enclosure");
    const mpq_rational lo = exact(e, "lower", where), hi = exact(e, "upper", where);
    require(lo <= hi, where, "lower > upper");
    return {lo, hi};
}

std::string recorded_verdict(const std::pair<mpq_rational, mpq_rational>& from, const std::pair<mpq_rational, mpq_rational>& to) {
    if (to.second < from.first) return "decreases";
    if (to.first > from.second) return "increases";
    return "undecided";
}

bool is_hex_digest(const nlohmann::json& v) {
    if (!v.is_string()) return false;
    const std::string s = v.get<std::string>();
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

void check_network_block(const nlohmann::json& cert, const Network& net, const std::string& base_dir) {
    require(cert.contains("network") && cert["network"].is_object(), "network", "missing");
    const auto& n = cert["network"];
    require(n.contains("inputs") && n["inputs"].is_number_integer() && n["inputs"].get<long>() == net.d, "network.inputs",
            "differs from network_content (" + std::to_string(net.d) + ")");
    require(n.contains("readouts") && n["readouts"].is_number_integer() &&
                n["readouts"].get<long>() == static_cast<long>(net.readouts.size()),
            "network.readouts", "differs from network_content (" + std::to_string(net.readouts.size()) + ")");
    require(n.contains("format") && n["format"].is_string() && (n["format"] == "lpcert-json" || n["format"] == "onnx"),
            "network.format", "must be lpcert-json or onnx");
    require(n.contains("file") && n["file"].is_string(), "network.file", "missing or not a string");
    require(n.contains("sha256") && is_hex_digest(n["sha256"]), "network.sha256", "must be 64 lowercase hexadecimal digits");
    const std::string canonical = sha256_hex(network_to_json(net).dump());
    require(n.contains("content_sha256") && n["content_sha256"].is_string() && n["content_sha256"] == canonical,
            "network.content_sha256", "is not the SHA-256 of network_content");
    const std::string sha = n["sha256"].get<std::string>();
    if (sha == canonical) return;
    const std::string file = n["file"].get<std::string>();
    std::string found;
    for (const std::string& path : {file, base_dir.empty() || file.empty() || file[0] == '/' ? std::string() : base_dir + "/" + file}) {
        if (path.empty()) continue;
        try {
            read_file_bytes(path);
            found = path;
            break;
        } catch (const InputError&) {
        }
    }
    // a file that cannot be read here leaves sha256 unverifiable, not wrong: the content is authoritative
    if (found.empty()) return;
    require(sha256_of_file(found) == sha, "network.sha256", "is not the SHA-256 of " + found);
    std::string format;
    Network from_file;
    try {
        from_file = read_network_file(found, format);
    } catch (const InputError& e) {
        throw Failure(std::string("network.file: ") + e.what());
    }
    require(format == n["format"].get<std::string>(), "network.format", "the file is " + format);
    require(network_to_json(from_file) == network_to_json(net), "network_content", "differs from the network in " + found);
}

}  // namespace

CheckOutcome check_network_certificate(const nlohmann::json& cert, const JobOptions& options, const StopToken& stop,
                                       const std::string& base_dir) {
    CheckOutcome outcome;
    if (!cert.is_object()) throw InputError("certificate: not a JSON object");
    auto string_field = [&](const char* key) {
        if (!cert.contains(key) || !cert[key].is_string()) throw InputError(std::string("certificate: \"") + key + "\" must be a string");
        return cert[key].get<std::string>();
    };
    if (!cert.contains("network_content")) throw InputError("certificate: \"network_content\" is missing");
    // the request the certificate describes (InputError: malformed, exit 2)
    NetworkCertificationRequest q;
    q.net = network_from_json(cert["network_content"]);
    q.function_label = string_field("function");
    q.f = Expression::parse(string_field("expression"));
    q.f.require_dimension(q.net.d);
    q.p = ExponentOrInfinity::parse(string_field("p"));
    const std::string tol = string_field("tol");
    validate_tolerance(tol, "certificate: tol");
    if (!cert.contains("precision_bits") || !cert["precision_bits"].is_number_integer() || cert["precision_bits"].get<long>() < 32 ||
        cert["precision_bits"].get<long>() > 100000)
        throw InputError("certificate: \"precision_bits\" must be an integer 32..100000");
    const long bits = cert["precision_bits"].get<long>();
    if (!cert.contains("domain") || !cert["domain"].is_array() || static_cast<int>(cert["domain"].size()) != q.net.d)
        throw InputError("certificate: \"domain\" must hold one [lo, hi] per input");
    for (size_t i = 0; i < cert["domain"].size(); ++i) {
        const auto& side = cert["domain"][i];
        const std::string where = "domain[" + std::to_string(i) + "]";
        if (!side.is_array() || side.size() != 2) throw InputError("certificate: " + where + " must be [lo, hi]");
        q.domain.emplace_back(domain_end(side[0], where), domain_end(side[1], where));
        if (!(q.domain.back().first < q.domain.back().second)) throw InputError("certificate: " + where + " is empty");
    }
    if (!cert.contains("readouts") || !cert["readouts"].is_array()) throw InputError("certificate: \"readouts\" must be an array");
    if (!cert.contains("pairs") || !cert["pairs"].is_array()) throw InputError("certificate: \"pairs\" must be an array");
    if (!cert.contains("complete") || !cert["complete"].is_boolean()) throw InputError("certificate: \"complete\" must be a boolean");
    if (!cert.contains("stopped") || !(cert["stopped"].is_null() || cert["stopped"].is_string()))
        throw InputError("certificate: \"stopped\" must be null or a string");
    if (cert.contains("environment") && !cert["environment"].is_object()) throw InputError("certificate: \"environment\" must be an object");
    try {
        check_network_block(cert, q.net, base_dir);
        // function: a catalog name for this expression, or the expression itself
        const auto entry = find_in_catalog(q.function_label);
        const bool names_it = entry ? (q.net.d >= entry->min_dimension && q.net.d <= entry->max_dimension &&
                                       entry->expression(q.net.d) == q.f.text())
                                    : q.function_label == q.f.text();
        require(names_it, "function", "does not name the recorded expression");

        const auto& readouts = cert["readouts"];
        const auto& pairs = cert["pairs"];
        const bool complete = cert["complete"].get<bool>();
        require(complete == cert["stopped"].is_null(), complete ? "stopped" : "complete",
                complete ? "a complete certificate has \"stopped\": null" : "an incomplete certificate says why it stopped");
        require(readouts.size() <= q.net.readouts.size(), "readouts", "more entries than the network has readouts");
        if (complete) require(readouts.size() == q.net.readouts.size(), "readouts", "a complete certificate has one entry per readout");
        require(pairs.size() == (readouts.empty() ? 0 : readouts.size() - 1), "pairs", "one entry per consecutive pair of readouts");

        // the recorded claims, exactly
        std::vector<std::pair<mpq_rational, mpq_rational>> errors;
        for (size_t i = 0; i < readouts.size(); ++i) {
            const std::string where = "readouts[" + std::to_string(i) + "]";
            require(readouts[i].is_object() && readouts[i].contains("index") && readouts[i]["index"].is_number_integer() &&
                        readouts[i]["index"].get<long>() == static_cast<long>(i),
                    where + ".index", "must be " + std::to_string(i));
            errors.push_back(exact_enclosure(readouts[i].value("error", nlohmann::json()), where + ".error"));
            exact_enclosure(readouts[i].value("norm", nlohmann::json()), where + ".norm");
        }
        for (size_t i = 0; i < readouts.size(); ++i) check_readout_statuses(readouts[i], "readouts[" + std::to_string(i) + "]", q.p, tol);
        for (size_t i = 0; i < pairs.size(); ++i) {
            const std::string where = "pairs[" + std::to_string(i) + "]";
            const auto& pr = pairs[i];
            require(pr.is_object() && pr.value("from", -1L) == static_cast<long>(i) && pr.value("to", -1L) == static_cast<long>(i + 1),
                    where, "must be from " + std::to_string(i) + " to " + std::to_string(i + 1));
            require(pr.contains("verdict") && pr["verdict"].is_string(), where + ".verdict", "missing");
            const std::string follows = recorded_verdict(errors[i], errors[i + 1]);
            require(pr["verdict"] == follows, where + ".verdict", "the recorded enclosures give \"" + follows + "\"");
            // a complete run tightens both readouts of every pair its first enclosures left undecided
            if (complete && follows == "undecided")
                for (size_t k : {i, i + 1})
                    require(readouts[k].value("tightened", false) == true, "readouts[" + std::to_string(k) + "].tightened",
                            "a readout of an undecided pair is tightened once");
        }

        // the recomputation: half the tolerance, 64 more bits
        const Interval t = parse_decimal(tol, Precision(64), "certificate: tol");
        Interval half = t;
        mpfi_div_si(half.raw(), half.raw(), 2);
        q.tol = decimal_down(half.lower(), 6);
        q.precision_bits = bits + 64;
        const NetworkCertificationOutcome r = certify_network(q, options, stop);
        if (r.stopped) throw Failure("the recomputation was stopped (" + *r.stopped + "); nothing was confirmed");
        const Precision prec(bits + 64);
        for (size_t i = 0; i < readouts.size(); ++i) {
            const std::string where = "readouts[" + std::to_string(i) + "]";
            for (const char* key : {"error", "norm"}) {
                Interval rec(prec);
                try {
                    rec = enclosure_from_json(readouts[i][key], where + "." + key, prec);
                } catch (const InputError& e) {
                    throw Failure(e.what());
                }
                const Interval& again = std::string(key) == "error" ? r.readouts[i].error : r.readouts[i].norm;
                require(overlaps(rec, again), where + "." + key,
                        "the recorded enclosure " + to_string(rec, 10) + " does not meet the recomputed " + to_string(again, 10));
            }
            outcome.levels_checked++;
        }
        for (size_t i = 0; i < pairs.size(); ++i) {
            const std::string v = pairs[i]["verdict"].get<std::string>();
            if (v == "undecided") continue;
            require(v == verdict_name(r.verdicts[i]), "pairs[" + std::to_string(i) + "].verdict",
                    "claimed " + v + ", but the recomputation gives " + verdict_name(r.verdicts[i]));
        }
        outcome.passed = true;
    } catch (const Failure& e) {
        outcome.first_failure = e.what();
    } catch (const nlohmann::json::exception& e) {
        outcome.first_failure = std::string("a field has the wrong type (") + e.what() + ")";
    }
    return outcome;
}

}  // namespace lpcert
