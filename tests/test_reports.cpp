#define BOOST_TEST_MODULE reports
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include "construction/network_io.hpp"
#include "quadrature/catalog.hpp"
#include "reports/corollaries.hpp"
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

// A catalog function run as the reproduce suite runs it (catalog name, catalog expression).
Fixture make_catalog_run(const std::string& name, const std::string& p, int levels, const std::string& construction = "floor-relu") {
    Fixture fx;
    const auto entry = find_in_catalog(name);
    BOOST_REQUIRE(entry);
    fx.f = Expression::parse(entry->expression(1));
    RunRequest q(name, fx.f, 1, Exponent::parse(p));
    q.levels = levels;
    q.construction = parse_construction(construction);
    RunOutcome o = certify_run(q, JobOptions{1, {}}, StopToken());
    fx.certificate = o.certificate;
    fx.built = std::move(o.network->built);
    return fx;
}

// Independent count of the nonzero coefficients of the network computing Phi_level, read off its
// exported JSON (lpcert-network/1): every weight and bias of every hidden neuron, and those of
// the readout of that level. Exact weights are strings; zero is "0".
long count_nonzero_in_json(const nlohmann::json& net, int level) {
    long n = 0;
    for (const auto& layer : net["layers"])
        for (const auto& neuron : layer["neurons"]) {
            for (const auto& w : neuron["weights"]) n += w[1].get<std::string>() != "0";
            n += neuron["bias"].get<std::string>() != "0";
        }
    long readouts = 0;
    for (const auto& r : net["readouts"]) {
        if (r["level"].get<int>() != level) continue;
        ++readouts;
        for (const auto& w : r["weights"]) n += w[1].get<std::string>() != "0";
        n += r["bias"].get<std::string>() != "0";
    }
    BOOST_REQUIRE_EQUAL(readouts, 1);
    return n;
}

// The numbers of an SVG attribute list "x1,y1 x2,y2 ...".
std::vector<std::pair<double, double>> polygon_points(const std::string& svg, const std::string& name) {
    const std::string key = "<polygon class=\"band\" data-name=\"" + name + "\" points=\"";
    const size_t at = svg.find(key);
    BOOST_REQUIRE(at != std::string::npos);
    const size_t end = svg.find('"', at + key.size());
    std::istringstream in(svg.substr(at + key.size(), end - at - key.size()));
    std::vector<std::pair<double, double>> out;
    for (std::string xy; in >> xy;) {
        const size_t comma = xy.find(',');
        out.emplace_back(std::stod(xy.substr(0, comma)), std::stod(xy.substr(comma + 1)));
    }
    return out;
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

// ---- the corollaries (issue 16) ----

BOOST_AUTO_TEST_CASE(hoelder_rate_of_a_catalog_hoelder_function) {
    // hoelder_half = |x1 - 0.3|^(1/2): alpha = 1/2, lambda = 1, so the rate is 3 * 2^(-l/2).
    const Fixture fx = make_catalog_run("hoelder_half", "2", 4);
    const auto rate = hoelder_rate(fx.certificate);
    BOOST_REQUIRE(rate);
    BOOST_CHECK_EQUAL(rate->alpha, "1/2");
    BOOST_CHECK_EQUAL(rate->lambda, "1");
    BOOST_CHECK_EQUAL(rate->sense, "sup");
    BOOST_REQUIRE_EQUAL(rate->levels.size(), 5u);
    BOOST_CHECK_EQUAL(rate->holding(), 5);
    // even levels: 3 * 2^(-l/2) is a dyadic with a short decimal, and the rounded-down decimal is exact
    BOOST_CHECK_EQUAL(rate->levels[0].rate_bound, "3");
    BOOST_CHECK_EQUAL(rate->levels[2].rate_bound, "1.5");
    BOOST_CHECK_EQUAL(rate->levels[4].rate_bound, "7.5e-1");
    // odd levels: 3 / sqrt(2) = 2.1213203435596425732..., rounded DOWN
    const Interval l1 = parse_decimal(rate->levels[1].rate_bound, Precision(256));
    const Interval exact_lo = parse_decimal("2.12132034355964257320253308631454711785450781", Precision(256));
    BOOST_CHECK(certainly_less_equal(l1, exact_lo));
    BOOST_CHECK(rate->levels[1].rate_bound.rfind("2.12132034355964257", 0) == 0);
    for (size_t l = 0; l < rate->levels.size(); ++l)
        BOOST_CHECK_EQUAL(rate->levels[l].error_upper, fx.certificate["levels"][l]["error"]["upper"].get<std::string>());

    // an error above the rate does not hold (the verdict reads the certificate's numbers)
    auto tampered = fx.certificate;
    tampered["levels"][3]["error"]["upper"] = "1.0607";   // 3 * 2^(-3/2) = 1.06066...
    const auto broken = hoelder_rate(tampered);
    BOOST_REQUIRE(broken);
    BOOST_CHECK(!broken->levels[3].holds);
    BOOST_CHECK_EQUAL(broken->holding(), 4);
    auto below = fx.certificate;
    below["levels"][3]["error"]["upper"] = "1.0606";
    BOOST_CHECK(hoelder_rate(below)->levels[3].holds);

    // the summary section has the row, and says every level holds
    const std::vector<NetworkSize> sizes = network_sizes(fx.built);
    const CorollarySections s = corollary_sections({CorollaryCase{"hoelder_case", &fx.certificate, &sizes}});
    BOOST_CHECK(s.markdown.find("| hoelder_case | hoelder_half | 1 | 2 | 2 | floor-relu | 1/2 | 1 | sup | all 5/5 | 7.5e-1 |") !=
                std::string::npos);
    BOOST_CHECK(s.html.find("<table class=\"hoelder\">") != std::string::npos);
    BOOST_CHECK_EQUAL(s.json[0]["hoelder_rate"]["levels"].size(), 5u);
    const CorollarySections t = corollary_sections({CorollaryCase{"hoelder_case", &tampered, &sizes}});
    BOOST_CHECK(t.markdown.find("| NOT all: 4/5 |") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(hoelder_rate_of_a_jump_and_of_no_hoelder_data) {
    // step: omega_f(delta)_p <= delta^(1/p); at p = 1 the rate is 3 * 2^-l, exact.
    const Fixture step = make_catalog_run("step", "1", 3);
    const auto rate = hoelder_rate(step.certificate);
    BOOST_REQUIRE(rate);
    BOOST_CHECK_EQUAL(rate->alpha, "1/p");
    BOOST_CHECK_EQUAL(rate->sense, "L^p");
    BOOST_CHECK_EQUAL(rate->levels[3].rate_bound, "3.75e-1");
    BOOST_CHECK_EQUAL(rate->holding(), 4);
    // an expression that is not a catalog name, and a catalog function without Hoelder data
    BOOST_CHECK(!hoelder_rate(make_run().certificate));
    auto lipschitz = step.certificate;
    lipschitz["parameters"]["function"] = "kink";
    lipschitz["parameters"]["expression"] = "abs(x1 - 1/3)";
    BOOST_CHECK(!hoelder_rate(lipschitz));
    // a catalog name with another expression is not the catalog's function
    auto renamed = step.certificate;
    renamed["parameters"]["expression"] = "floor(x1 + 0.6)";
    BOOST_CHECK(!hoelder_rate(renamed));
}

BOOST_AUTO_TEST_CASE(corollary_2_3_first_level_and_parameter_count) {
    for (const std::string construction : {"floor-relu", "sin-relu"}) {
        const Fixture fx = make_catalog_run("kink", "1", 4, construction);
        const std::vector<NetworkSize> sizes = network_sizes(fx.built);
        BOOST_REQUIRE_EQUAL(sizes.size(), 5u);
        const std::vector<std::string> eps = {"1e-1", "3e-2", "1e-9"};
        const auto acc = accuracy_levels(fx.certificate, sizes, eps);
        BOOST_REQUIRE_EQUAL(acc.size(), 3u);
        const auto& levels = fx.certificate["levels"];
        for (size_t k = 0; k < 2; ++k) {
            BOOST_REQUIRE(acc[k].level);
            const int l = *acc[k].level;
            const double target = std::stod(eps[k]);
            // the chosen level reaches eps, every earlier one does not (these errors are far from eps)
            BOOST_CHECK_LE(std::stod(levels[l]["error"]["upper"].get<std::string>()), target);
            BOOST_CHECK_EQUAL(levels[l]["status"], "certified");
            for (int m = 0; m < l; ++m) BOOST_CHECK_GT(std::stod(levels[m]["error"]["upper"].get<std::string>()), target);
            BOOST_CHECK_EQUAL(acc[k].error_upper, levels[l]["error"]["upper"].get<std::string>());
            // the network of l levels: depth l(d+2)+1, its nonzero coefficients counted on its export
            BOOST_CHECK_EQUAL(acc[k].size.depth, l * 3 + 1);
            CellValues values = fx.built.values;
            values.v.resize(static_cast<size_t>(l) + 1);
            const BuiltNetwork prefix = construction == "sin-relu"
                                            ? build_sin_relu(values, 1, 2, l, fx.built.digit_bits, *fx.built.steepness)
                                            : build_floor_relu(values, 1, 2, l, fx.built.digit_bits);
            // it is the prefix of the built network (same weights in its first l(d+2) layers)
            BOOST_CHECK(shares_prefix(prefix.network, fx.built.network, l * 3, l));
            BOOST_CHECK_EQUAL(acc[k].size.parameters, count_nonzero_in_json(network_to_json(prefix.network), l));
        }
        BOOST_CHECK(!acc[2].level);   // 1e-9 is not reached by 4 levels
        // the full network's count, on its own export
        BOOST_CHECK_EQUAL(sizes[4].parameters, count_nonzero_in_json(network_to_json(fx.built.network), 4));
        BOOST_CHECK_EQUAL(sizes[4].depth, measure_architecture(fx.built.network).depth);
        BOOST_CHECK_EQUAL(sizes[0].depth, 0);
        // an uncertified level is never chosen
        auto uncertified = fx.certificate;
        const int first = *acc[0].level;
        uncertified["levels"][first]["status"] = "inconclusive";
        const auto again = accuracy_levels(uncertified, sizes, {"1e-1"});
        BOOST_REQUIRE(again[0].level);
        BOOST_CHECK_GT(*again[0].level, first);
        // the table: one column per eps, 1e-1..1e-3 always
        const CorollarySections s = corollary_sections({CorollaryCase{"kink_case", &fx.certificate, &sizes}});
        BOOST_CHECK(s.markdown.find("| eps = 1e-1 | eps = 1e-2 | eps = 1e-3 |") != std::string::npos);
        const std::string cell = "l=" + std::to_string(first) + ", depth " + std::to_string(first * 3 + 1) + ", " +
                                 std::to_string(sizes[static_cast<size_t>(first)].parameters) + " params";
        BOOST_CHECK(s.markdown.find("| kink_case | kink | 1 | 2 | 1 | " + construction + " | " + cell) != std::string::npos);
        BOOST_CHECK(s.markdown.find("not reached (L = 4) |") != std::string::npos);
        BOOST_CHECK(s.markdown.find("Depth grows like log(1/eps)") != std::string::npos);
        BOOST_CHECK(s.html.find("<table class=\"accuracy\">") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(enclosure_band_between_its_ends) {
    // Powers of ten: the log plot spans 1e-4..1e0, so every coordinate is known in advance.
    PlotBand a{"LPA", "#1f77b4", {{0, 1e-1, 1}, {1, 1e-2, 1e-1}, {2, 1e-4, 1e-2}}, 0.25};
    PlotBand b{"end-to-end", "#c0392b", {{0, 0, 1e-1}, {1, 1e-3, 1e-2}}, 0.25};   // a zero lower end
    bool clipped = false;
    const PlotSpec spec{"t", "readout i", "error", true, 520, 330};
    const std::string svg = render_svg(spec, {}, {a, b}, &clipped);
    BOOST_CHECK(clipped);
    // the frame: left 70, top 36, plot width 520 - 90, height 330 - 86; y = top + (1 - (log10 v + 4)/4) ph
    const double left = 70, top = 36, pw = 430, ph = 244;
    auto py = [&](double v) { return top + (1 - (std::log10(v) + 4) / 4) * ph; };
    auto px = [&](double x) { return left + x / 2 * pw; };
    const auto pa = polygon_points(svg, "LPA");
    BOOST_REQUIRE_EQUAL(pa.size(), 6u);   // upper ends left to right, lower ends right to left
    for (size_t k = 0; k < 3; ++k) {
        const auto& p = a.points[k];
        BOOST_CHECK_SMALL(pa[k].first - px(p.x), 0.06);
        BOOST_CHECK_SMALL(pa[k].second - py(p.upper), 0.06);
        BOOST_CHECK_SMALL(pa[5 - k].first - px(p.x), 0.06);
        BOOST_CHECK_SMALL(pa[5 - k].second - py(p.lower), 0.06);
        // between the plot's lower and upper coordinates of that x (SVG y grows downwards)
        BOOST_CHECK_LE(pa[k].second, pa[5 - k].second);
        BOOST_CHECK_GE(pa[k].second, top);
        BOOST_CHECK_LE(pa[5 - k].second, top + ph);
    }
    const auto pb = polygon_points(svg, "end-to-end");
    BOOST_REQUIRE_EQUAL(pb.size(), 4u);
    BOOST_CHECK_SMALL(pb[3].second - (top + ph), 0.06);   // the zero lower end sits on the floor
    BOOST_CHECK_SMALL(pb[2].second - py(1e-3), 0.06);
    // translucent, two colours, the upper line drawn after (on top of) both bands, one legend entry each
    BOOST_CHECK_EQUAL(count(svg, "fill-opacity=\"0.25\""), 4u);   // two polygons, two legend swatches
    BOOST_CHECK(svg.find("data-name=\"LPA upper end\"") > svg.find("data-name=\"end-to-end\" points"));
    BOOST_CHECK(svg.find("data-name=\"end-to-end upper end\"") != std::string::npos);
    BOOST_CHECK(svg.find(">LPA</text>") != std::string::npos);
    BOOST_CHECK(svg.find(">end-to-end</text>") != std::string::npos);
    // no zero lower end: nothing is clipped
    render_svg(spec, {}, {a}, &clipped);
    BOOST_CHECK(!clipped);
}

BOOST_AUTO_TEST_CASE(network_report_plot_is_a_band) {
    nlohmann::json cert = {{"p", "2"},
                           {"readouts", {{{"index", 0}, {"error", {{"lower", "0.5"}, {"upper", "0.6"}}}, {"norm", {{"lower", "1"}, {"upper", "1.1"}}}},
                                         {{"index", 1}, {"error", {{"lower", "0"}, {"upper", "0.01"}}}, {"norm", {{"lower", "1"}, {"upper", "1.2"}}}}}}};
    bool clipped = false;
    const std::string svg = network_error_plot_svg(cert, &clipped);
    BOOST_CHECK(clipped);
    BOOST_CHECK_EQUAL(polygon_points(svg, "||f - Phi_i||").size(), 4u);
    BOOST_CHECK(network_error_plot_caption(true).find("clipped at the plot's floor") != std::string::npos);
    BOOST_CHECK(network_error_plot_caption(false).find("clipped") == std::string::npos);
}
