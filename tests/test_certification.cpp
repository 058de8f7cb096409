#define BOOST_TEST_MODULE certification
#include <boost/test/unit_test.hpp>
#include <tbb/global_control.h>

#include "quadrature/catalog.hpp"
#include "test_support.hpp"
#include "verify/certificate.hpp"
#include "verify/check.hpp"
#include "verify/certify_run.hpp"
#include "verify/network_assembly.hpp"

using namespace lpcert;

namespace {

struct Run {
    RunParameters params;
    CertificationResult result;
    nlohmann::json certificate;
};

Run run(const std::string& text, int d, int N, int L, const std::string& p, const std::string& eta = "",
        const std::string& construction = "floor-relu") {
    RunRequest q(text, Expression::parse(text), d, Exponent::parse(p));
    q.N = N;
    q.levels = L;
    if (!eta.empty()) q.eta = parse_eta(eta, "eta");
    q.construction = parse_construction(construction);
    RunOutcome o = certify_run(q, JobOptions{1, {}}, StopToken());
    return Run{o.parameters, std::move(o.result), o.certificate};
}

void require_all_certified(const Run& r) {
    for (const auto& l : r.result.levels) {
        BOOST_CHECK_MESSAGE(l.status == LevelStatus::Certified,
                            r.params.expression << " level " << l.level << " " << status_name(l.status) << " error "
                                                << to_string(l.error) << " bound " << decimal_down(l.bound.lower()));
        BOOST_CHECK(l.exact_cell_values);
    }
    BOOST_CHECK(r.result.prefix_nested);
    BOOST_CHECK_EQUAL(r.result.architecture.width, r.result.width_bound);
    BOOST_CHECK(r.result.all_certified());
}

}  // namespace

BOOST_AUTO_TEST_CASE(identity_error_matches_the_cell_average_formula) {
    // f = x1: ||f - A_l f||_p = (delta/2) / (p+1)^(1/p) with delta = 2^-l, and |Phi_l - A_l f| <= eta.
    for (const std::string p : {"1", "2"}) {
        const Run r = run("x1", 1, 2, 5, p);
        require_all_certified(r);
        const Interval eta = r.params.eta.to_interval(Precision(256));
        for (const auto& l : r.result.levels) {
            Interval expected(1, Precision(256));
            mpfi_div_2si(expected.raw(), expected.raw(), l.level + 1);
            mpfi_div_si(expected.raw(), expected.raw(), p == "1" ? 2 : 1);
            if (p == "2") {
                Interval three(3, Precision(256));
                sqrt(three, three);
                div(expected, expected, three);
            }
            Interval band(Precision(256)), lo(Precision(256)), hi(Precision(256));
            sub(lo, expected, eta);
            add(hi, expected, eta);
            set_hull(band, lo.lower(), hi.upper());
            BOOST_CHECK_MESSAGE(overlaps(l.error, band), "p=" << p << " level " << l.level << ": " << to_string(l.error)
                                                              << " vs " << to_string(expected));
        }
    }
}

BOOST_AUTO_TEST_CASE(discontinuous_step_in_two_dimensions_p1) { require_all_certified(run("floor(x1 + 0.7)", 2, 2, 3, "1")); }

BOOST_AUTO_TEST_CASE(hoelder_function) { require_all_certified(run("abs(x1 - 0.3)^0.5", 1, 2, 5, "2")); }

BOOST_AUTO_TEST_CASE(smooth_function_in_three_dimensions) {
    const Run r = run(find_in_catalog("smooth_bump")->expression(3), 3, 2, 1, "2");
    require_all_certified(r);
    BOOST_REQUIRE(r.result.lipschitz);
    for (const auto& l : r.result.levels) BOOST_CHECK(l.lipschitz_holds);
}

BOOST_AUTO_TEST_CASE(check_accepts_the_truth_and_rejects_tampering) {
    const Run r = run("sin(2*pi*x1)", 1, 2, 4, "2");
    require_all_certified(r);
    BOOST_CHECK(check_certificate(r.certificate, JobOptions{1, {}}, StopToken()).passed);

    auto tampered = r.certificate;
    const double up = std::stod(tampered["levels"][3]["error"]["upper"].get<std::string>());
    tampered["levels"][3]["error"]["upper"] = std::to_string(up / 10);
    auto o = check_certificate(tampered, JobOptions{1, {}}, StopToken());
    BOOST_CHECK(!o.passed);
    BOOST_CHECK(o.first_failure.find("levels[3].error") == 0);

    tampered = r.certificate;   // both ends moved below the truth
    tampered["levels"][2]["error"] = {{"lower", "1e-6"}, {"upper", "2e-6"}};
    o = check_certificate(tampered, JobOptions{1, {}}, StopToken());
    BOOST_CHECK(!o.passed && o.first_failure.find("levels[2].error") == 0);

    tampered = r.certificate;
    const double om = std::stod(tampered["levels"][1]["omega_lower"].get<std::string>());
    tampered["levels"][1]["omega_lower"] = std::to_string(om * 10);
    tampered["levels"][1]["bound"] = std::to_string(om * 29);
    o = check_certificate(tampered, JobOptions{1, {}}, StopToken());
    BOOST_CHECK(!o.passed && o.first_failure.find("levels[1].omega_lower") == 0);

    tampered = r.certificate;
    tampered["levels"][0]["bound"] = "100";
    o = check_certificate(tampered, JobOptions{1, {}}, StopToken());
    BOOST_CHECK(!o.passed && o.first_failure.find("levels[0].bound") == 0);

    tampered = r.certificate;
    tampered["architecture"]["width"] = 5;
    BOOST_CHECK(!check_certificate(tampered, JobOptions{1, {}}, StopToken()).passed);
}

BOOST_AUTO_TEST_CASE(certificates_do_not_depend_on_the_thread_count) {
    std::vector<std::string> texts;
    for (int threads : {1, 2}) {
        tbb::global_control c(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
        auto cert = run("sin(2*pi*x1)*x2^2", 2, 2, 3, "2").certificate;
        cert.erase("environment");
        texts.push_back(cert.dump());
    }
    BOOST_CHECK(texts[0] == texts[1]);
}
