#include "reports/report.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "construction/cell_grid.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/evaluation.hpp"
#include "verify/json_io.hpp"

namespace lpcert {

namespace {

// Display value of a decimal string (plots only).
double display(const nlohmann::json& v) {
    if (!v.is_string()) return std::nan("");
    return std::strtod(v.get<std::string>().c_str(), nullptr);
}

std::string text_of(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : (v.is_null() ? "-" : v.dump()); }

std::string ratio_text(const nlohmann::json& level) {
    const double e = display(level["error"].is_object() ? level["error"]["upper"] : nlohmann::json());
    const double b = display(level["bound"]);
    if (!(b > 0) || !std::isfinite(e)) return "-";
    char s[32];
    std::snprintf(s, sizeof s, "%.3f", e / b);
    return s;
}

double to_display(const Dyadic& v) {
    mpfr_t x;
    mpfr_init2(x, 64);
    v.to_mpfr(x, MPFR_RNDN);
    const double d = mpfr_get_d(x, MPFR_RNDN);
    mpfr_clear(x);
    return d;
}

}  // namespace

void write_text_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".partial";
    {
        std::ofstream f(tmp, std::ios::binary);
        if (!f) throw InputError("--out: cannot write '" + path + "'");
        f << text;
    }
    std::filesystem::rename(tmp, path);
}

std::string error_plot_svg(const nlohmann::json& c, int width, int height) {
    PlotSeries upper{"error upper bound", "#c0392b", {}, false, false, true};
    PlotSeries lower{"error lower bound", "#e59866", {}, false, true, false};
    PlotSeries bound{"(2d+1) omega lower bound", "#1f618d", {}, false, false, true};
    PlotSeries lip{"(2d+1) Lip N^-l", "#27ae60", {}, false, true, true};
    for (const auto& l : c["levels"]) {
        const double x = l["level"].get<double>();
        if (l["error"].is_object()) {
            upper.points.emplace_back(x, display(l["error"]["upper"]));
            lower.points.emplace_back(x, display(l["error"]["lower"]));
        }
        bound.points.emplace_back(x, display(l["bound"]));
        if (!l["lipschitz_bound"].is_null()) lip.points.emplace_back(x, display(l["lipschitz_bound"]));
    }
    std::vector<PlotSeries> s{upper, lower, bound};
    if (!lip.points.empty()) s.push_back(lip);
    const auto& p = c["parameters"];
    PlotSpec spec{"||f - Phi_l||_p for " + text_of(p["function"]) + " (d=" + std::to_string(p["d"].get<int>()) +
                      ", N=" + std::to_string(p["N"].get<int>()) + ", p=" + text_of(p["p"]) + ")",
                  "level l", "L^p error (log scale)", true, width, height};
    return render_svg(spec, s);
}

std::string network_error_plot_svg(const nlohmann::json& c, bool* clipped, int width, int height) {
    PlotBand error{"||f - Phi_i||", "#1f77b4", {}, 0.25};
    PlotSeries norm{"||Phi_i|| upper end", "#ff7f0e", {}, false, true, true};
    for (const auto& r : c["readouts"]) {
        const double x = r["index"].get<double>();
        error.points.push_back({x, display(r["error"]["lower"]), display(r["error"]["upper"])});
        norm.points.emplace_back(x, display(r["norm"]["upper"]));
    }
    PlotSpec spec{"certified ||f - Phi_i|| per readout (p = " + text_of(c["p"]) + ")", "readout i", "norm (log scale)", true,
                  width, height};
    return render_svg(spec, {norm}, {error}, clipped);
}

std::string network_error_plot_caption(bool clipped) {
    return std::string("The band is the certified enclosure of ||f - Phi_i|| (from its lower to its upper end), the solid "
                       "line its upper ends; the dashed line the upper ends of ||Phi_i|| (display values of the certified "
                       "decimals; the certificate is the proof).") +
           (clipped ? " A lower end 0 cannot be drawn on the log scale: the band is clipped at the plot's floor there." : "");
}

std::string approximant_plot_svg(const Expression& f, const BuiltNetwork& built, int width, int height) {
    const int d = built.network.d, N = built.network.N;
    PointEvaluator pe(f, Precision(64));
    std::vector<PlotSeries> series;
    PlotSeries fs{"f", "#222222", {}, false, false, false};
    const int samples = 400;
    for (int k = 0; k <= samples; ++k) {
        std::vector<Real> x;
        for (int i = 0; i < d; ++i) {
            Real xi(Precision(64));
            if (i == 0) {
                mpfr_set_si(xi.raw(), k, MPFR_RNDN);
                mpfr_div_si(xi.raw(), xi.raw(), samples, MPFR_RNDN);
            } else {
                mpfr_set_d(xi.raw(), 0.5, MPFR_RNDN);
            }
            x.push_back(xi);
        }
        fs.points.emplace_back(static_cast<double>(k) / samples, pe.evaluate(x).approximate());
    }
    series.push_back(fs);
    const char* colors[] = {"#c0392b", "#1f618d", "#27ae60"};
    for (int l = 1; l <= std::min(3, built.network.levels); ++l) {
        const CellGrid grid(d, N, l, 64);
        PlotSeries ps{"Phi_" + std::to_string(l), colors[l - 1], {}, true, false, false};
        const long n = grid.per_axis();
        std::vector<long> k(static_cast<size_t>(d), std::min(n - 1, n / 2));   // the slice x_i = 1/2
        for (long j = 0; j < n; ++j) {
            k[0] = j;
            const double v = to_display(built.values.v[static_cast<size_t>(l)][static_cast<size_t>(grid.cell_index(k))]);
            ps.points.emplace_back(static_cast<double>(j) / n, v);
            ps.points.emplace_back(static_cast<double>(j + 1) / n, v);
        }
        series.push_back(ps);
    }
    PlotSpec spec{d == 1 ? "f and the readouts Phi_1..Phi_3" : "f and Phi_1..Phi_3 on the slice x2 = ... = xd = 1/2",
                  "x1", "value", false, width, height};
    return render_svg(spec, series);
}

std::string levels_markdown(const nlohmann::json& c) {
    std::ostringstream o;
    o << "| level | cells | error lower | error upper | omega lower | (2d+1) omega | (2d+1) Lip N^-l | ratio | status |\n"
         "|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& l : c["levels"]) {
        const bool has = l["error"].is_object();
        o << "| " << l["level"].get<int>() << " | " << l["cells"].get<long>() << " | "
          << (has ? text_of(l["error"]["lower"]) : "-") << " | " << (has ? text_of(l["error"]["upper"]) : "-") << " | "
          << text_of(l["omega_lower"]) << " | " << text_of(l["bound"]) << " | " << text_of(l["lipschitz_bound"]) << " | "
          << ratio_text(l) << " | " << text_of(l["status"]) << " |\n";
    }
    return o.str();
}

std::string levels_html(const nlohmann::json& c) {
    std::ostringstream o;
    o << "<table class=\"levels\"><thead><tr><th>level</th><th>cells</th><th>error lower</th><th>error upper</th>"
         "<th>omega lower</th><th>(2d+1) omega</th><th>(2d+1) Lip N<sup>-l</sup></th><th>ratio</th><th>status</th></tr>"
         "</thead><tbody>\n";
    for (const auto& l : c["levels"]) {
        const bool has = l["error"].is_object();
        const std::string status = text_of(l["status"]);
        o << "<tr><td>" << l["level"].get<int>() << "</td><td>" << l["cells"].get<long>() << "</td><td>"
          << (has ? text_of(l["error"]["lower"]) : "-") << "</td><td>" << (has ? text_of(l["error"]["upper"]) : "-")
          << "</td><td>" << text_of(l["omega_lower"]) << "</td><td>" << text_of(l["bound"]) << "</td><td>"
          << text_of(l["lipschitz_bound"]) << "</td><td>" << ratio_text(l) << "</td><td class=\"" << status << "\">"
          << status << "</td></tr>\n";
    }
    o << "</tbody></table>\n";
    return o.str();
}

std::string html_page(const std::string& title, const std::string& body) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + xml_escape(title) +
           "</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
           "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;font-size:13px;white-space:nowrap;"
           "text-align:right}th{background:#eee}.certified{color:#1e8449;font-weight:bold}.inconclusive{color:#b9770e;"
           "font-weight:bold}.refuted,.not_certified{color:#c0392b;font-weight:bold}code{background:#f4f4f4}"
           ".plots{display:flex;flex-wrap:wrap;gap:12px}</style></head>\n<body>\n" +
           body + "</body></html>\n";
}

void write_run_report(const std::string& dir, const nlohmann::json& c, const Expression& f, const BuiltNetwork& built) {
    std::filesystem::create_directories(dir);
    const auto& p = c["parameters"];
    const auto& a = c["architecture"];
    const std::string err_svg = error_plot_svg(c), approx_svg = approximant_plot_svg(f, built);
    write_text_file(dir + "/error.svg", err_svg);
    write_text_file(dir + "/approximants.svg", approx_svg);
    write_json(c, dir + "/certificate.json");

    std::ostringstream facts;
    facts << "width " << a["width"] << " (bound 2dN+d+2 = " << a["width_bound"] << "), depth " << a["depth"]
          << " (L(d+2)+1 = " << a["depth_expected"] << "), activations " << a["activations"].dump()
          << ", prefix nested: " << (a["prefix_nested"].get<bool>() ? "yes" : "no");
    const std::string verdict = c["verdict"].get<std::string>();
    const std::string incomplete = c.value("complete", true) ? ""
        : "INCOMPLETE: stopped (" + text_of(c["stopped"]) + "); levels not reached are inconclusive.";

    std::ostringstream md;
    md << "# lpcert report: " << text_of(p["function"]) << "\n\n"
       << (incomplete.empty() ? "" : "**" + incomplete + "**\n\n") << "Verdict: **" << verdict << "**. Every number is a rigorous, outward-rounded bound; `status` is "
       << "`certified` when the upper end of the error enclosure is at most (2d+1) times a certified lower bound "
       << "of the modulus of continuity.\n\n"
       << "- f = `" << text_of(p["expression"]) << "`, d = " << p["d"] << ", N = " << p["N"] << ", L = " << p["levels"]
       << ", p = " << text_of(p["p"]) << "\n- construction " << text_of(p["construction"]) << ", eta = `"
       << text_of(p["eta"]) << "`, b = " << p["digit_bits"] << ", tolerance " << text_of(p["tol"]) << ", precision "
       << p["precision_bits"] << " bits\n- architecture: " << facts.str() << "\n- Lipschitz constant: "
       << (c["lipschitz"].is_null() ? "none (f has a jump or no bound was found)" : "<= " + text_of(c["lipschitz"]["upper"]))
       << "\n\n" << levels_markdown(c) << "\n![error](error.svg)\n\n![approximants](approximants.svg)\n";
    write_text_file(dir + "/report.md", md.str());

    std::ostringstream body;
    body << "<h1>lpcert report: " << xml_escape(text_of(p["function"])) << "</h1>\n"
         << (incomplete.empty() ? "" : "<p class=\"not_certified\">" + xml_escape(incomplete) + "</p>\n")
         << "<p>Verdict: <span class=\"" << verdict
         << "\">" << verdict << "</span>. Every number is a rigorous, outward-rounded bound.</p>\n<ul><li>f = <code>"
         << xml_escape(text_of(p["expression"])) << "</code>, d = " << p["d"] << ", N = " << p["N"] << ", L = "
         << p["levels"] << ", p = " << xml_escape(text_of(p["p"])) << "</li><li>construction "
         << xml_escape(text_of(p["construction"])) << ", eta = <code>" << xml_escape(text_of(p["eta"])) << "</code>, b = "
         << p["digit_bits"] << "</li><li>architecture: " << xml_escape(facts.str()) << "</li></ul>\n"
         << levels_html(c) << "<div class=\"plots\">" << err_svg << approx_svg << "</div>\n";
    write_text_file(dir + "/report.html", html_page("lpcert report: " + text_of(p["function"]), body.str()));
}

}  // namespace lpcert
