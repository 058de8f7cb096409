#define BOOST_TEST_MODULE reports
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include "reports/ramp_plot.hpp"
#include "reports/report.hpp"
#include "reports/reproduce.hpp"
#include "reports/svg_plot.hpp"
#include "verify/certificate.hpp"
#include "verify/certify_run.hpp"

using namespace lpcert;

namespace {

struct Fixture {
    nlohmann::json certificate;
    BuiltNetwork built;
    Expression f = Expression::parse("abs(x1 - 1/3)");
};

Fixture make_run() {
    Fixture fx;
    RunRequest q(fx.f.text(), fx.f, 1, Exponent::parse("1"));
    q.levels = 4;
    RunOutcome o = certify_run(q, JobOptions{1, {}}, StopToken());
    fx.certificate = o.certificate;
    fx.built = std::move(o.network->built);
    return fx;
}

std::string read(const std::string& path) {
    std::ifstream f(path);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

size_t count(const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(svg_has_the_series_and_axis_labels) {
    PlotSeries a{"first & <series>", "#f00", {{0, 1}, {1, 0.1}, {2, 0.01}}, false, false, true};
    PlotSeries b{"second", "#00f", {{0, 2}, {2, 0.02}}, true, true, false};
    const std::string svg = render_svg(PlotSpec{"title", "level l", "error", true, 400, 300}, {a, b});
    BOOST_CHECK_EQUAL(svg.rfind("<svg", 0), 0u);
    BOOST_CHECK(svg.find("</svg>") != std::string::npos);
    BOOST_CHECK_EQUAL(count(svg, "class=\"series\""), 2u);
    BOOST_CHECK(svg.find("data-name=\"first &amp; &lt;series&gt;\"") != std::string::npos);
    BOOST_CHECK(svg.find(">level l</text>") != std::string::npos);
    BOOST_CHECK(svg.find(">error</text>") != std::string::npos);
    BOOST_CHECK(svg.find(">1e-2</text>") != std::string::npos);   // log ticks
    BOOST_CHECK_EQUAL(count(svg, "<circle"), 3u);                  // markers of the first series only
}

BOOST_AUTO_TEST_CASE(ramp_across_a_cell_boundary) {
    // Both constructions from the same cell values; x = 1/N + u/(S N): the level-1 ramp is -1 < u < 0.
    for (const int N : {2, 3}) {
        CellValues values;
        values.eta = Dyadic::power_of_two(-12);
        values.v = {{Dyadic(100) * values.eta}, {}};
        for (int K = 0; K < N; ++K) values.v[1].push_back(Dyadic(700 * K - 333) * values.eta);
        const Dyadic S = Dyadic::power_of_two(40);
        const BuiltNetwork fl = build_floor_relu(values, 1, N, 1, 64);
        const BuiltNetwork sn = build_sin_relu(values, 1, N, 1, 64, S);
        double wf = 1, ws = 1;
        const auto f1 = readout_across_boundary(fl, S, 1, -2.0, 1.0, 60, &wf);
        const auto s1 = readout_across_boundary(sn, S, 1, -2.0, 1.0, 60, &ws);
        BOOST_CHECK_EQUAL(wf, 0.0);   // the Floor-ReLU pass is exact
        BOOST_CHECK_LT(ws, 1e-30);    // the sine's rounding only
        const double left = -333 * std::ldexp(1.0, -12), right = 367 * std::ldexp(1.0, -12);
        const double R = std::max(std::abs(left - 100 * std::ldexp(1.0, -12)), std::abs(right - 100 * std::ldexp(1.0, -12)));
        bool ramp_seen = false;
        for (size_t k = 0; k < f1.size(); ++k) {
            const double u = f1[k].first;
            if (u == 0) continue;   // x = 1/3 is rounded to a point on either side
            BOOST_CHECK_EQUAL(f1[k].second, u < 0 ? left : right);   // the step sits at u = 0
            if (u <= -1.0 || u > 0) {
                BOOST_CHECK_CLOSE_FRACTION(s1[k].second, u < 0 ? left : right, 1e-15);
            } else {
                // on the ramp: within |v_0| + R_1 (SPEC 3b); with these gates the digit indicator
                // is not 0 or 1 there, every gate closes (E = 0, Z = sin 0) and the readout is v_0
                const double v0 = 100 * std::ldexp(1.0, -12);
                BOOST_CHECK_LE(std::abs(s1[k].second - v0), R * (1 + 1e-12));
                BOOST_CHECK_CLOSE_FRACTION(s1[k].second, v0, 1e-15);
                ramp_seen = true;
            }
        }
        BOOST_CHECK(ramp_seen);
        const std::string svg = ramp_plot_svg(fl, sn);
        BOOST_CHECK(svg.find("data-name=\"sin-relu Phi_1\"") != std::string::npos);
        BOOST_CHECK(svg.find("data-name=\"floor-relu Phi_1\"") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(run_report_files) {
    const Fixture fx = make_run();
    const std::string dir = (std::filesystem::temp_directory_path() / "lpcert-test-report").string();
    std::filesystem::remove_all(dir);
    write_run_report(dir, fx.certificate, fx.f, fx.built);
    const std::string html = read(dir + "/report.html"), md = read(dir + "/report.md");
    BOOST_CHECK_EQUAL(html.rfind("<!DOCTYPE html>", 0), 0u);
    BOOST_CHECK(html.find("</html>") != std::string::npos);
    BOOST_CHECK_EQUAL(count(html, "<table"), count(html, "</table>"));
    BOOST_CHECK_EQUAL(count(html, "<svg"), 2u);               // error plot and approximants, inline
    BOOST_CHECK(html.find("src=\"http") == std::string::npos);   // self-contained
    BOOST_CHECK(html.find("data-name=\"Phi_3\"") != std::string::npos);
    BOOST_CHECK(html.find("data-name=\"(2d+1) omega lower bound\"") != std::string::npos);
    // one Markdown table row per level (plus header and separator)
    std::regex row("^\\| [0-9]+ \\| [0-9]+ \\|");
    size_t rows = 0;
    std::istringstream lines(md);
    for (std::string line; std::getline(lines, line);) rows += std::regex_search(line, row) ? 1 : 0;
    BOOST_CHECK_EQUAL(rows, fx.certificate["levels"].size());
    BOOST_CHECK(std::filesystem::exists(dir + "/certificate.json"));
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(regression_comparison) {
    const Fixture fx = make_run();
    BOOST_CHECK_EQUAL(compare_certificates(fx.certificate, fx.certificate), "");
    auto moved = fx.certificate;
    moved["levels"][2]["error"] = {{"lower", "0.5"}, {"upper", "0.6"}};
    BOOST_CHECK(compare_certificates(moved, fx.certificate).find("level 2: error enclosure") == 0);
    auto verdict = fx.certificate;
    verdict["verdict"] = "not_certified";
    BOOST_CHECK(compare_certificates(verdict, fx.certificate).find("verdict changed") == 0);
    auto status = fx.certificate;
    status["levels"][1]["status"] = "inconclusive";
    BOOST_CHECK(compare_certificates(status, fx.certificate).find("level 1: status changed") == 0);
}
