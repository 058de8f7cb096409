#include "verify/check.hpp"

#include <boost/multiprecision/gmp.hpp>

#include "construction/cell_grid.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/modulus.hpp"
#include "verify/certificate.hpp"
#include "verify/certify_run.hpp"
#include "verify/json_io.hpp"

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

// One level entry against the recomputed level.
void check_level(const nlohmann::json& L, size_t i, const RunParameters& P, const Expression& f, const Exponent& p,
                 const LevelCertificate& R, const std::optional<mpq_rational>& lip_upper, long quadrature_bits) {
    const std::string where = "levels[" + std::to_string(i) + "]";
    require(L["level"].get<long>() == static_cast<long>(i), where + ".level", "must be " + std::to_string(i));
    require(L.contains("cells") && L["cells"].is_number_integer() && L["cells"].get<long>() == R.cells, where + ".cells",
            "must be N^(d l) = " + std::to_string(R.cells));
    const std::string status = L.value("status", "");
    const bool reached = R.integration_status != "not_reached";
    if (!L.contains("error") || L["error"].is_null()) {
        require(!reached, where + ".error", "missing, but the level was recomputed");
        require(status == "inconclusive", where + ".status", "a level not reached is inconclusive");
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

}  // namespace lpcert
