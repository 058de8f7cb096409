#include "reports/reproduce.hpp"

#include <tbb/info.h>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/stop_token.hpp"
#include "reports/corollaries.hpp"
#include "reports/ramp_plot.hpp"
#include "reports/report.hpp"
#include "reports/svg_plot.hpp"
#include "verify/certificate.hpp"
#include "verify/json_io.hpp"
#include "verify/certify_run.hpp"
#include "verify/network_assembly.hpp"

namespace lpcert {

namespace {

// The cases followed by the same cases built as sine-ReLU networks ("NAME_sin").
std::vector<SuiteCase> with_sine_twins(std::vector<SuiteCase> cases) {
    const size_t floor_cases = cases.size();
    for (size_t k = 0; k < floor_cases; ++k) {
        SuiteCase c = cases[k];
        c.name += "_sin";
        c.construction = "sin-relu";
        cases.push_back(std::move(c));
    }
    return cases;
}

}  // namespace

std::vector<SuiteCase> reproduce_suite(bool quick) {
    // Discontinuous functions in d = 2 use eta = 2^-10: their cell averages cost ~1/eta quadrature
    // boxes along the jump, and any eta <= omega_f(N^-L)_p suffices for (T) (SPEC section 4).
    std::vector<SuiteCase> q = {
        {"linear_d1_N2_p2", "linear", 1, 2, 6, "2", ""},
        {"sine_d1_N3_p1", "sine", 1, 3, 4, "1", ""},
        {"oscillatory_d1_N2_p2", "oscillatory", 1, 2, 6, "2", ""},
        {"hoelder_d1_N2_p3.5", "hoelder_half", 1, 2, 6, "3.5", ""},
        {"kink_d1_N3_p1", "kink", 1, 3, 4, "1", ""},
        {"step_d1_N2_p1", "step", 1, 2, 6, "1", ""},
        {"sine_product_d2_N2_p2", "sine_product", 2, 2, 4, "2", ""},
        {"pyramid_d2_N2_p1", "pyramid", 2, 2, 3, "1", ""},
        {"indicator_disk_d2_N2_p1", "indicator_disk", 2, 2, 2, "1", "1*2^-10"},
        {"smooth_2d_d2_N3_p3.5", "smooth_2d", 2, 3, 2, "3.5", ""},
        {"smooth_bump_d3_N2_p2", "smooth_bump", 3, 2, 2, "2", ""},
    };
    // Both constructions certify the whole suite: the sine-ReLU network (SPEC 3b) on every case.
    if (quick) return with_sine_twins(std::move(q));
    std::vector<SuiteCase> full = {
        {"linear_d1_N2_p2", "linear", 1, 2, 10, "2", ""},
        {"linear_d1_N3_p3.5", "linear", 1, 3, 6, "3.5", ""},
        {"sine_d1_N2_p1", "sine", 1, 2, 9, "1", ""},
        {"oscillatory_d1_N2_p2", "oscillatory", 1, 2, 9, "2", ""},
        {"chirp_d1_N3_p2", "chirp", 1, 3, 6, "2", ""},
        {"hoelder_d1_N2_p1", "hoelder_half", 1, 2, 9, "1", ""},
        {"hoelder_d1_N3_p3.5", "hoelder_half", 1, 3, 6, "3.5", ""},
        {"kink_d1_N2_p2", "kink", 1, 2, 9, "2", ""},
        {"tent_d1_N3_p1", "tent", 1, 3, 6, "1", ""},
        {"step_d1_N2_p1", "step", 1, 2, 9, "1", ""},
        {"staircase_d1_N3_p2", "staircase", 1, 3, 5, "2", ""},
        {"sine_product_d2_N2_p2", "sine_product", 2, 2, 7, "2", ""},
        {"smooth_2d_d2_N3_p1", "smooth_2d", 2, 3, 4, "1", ""},
        {"pyramid_d2_N2_p3.5", "pyramid", 2, 2, 5, "3.5", ""},
        {"hoelder_radius_d2_N2_p2", "hoelder_sqrt_radius", 2, 2, 5, "2", ""},
        {"indicator_disk_d2_N2_p1", "indicator_disk", 2, 2, 4, "1", "1*2^-12"},
        {"smooth_bump_d3_N2_p2", "smooth_bump", 3, 2, 4, "2", ""},
        {"exp_sum_d3_N2_p1", "exp_sum", 3, 2, 3, "1", ""},
    };
    return with_sine_twins(std::move(full));
}

namespace {

struct CaseOutcome {
    SuiteCase c;
    nlohmann::json certificate;
    double seconds = 0;
    std::string regression;   // "" = none
    bool certified = false;   // run_is_certified of the run
    std::optional<std::string> stopped;
    std::vector<NetworkSize> sizes;   // of the network of l levels, l = 0..L (empty: none was built)
};

}  // namespace

std::string compare_certificates(const nlohmann::json& now, const nlohmann::json& stored) {
    if (stored.value("verdict", "") != now.value("verdict", "")) {
        return "verdict changed from " + stored.value("verdict", "?") + " to " + now.value("verdict", "?");
    }
    const auto& a = now["levels"];
    const auto& b = stored["levels"];
    if (a.size() != b.size()) return "number of levels changed";
    const Precision prec(256);
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string where = "level " + std::to_string(i);
        if (a[i].value("status", "") != b[i].value("status", "")) return where + ": status changed";
        if (a[i]["error"].is_object() && b[i]["error"].is_object()) {
            const Interval x = enclosure_from_json(a[i]["error"], where, prec);
            const Interval y = enclosure_from_json(b[i]["error"], where, prec);
            if (!overlaps(x, y)) return where + ": error enclosure " + to_string(x, 8) + " no longer meets " + to_string(y, 8);
        }
    }
    return "";
}

namespace {

std::string summary_row(const CaseOutcome& o, bool markdown) {
    const auto& c = o.certificate;
    int certified = 0, total = 0, lip_ok = 0, lip_total = 0;
    double worst = 0;
    for (const auto& l : c["levels"]) {
        ++total;
        if (l["status"] == "certified") ++certified;
        if (!l["lipschitz_status"].is_null()) {
            ++lip_total;
            if (l["lipschitz_status"] == "certified") ++lip_ok;
        }
        if (l["error"].is_object() && l["bound"].is_string()) {
            const double r = std::strtod(l["error"]["upper"].get<std::string>().c_str(), nullptr) /
                             std::strtod(l["bound"].get<std::string>().c_str(), nullptr);
            if (std::isfinite(r)) worst = std::max(worst, r);
        }
    }
    const auto& a = c["architecture"];
    std::ostringstream s;
    char ratio[32], secs[32];
    std::snprintf(ratio, sizeof ratio, "%.3f", worst);
    std::snprintf(secs, sizeof secs, "%.1f", o.seconds);
    const std::string verdict = c["verdict"].get<std::string>();
    const std::vector<std::string> cells = {
        o.c.name, o.c.function, std::to_string(o.c.d), std::to_string(o.c.N), std::to_string(o.c.levels), o.c.p,
        o.c.construction, std::to_string(certified) + "/" + std::to_string(total),
        lip_total ? std::to_string(lip_ok) + "/" + std::to_string(lip_total) : "-",
        std::to_string(a["width"].get<int>()) + (a["width"] == a["width_bound"] ? " = " : " != ") +
            std::to_string(a["width_bound"].get<int>()),
        a["prefix_nested"].get<bool>() ? "yes" : "no", ratio, secs, verdict + (o.regression.empty() ? "" : " (REGRESSION)")};
    if (markdown) {
        s << "|";
        for (const auto& x : cells) s << " " << x << " |";
    } else {
        s << "<tr>";
        for (size_t k = 0; k < cells.size(); ++k)
            s << "<td" << (k + 1 == cells.size() ? " class=\"" + verdict + "\"" : "") << ">" << xml_escape(cells[k]) << "</td>";
        s << "</tr>";
    }
    return s.str();
}

const char* kHeader[] = {"case", "function", "d", "N", "L", "p", "construction", "(T) certified", "Lipschitz rate",
                         "width = 2dN+d+2", "prefix nested", "worst error/bound", "seconds", "verdict"};

}  // namespace

namespace {

// The network a certificate speaks about, rebuilt from its parameters.
BuiltNetwork rebuild(const nlohmann::json& certificate) {
    RunParameters P = parameters_from_certificate(certificate);
    const Expression f = Expression::parse(P.expression);
    const Exponent p = Exponent::parse(P.p);
    return std::move(assemble_network(f, p, P, {}, StopToken()).built);
}

// For the first d = 1 function run with both constructions: Phi_l of both networks across a cell
// boundary (SVG file, Markdown link appended to md); the HTML section, or "" when there is none.
std::string ramp_section(const std::vector<CaseOutcome>& outcomes, const std::string& dir, std::ostringstream& md) {
    for (const auto& sine : outcomes) {
        if (sine.c.construction != "sin-relu" || sine.c.d != 1) continue;
        for (const auto& floor_case : outcomes) {
            if (floor_case.c.construction != "floor-relu" || floor_case.c.name + "_sin" != sine.c.name) continue;
            const std::string svg = ramp_plot_svg(rebuild(floor_case.certificate), rebuild(sine.certificate), 640, 400);
            write_text_file(dir + "/certificates/" + sine.c.name + "_ramp.svg", svg);
            const std::string text =
                "Phi_1 and Phi_2 of both networks for " + sine.c.function + " across the cell boundary x = 1/N, magnified "
                "to the width 1/(S N) of the sine-ReLU network's level-1 ramp (-1 < u < 0): the Floor-ReLU readout "
                "jumps at u = 0; the sine-ReLU readout is continuous and equals the cell constants off the ramp. On "
                "the ramp the digit indicator is strictly between 0 and 1, every gate closes (E = 0, so Z = sin 0) "
                "and the readout falls back to v_0, inside the bound |v_0| + R_1 of SPEC 3b; its transitions at the "
                "ramp's ends are continuous but steeper than the plot resolves. The verifier's shrunk cells keep "
                "clear of every ramp, and the slivers are bounded separately.";
            md << "## The sine-ReLU ramp\n\n" << text << "\n\n![ramp](certificates/" << sine.c.name << "_ramp.svg)\n";
            return "<h2>The sine-ReLU ramp</h2>\n<p>" + xml_escape(text) + "</p>\n" + svg + "\n";
        }
    }
    return "";
}

}  // namespace

namespace {

// One case of the suite through the pipeline (certify_run), with its regression comparison.
CaseOutcome run_case(const SuiteOptions& o, const SuiteCase& sc, size_t k, size_t cases) {
    const auto entry = find_in_catalog(sc.function);
    if (!entry) throw std::logic_error("reproduce: unknown catalog function " + sc.function);
    RunRequest request(sc.function, Expression::parse(entry->expression(sc.d)), sc.d, Exponent::parse(sc.p));
    request.N = sc.N;
    request.levels = sc.levels;
    request.tol = o.tol;
    if (!sc.eta.empty()) request.eta = parse_eta(sc.eta, "suite eta");
    request.construction = parse_construction(sc.construction);
    auto progress = [&](const std::string& stage, long done, long total) {
        if (o.progress) o.progress("[" + std::to_string(k + 1) + "/" + std::to_string(cases) + "] " + sc.name + ": " + stage, done, total);
    };
    const RunOutcome run = certify_run(request, JobOptions{o.threads, progress}, o.stop);
    CaseOutcome out{sc, run.certificate, run.seconds, "", run.certified(), run.result.stopped, {}};
    if (run.network) out.sizes = network_sizes(run.network->built);
    if (!o.compare.empty()) {
        const std::string stored = o.compare + "/" + sc.name + ".json";
        out.regression = std::filesystem::exists(stored) ? compare_certificates(out.certificate, read_json_file(stored))
                                                         : "no stored certificate " + stored;
    }
    return out;
}

// Both constructions side by side: certified error upper bounds against the same bound (SVG
// files and Markdown links; returns the HTML plots, "" when no case has both).
std::string both_constructions_plots(const std::vector<CaseOutcome>& outcomes, const std::string& dir, std::ostringstream& md) {
    std::ostringstream both;
    for (const auto& sine : outcomes) {
        if (sine.c.construction != "sin-relu") continue;
        for (const auto& floor_case : outcomes) {
            if (floor_case.c.construction != "floor-relu" || floor_case.c.name + "_sin" != sine.c.name) continue;
            PlotSeries fe{"floor-relu error upper", "#c0392b", {}, false, false, true};
            PlotSeries se{"sin-relu error upper", "#8e44ad", {}, false, true, true};
            PlotSeries bd{"(2d+1) omega lower bound", "#1f618d", {}, false, false, true};
            for (const auto& l : floor_case.certificate["levels"]) {
                const double x = l["level"].get<double>();
                if (l["error"].is_object()) fe.points.emplace_back(x, std::strtod(l["error"]["upper"].get<std::string>().c_str(), nullptr));
                if (l["bound"].is_string()) bd.points.emplace_back(x, std::strtod(l["bound"].get<std::string>().c_str(), nullptr));
            }
            for (const auto& l : sine.certificate["levels"]) {
                if (l["error"].is_object()) {
                    se.points.emplace_back(l["level"].get<double>(), std::strtod(l["error"]["upper"].get<std::string>().c_str(), nullptr));
                }
            }
            const std::string svg = render_svg(
                PlotSpec{floor_case.c.function + ": both constructions", "level l", "L^p error (log scale)", true, 520, 330},
                {fe, se, bd});
            write_text_file(dir + "/certificates/" + floor_case.c.name + "_both.svg", svg);
            both << svg;
            md << "![" << floor_case.c.name << " both](certificates/" << floor_case.c.name << "_both.svg)\n\n";
        }
    }
    return both.str();
}

// summary.md, summary.html and summary.json of a (possibly stopped) suite in o.out.
void write_summary(const SuiteOptions& o, size_t cases_in_suite, const std::vector<CaseOutcome>& outcomes,
                   const std::string& verdict, const std::optional<std::string>& stopped, double total) {
    nlohmann::json summary = {{"schema", "lpcert-reproduce/1"}, {"quick", o.quick}, {"verdict", verdict},
                              {"complete", !stopped}, {"stopped", stopped ? nlohmann::json(*stopped) : nlohmann::json(nullptr)},
                              {"cases_in_suite", cases_in_suite},
                              {"seconds", std::to_string(total)}, {"cases", nlohmann::json::array()}};
    std::ostringstream md, html;
    const std::string incomplete =
        stopped ? "INCOMPLETE: stopped (" + *stopped + ") after " + std::to_string(outcomes.size()) + " of " +
                      std::to_string(cases_in_suite) + " cases; the last case's unreached levels are inconclusive."
                : "";
    md << "# lpcert: the paper's claims, reproduced\n\n" << (stopped ? "**" + incomplete + "**\n\n" : "")
       << "Verdict: **" << verdict << "** (" << outcomes.size()
       << " cases, " << std::fixed << std::setprecision(1) << total << " s). For every case and level, the L^p error of the "
       << "readout Phi_l of the built network is enclosed rigorously and compared with (2d+1) times a certified "
       << "lower bound of omega_f(N^-l)_p (inequality (T)); the Lipschitz rate (2d+1) Lip N^-l is checked where f "
       << "is Lipschitz; the width must equal 2dN+d+2 and the network for L-1 levels must be a prefix of the "
       << "network for L.\n\n|";
    html << "<h1>lpcert: the paper's claims, reproduced</h1>\n"
         << (stopped ? "<p class=\"not_certified\">" + xml_escape(incomplete) + "</p>\n" : "") << "<p>Verdict: <span class=\"" << verdict << "\">"
         << verdict << "</span> (" << outcomes.size() << " cases, " << std::fixed << std::setprecision(1) << total
         << " s).</p>\n<table><thead><tr>";
    for (const char* h : kHeader) {
        md << " " << h << " |";
        html << "<th>" << h << "</th>";
    }
    md << "\n|";
    for (size_t k = 0; k < std::size(kHeader); ++k) md << "---|";
    md << "\n";
    html << "</tr></thead><tbody>\n";
    for (const auto& out : outcomes) {
        md << summary_row(out, true) << "\n";
        html << summary_row(out, false) << "\n";
        summary["cases"].push_back({{"name", out.c.name},
                                    {"certificate", "certificates/" + out.c.name + ".json"},
                                    {"verdict", out.certificate["verdict"]},
                                    {"seconds", std::to_string(out.seconds)},
                                    {"regression", out.regression.empty() ? nlohmann::json(nullptr) : nlohmann::json(out.regression)}});
    }
    html << "</tbody></table>\n";
    // The corollaries (Hoelder rate, Corollary 2.3), read off the certificates and the network sizes.
    std::vector<CorollaryCase> corollary_cases;
    for (const auto& out : outcomes) corollary_cases.push_back(CorollaryCase{out.c.name, &out.certificate, &out.sizes});
    const CorollarySections corollaries = corollary_sections(corollary_cases);
    md << "\n" << corollaries.markdown;
    html << corollaries.html;
    summary["corollaries"] = corollaries.json;
    html << "<h2>Certified errors per case</h2>\n<div class=\"plots\">";
    md << "## Per case\n\n";
    for (const auto& out : outcomes) {
        const std::string svg = error_plot_svg(out.certificate, 520, 330);
        write_text_file(o.out + "/certificates/" + out.c.name + ".svg", svg);
        html << svg;
        md << "### " << out.c.name << "\n\n" << levels_markdown(out.certificate) << "\n![" << out.c.name
           << "](certificates/" << out.c.name << ".svg)\n\n";
    }
    html << "</div>\n";
    const std::string both = both_constructions_plots(outcomes, o.out, md);
    if (!both.empty()) {
        html << "<h2>Floor-ReLU and sine-ReLU side by side</h2>\n<p>Certified error upper bounds of the two "
                "networks built from the same cell values, against the same bound.</p>\n<div class=\"plots\">"
             << both << "</div>\n";
    }
    const std::string ramp = stopped ? "" : ramp_section(outcomes, o.out, md);   // it rebuilds two networks
    if (!ramp.empty()) html << ramp;
    write_text_file(o.out + "/summary.md", md.str());
    write_text_file(o.out + "/summary.html", html_page("lpcert reproduce", html.str()));
    write_json(summary, o.out + "/summary.json");
}

}  // namespace

int run_reproduce(const SuiteOptions& o) {
    auto say = [&](const std::string& line) {
        if (o.on_line) o.on_line(line);
    };
    const auto start = std::chrono::steady_clock::now();
    const auto suite = reproduce_suite(o.quick);
    std::vector<CaseOutcome> outcomes;
    if (!o.out.empty()) std::filesystem::create_directories(o.out + "/certificates");
    bool all = true;
    std::optional<std::string> stopped;   // a budget or Ctrl-C ended the suite early
    for (size_t k = 0; k < suite.size(); ++k) {
        CaseOutcome out = run_case(o, suite[k], k, suite.size());
        if (!o.out.empty()) write_json(out.certificate, o.out + "/certificates/" + out.c.name + ".json");
        all = all && out.certified && out.regression.empty();
        if (o.progress) o.progress("", 0, 0);
        std::ostringstream line;
        line << std::left << std::setw(30) << out.c.name << " " << std::setw(14) << out.certificate["verdict"].get<std::string>()
             << std::fixed << std::setprecision(1) << out.seconds << " s"
             << (out.regression.empty() ? "" : "  REGRESSION: " + out.regression);
        say(line.str());
        const std::optional<std::string> case_stopped = out.stopped;
        outcomes.push_back(std::move(out));
        if (case_stopped) {
            stopped = case_stopped;
            all = false;
            say("stopped: " + *stopped + "; " + std::to_string(suite.size() - k - 1) + " cases not run (incomplete)");
            break;
        }
    }
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string verdict = all ? "certified" : "not_certified";
    std::ostringstream line;
    line << "reproduce" << (o.quick ? " --quick" : "") << ": " << outcomes.size() << " cases, verdict " << verdict << " ("
         << std::fixed << std::setprecision(1) << total << " s)";
    say(line.str());
    if (!o.out.empty()) {
        write_summary(o, suite.size(), outcomes, verdict, stopped, total);
        say("report: " + o.out + "/summary.html (and summary.md, summary.json, certificates/)");
    }
    return all ? 0 : 1;
}

}  // namespace lpcert
