#include "verify/check.hpp"

#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/modulus.hpp"
#include "verify/certificate.hpp"
#include "verify/json_io.hpp"
#include "verify/network_assembly.hpp"

namespace lpcert {

namespace {

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void require(bool ok, const std::string& field, const std::string& why) {
    if (!ok) throw Failure(field + ": " + why);
}

Interval decimal_field(const nlohmann::json& level, const char* key, const std::string& where, Precision prec) {
    if (!level.contains(key) || !level[key].is_string()) throw Failure(where + "." + key + ": missing or not a string");
    try {
        return parse_decimal(level[key].get<std::string>(), prec, where + "." + key);
    } catch (const InputError& e) {
        throw Failure(e.what());
    }
}

// The shape of every level entry, before any recomputation: a malformed file is bad input
// (InputError, exit 2) found at once, not after minutes of quadrature.
void validate_level_entries(const nlohmann::json& levels, int max_levels) {
    if (static_cast<long>(levels.size()) > max_levels + 1L) throw InputError("certificate: more level entries than levels 0..L");
    auto decimal_or_null = [](const nlohmann::json& e, const char* key, const std::string& where) {
        if (!e.contains(key) || e[key].is_null()) return;
        if (!e[key].is_string()) throw InputError("certificate: " + where + "." + key + " must be a decimal string or null");
        parse_decimal(e[key].get<std::string>(), Precision(64), "certificate: " + where + "." + key);
        RationalConstant exact(e[key].get<std::string>());   // bounded exponent: refuses 1e999999999
    };
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
        if (e.contains("best_shift") && !e["best_shift"].is_array()) throw InputError("certificate: " + where + ".best_shift must be an array");
        if (e.contains("best_shift") && e["best_shift"].size() > 8) throw InputError("certificate: " + where + ".best_shift has more than d entries");
    }
}

}  // namespace

void validate_certificate(const nlohmann::json& cert) {
    const RunParameters P = parameters_from_certificate(cert);
    for (const char* key : {"complete", "verdict", "architecture", "target_level"}) {
        if (!cert.contains(key) || cert[key].is_null()) continue;
        const auto& v = cert[key];
        const bool ok = std::string(key) == "complete" ? v.is_boolean()
                        : std::string(key) == "verdict" ? v.is_string()
                        : std::string(key) == "architecture" ? v.is_object()
                                                             : v.is_number_integer();
        if (!ok) throw InputError(std::string("certificate: \"") + key + "\" has the wrong type");
    }
    Expression::parse(P.expression).require_dimension(P.d);
    Exponent::parse(P.p);
    if (!cert.contains("levels") || !cert["levels"].is_array()) throw InputError("certificate: \"levels\" must be an array");
    validate_level_entries(cert["levels"], P.levels);
}

CheckOutcome check_certificate(const nlohmann::json& cert, int /*threads_hint*/,
                               const std::function<void(const std::string&, long, long)>& progress) {
    CheckOutcome outcome;
    validate_certificate(cert);   // InputError on anything malformed, before any recomputation
    RunParameters P = parameters_from_certificate(cert);
    const Expression f = Expression::parse(P.expression);
    const Exponent p = Exponent::parse(P.p);
    const auto& levels = cert["levels"];
    try {
        const AssembledNetwork net = assemble_network(f, p, P, progress);
        CertificationSettings s;
        const Interval tol = parse_decimal(P.tol, Precision(64), "certificate: parameters.tol");
        Interval half = tol;
        mpfi_div_si(half.raw(), half.raw(), 2);
        s.tol = decimal_down(half.lower(), 6);
        s.taylor_order = 5;
        s.quadrature_bits = P.precision_bits + 64;
        s.progress = progress;
        if (!cert.value("complete", true)) {
            // an incomplete certificate claims nothing beyond its last reached level
            int last = -1;
            for (size_t i = 0; i < levels.size(); ++i)
                if (levels[i].is_object() && levels[i].contains("error") && !levels[i]["error"].is_null()) last = static_cast<int>(i);
            s.last_level = last;
        }
        const CertificationResult r = certify_levels(f, p, net.built, net.prefix_partner.get(), s);
        // a budget or Ctrl-C: nothing is confirmed by an unfinished recomputation
        if (r.stopped) throw Failure("the recomputation was stopped (" + *r.stopped + "); nothing was confirmed");
        const Precision prec(s.quadrature_bits + 64);

        // architecture
        const auto& arch = cert.contains("architecture") ? cert["architecture"] : nlohmann::json();
        require(arch.is_object() && arch.value("width", -1) == r.architecture.width, "architecture.width",
                "differs from the rebuilt network (" + std::to_string(r.architecture.width) + ")");
        require(arch.value("depth", -1) == r.architecture.depth, "architecture.depth", "differs from the rebuilt network");
        require(arch.value("prefix_nested", !r.prefix_nested) == r.prefix_nested, "architecture.prefix_nested",
                "differs from the recomputation");

        require(static_cast<int>(levels.size()) <= static_cast<int>(r.levels.size()), "levels", "more levels than the network has");
        for (size_t i = 0; i < levels.size(); ++i) {
            const auto& L = levels[i];
            const std::string where = "levels[" + std::to_string(i) + "]";
            require(L.is_object() && L.contains("level") && L["level"].is_number_integer() &&
                        L["level"].get<long>() == static_cast<long>(i),
                    where + ".level", "must be " + std::to_string(i));
            const LevelCertificate& R = r.levels[i];
            const std::string status = L.value("status", "");
            if (L["error"].is_null()) {
                require(status != "certified", where + ".status", "certified without an error enclosure");
                continue;
            }
            Interval rec(prec);
            try {
                rec = enclosure_from_json(L["error"], where + ".error", prec);
            } catch (const InputError& e) {
                throw Failure(e.what());
            }
            const Interval lo = decimal_field(L["error"], "lower", where + ".error", prec);
            const Interval hi = decimal_field(L["error"], "upper", where + ".error", prec);
            require(mpfr_lessequal_p(lo.lower(), hi.upper()), where + ".error", "lower > upper");
            require(overlaps(rec, R.error), where + ".error",
                    "the recorded enclosure " + to_string(rec, 10) + " does not meet the recomputed " + to_string(R.error, 10));

            // omega_lower: the shift must be admissible and the value not above the recomputed norm there.
            const Interval omega = decimal_field(L, "omega_lower", where, prec);
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
            if (mpfr_sgn(omega.upper()) > 0) {
                require(static_cast<int>(h.size()) == P.d, where + ".best_shift", "a positive omega_lower needs its shift h");
                // |h|_2^2 <= N^-2l exactly
                Dyadic norm2;
                for (const auto& x : h) norm2 = norm2 + x * x;
                mpq_t n2, bound;
                mpq_inits(n2, bound, nullptr);
                norm2.to_mpq(n2);
                mpq_set_ui(bound, 1, 1);
                for (size_t k = 0; k < 2 * i; ++k) mpz_mul_ui(mpq_denref(bound), mpq_denref(bound), static_cast<unsigned long>(P.N));
                const bool admissible = mpq_cmp(n2, bound) <= 0;
                mpq_clears(n2, bound, nullptr);
                require(admissible, where + ".best_shift", "|h|_2 > N^-l");
                IntegrationOptions io;
                io.relative_tolerance = "1e-3";
                io.taylor_order = 5;
                io.max_boxes = 200000;
                const Interval at_h = enclose_shift_norm(f, P.d, p, h, io, Precision(s.quadrature_bits));
                require(mpfr_lessequal_p(omega.lower(), at_h.upper()), where + ".omega_lower",
                        "above the recomputed ||f(.+h) - f|| = " + to_string(at_h, 10));
            }
            // bound <= (2d+1) omega_lower
            // exact decimal arithmetic: bound <= (2d+1) * omega_lower as written
            const Interval bound = decimal_field(L, "bound", where, prec);
            {
                const RationalConstant bq(L["bound"].get<std::string>()), oq(L["omega_lower"].get<std::string>());
                mpq_t scaled;
                mpq_init(scaled);
                mpq_set_si(scaled, 2 * P.d + 1, 1);
                mpq_mul(scaled, scaled, oq.value());
                const bool ok = mpq_cmp(bq.value(), scaled) <= 0;
                mpq_clear(scaled);
                require(ok, where + ".bound", "exceeds (2d+1) * omega_lower");
            }
            if (status == "certified") {
                require(R.status == LevelStatus::Certified, where + ".status",
                        "claimed certified, but the recomputation gives " + std::string(status_name(R.status)));
                const RationalConstant hq(L["error"]["upper"].get<std::string>()), bq(L["bound"].get<std::string>());
                require(mpq_cmp(hq.value(), bq.value()) <= 0, where + ".status",
                        "claimed certified, but the recorded error upper bound exceeds the recorded bound");
            }
            outcome.levels_checked++;
        }
        const std::string verdict = cert.value("verdict", "");
        if (verdict == "certified") {
            require(r.all_certified() || (cert.contains("target_level") && !cert["target_level"].is_null()), "verdict",
                    "claimed certified, but the recomputation does not certify every claim");
            for (const auto& L : levels) require(L.value("status", "") == "certified", "verdict", "certified with a level that is not");
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
