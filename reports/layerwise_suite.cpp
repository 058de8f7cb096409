#include "reports/layerwise_suite.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>

#include "quadrature/errors.hpp"
#include "quadrature/expression.hpp"
#include "reports/report.hpp"
#include "reports/svg_plot.hpp"
#include "verify/json_io.hpp"
#include "verify/network_certification.hpp"
#include "verify/sha256.hpp"

namespace lpcert {

std::vector<LayerwiseNetwork> read_layerwise_manifest(const std::string& data_dir) {
    const std::string path = data_dir + "/manifest.json";
    if (!std::filesystem::exists(path)) throw InputError("layerwise suite: no manifest " + path);
    const nlohmann::json m = read_json_file(path);
    if (!m.contains("networks") || !m["networks"].is_array()) throw InputError(path + ": no \"networks\" array");
    std::vector<LayerwiseNetwork> out;
    for (const auto& n : m["networks"]) {
        try {
            LayerwiseNetwork x{n.at("file").get<std::string>(), n.at("scheme").get<std::string>(),
                               n.at("function").get<std::string>(), n.at("expression").get<std::string>(),
                               n.at("d").get<int>(), n.at("readouts").get<int>()};
            if (x.scheme != "mgdl" && x.scheme != "lpa" && x.scheme != "end-to-end")
                throw InputError(path + ": " + x.file + ": scheme \"" + x.scheme + "\" is not mgdl, lpa or end-to-end");
            out.push_back(std::move(x));
        } catch (const nlohmann::json::exception& e) {
            throw InputError(path + ": a network entry lacks file/scheme/function/expression/d/readouts (" + e.what() + ")");
        }
    }
    return out;
}

std::string compare_network_certificates(const nlohmann::json& now, const nlohmann::json& stored) {
    for (const char* key : {"p", "expression"}) {
        if (now.value(key, "") != stored.value(key, ""))
            return std::string(key) + " differs: " + now.value(key, "?") + " now, " + stored.value(key, "?") + " stored";
    }
    const auto& a = now["readouts"];
    const auto& b = stored["readouts"];
    if (!a.is_array() || !b.is_array() || a.size() != b.size()) return "number of readouts changed";
    const auto& pa = now["pairs"];
    const auto& pb = stored["pairs"];
    if (!pa.is_array() || !pb.is_array() || pa.size() != pb.size()) return "number of pairs changed";
    for (size_t i = 0; i < pa.size(); ++i) {
        if (pa[i].value("verdict", "") != pb[i].value("verdict", "")) {
            return "pair " + std::to_string(i) + " -> " + std::to_string(i + 1) + ": verdict changed from " +
                   pb[i].value("verdict", "?") + " to " + pa[i].value("verdict", "?");
        }
    }
    const Precision prec(256);
    for (size_t i = 0; i < a.size(); ++i) {
        for (const char* key : {"error", "norm"}) {
            const std::string where = "readout " + std::to_string(i) + " " + key;
            const Interval x = enclosure_from_json(a[i][key], where, prec);
            const Interval y = enclosure_from_json(b[i][key], where, prec);
            if (!overlaps(x, y)) return where + ": enclosure " + to_string(x, 8) + " no longer meets " + to_string(y, 8);
        }
    }
    return "";
}

namespace {

const char* kMgdlClaim =
    "MGDL (multi-grade deep learning, arXiv:2601.16884): the grades are trained one after another, each on the "
    "residual of the previous ones with the earlier grades frozen, and the residual error decreases across grades.";
const char* kLpaClaim =
    "LPA (arXiv:2604.24154): a readout per layer, trained with one loss over every readout, gives an error that "
    "decreases monotonically with depth (unlike the intermediate readouts of an end-to-end trained twin).";

// One certification: a network at one norm.
struct NormOutcome {
    std::string p;
    nlohmann::json certificate;
    std::string claim;        // certified | refuted | undecided
    std::string why;          // the refuting pair with its enclosures, or why undecided
    std::string regression;   // "" = none
    double seconds = 0;
};

struct NetworkOutcome {
    LayerwiseNetwork n;
    std::vector<NormOutcome> norms;
};

Interval error_of(const nlohmann::json& cert, size_t i) {
    return enclosure_from_json(cert["readouts"][i]["error"], "readout " + std::to_string(i), Precision(128));
}

// The claim "errors decrease with the readout index" read off the certificate's verdicts.
void decide_claim(NormOutcome& o) {
    const auto& c = o.certificate;
    std::string undecided;
    for (const auto& pair : c["pairs"]) {
        const size_t i = pair["from"].get<size_t>(), j = pair["to"].get<size_t>();
        const std::string v = pair["verdict"].get<std::string>();
        const std::string witness = "readout " + std::to_string(i) + " " + to_string(error_of(c, i), 6) + " -> readout " +
                                    std::to_string(j) + " " + to_string(error_of(c, j), 6);
        if (v == "increases") {
            o.claim = "refuted";
            o.why = "increases: " + witness;
            return;
        }
        if (v == "undecided" && undecided.empty()) undecided = "the enclosures overlap: " + witness;
    }
    if (!c["stopped"].is_null() || !c["complete"].get<bool>()) {
        o.claim = "undecided";
        o.why = "stopped before every readout was enclosed";
    } else if (!undecided.empty()) {
        o.claim = "undecided";
        o.why = undecided;
    } else {
        o.claim = "certified";
        o.why = "every pair decreases";
    }
}

std::string certificate_name(const LayerwiseNetwork& n, const std::string& p) {
    return std::filesystem::path(n.file).stem().string() + "_p" + p + ".json";
}

NormOutcome run_one(const LayerwiseSuiteOptions& o, const LayerwiseNetwork& n, const std::string& p, const std::string& stage) {
    NetworkCertificationRequest q;
    const std::string path = o.data_dir + "/" + n.file;
    q.file = n.file;   // relative: the certificate does not depend on where the data directory is
    q.net = read_network_file(path, q.format);
    q.sha256 = sha256_of_file(path);
    q.function_label = n.function;
    q.f = Expression::parse(n.expression);
    q.f.require_dimension(q.net.d);
    q.p = ExponentOrInfinity::parse(p);
    q.tol = o.tol;
    auto progress = [&](const std::string& s, long done, long total) {
        if (o.progress) o.progress(stage + ": " + s, done, total);
    };
    const NetworkCertificationOutcome r = certify_network(q, JobOptions{o.threads, progress}, o.stop);
    if (o.progress) o.progress("", 0, 0);
    NormOutcome out{p, r.certificate, "", "", "", r.seconds};
    decide_claim(out);
    if (!o.compare.empty()) {
        const std::string stored = o.compare + "/" + certificate_name(n, p);
        out.regression = std::filesystem::exists(stored) ? compare_network_certificates(out.certificate, read_json_file(stored))
                                                         : "no stored certificate " + stored;
    }
    return out;
}

// ---- the summary ----

std::string enclosure_text(const nlohmann::json& e) {
    return to_string(enclosure_from_json(e, "error", Precision(128)), 6);
}

double display(const nlohmann::json& decimal) { return std::strtod(decimal.get<std::string>().c_str(), nullptr); }

// The enclosure of ||f - Phi_i|| per readout as a band (display values of the certified decimals:
// the plot proves nothing, the certificates do); a zero lower end is clipped at the plot's floor.
void add_band(std::vector<PlotBand>& bands, const nlohmann::json& cert, const std::string& label, const std::string& colour) {
    PlotBand band{label, colour, {}, 0.25};
    for (const auto& r : cert["readouts"])
        band.points.push_back({r["index"].get<double>(), display(r["error"]["lower"]), display(r["error"]["upper"])});
    bands.push_back(std::move(band));
}

std::string norm_label(const std::string& p) { return p == "inf" ? "sup norm" : "L^" + p; }

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::string markdown() const {
        std::ostringstream s;
        s << "|";
        for (const auto& h : header) s << " " << h << " |";
        s << "\n|";
        for (size_t k = 0; k < header.size(); ++k) s << "---|";
        s << "\n";
        for (const auto& r : rows) {
            s << "|";
            for (const auto& x : r) s << " " << x << " |";
            s << "\n";
        }
        return s.str();
    }
    std::string html() const {
        std::ostringstream s;
        s << "<table><thead><tr>";
        for (const auto& h : header) s << "<th>" << xml_escape(h) << "</th>";
        s << "</tr></thead><tbody>\n";
        for (const auto& r : rows) {
            s << "<tr>";
            for (const auto& x : r) {
                const bool verdict = x == "certified" || x == "refuted" || x == "undecided";
                s << "<td" << (verdict ? " class=\"" + std::string(x == "certified" ? "certified" : "not_certified") + "\"" : "") << ">"
                  << xml_escape(x) << "</td>";
            }
            s << "</tr>\n";
        }
        s << "</tbody></table>\n";
        return s.str();
    }
};

// The per-readout table of one network: certified error per norm and the verdict to the next.
Table network_table(const NetworkOutcome& n) {
    Table t;
    t.header.push_back("readout");
    for (const auto& x : n.norms) t.header.push_back("error " + norm_label(x.p));
    for (const auto& x : n.norms) t.header.push_back("to the next (" + norm_label(x.p) + ")");
    size_t k = 0;
    for (const auto& x : n.norms) k = std::max(k, x.certificate["readouts"].size());
    for (size_t i = 0; i < k; ++i) {
        std::vector<std::string> row{std::to_string(i)};
        for (const auto& x : n.norms)
            row.push_back(i < x.certificate["readouts"].size() ? enclosure_text(x.certificate["readouts"][i]["error"]) : "-");
        for (const auto& x : n.norms)
            row.push_back(i < x.certificate["pairs"].size() ? x.certificate["pairs"][i]["verdict"].get<std::string>() : "");
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::string claims_text(const NetworkOutcome& n, bool markdown) {
    std::ostringstream s;
    for (const auto& x : n.norms) {
        const std::string line = norm_label(x.p) + ": " + x.claim + " (" + x.why + ")" +
                                 (x.regression.empty() ? "" : "; REGRESSION: " + x.regression);
        if (markdown) {
            s << "- " << norm_label(x.p) << ": **" << x.claim << "** (" << x.why << ")"
              << (x.regression.empty() ? "" : "; REGRESSION: " + x.regression) << "\n";
        } else {
            s << "<li>" << xml_escape(line) << "</li>";
        }
    }
    return markdown ? s.str() : "<ul>" + s.str() + "</ul>\n";
}

const NetworkOutcome* find_network(const std::vector<NetworkOutcome>& all, const std::string& scheme, const std::string& function,
                                   int d) {
    for (const auto& n : all)
        if (n.n.scheme == scheme && n.n.function == function && n.n.d == d) return &n;
    return nullptr;
}

const NormOutcome* find_norm(const NetworkOutcome* n, const std::string& p) {
    if (!n) return nullptr;
    for (const auto& x : n->norms)
        if (x.p == p) return &x;
    return nullptr;
}

struct Report {
    std::ostringstream md, html;
    std::string dir;
    void section(const NetworkOutcome& n) {
        const std::string title = n.n.file + " (" + n.n.scheme + ", " + n.n.function + ", d = " + std::to_string(n.n.d) + ")";
        const Table t = network_table(n);
        md << "### " << title << "\n\nf = `" << n.n.expression << "`\n\n" << t.markdown() << "\n" << claims_text(n, true) << "\n";
        html << "<h3>" << xml_escape(title) << "</h3>\n<p>f = <code>" << xml_escape(n.n.expression) << "</code></p>\n"
             << t.html() << claims_text(n, false);
    }
    std::vector<std::string> clipped;   // plots whose band was clipped at the floor
    // One plot (SVG file, Markdown link, inline in the HTML).
    void plot(const std::string& name, const std::string& title, const std::vector<PlotBand>& bands) {
        bool clip = false;
        const std::string svg =
            render_svg(PlotSpec{title, "readout i", "certified ||f - Phi_i|| (log scale)", true, 520, 330}, {}, bands, &clip);
        if (clip) clipped.push_back(name);
        write_text_file(dir + "/plots/" + name + ".svg", svg);
        md << "![" << name << "](plots/" << name << ".svg)\n\n";
        html << svg << "\n";
    }
};

const std::vector<std::string>& colours() {
    static const std::vector<std::string> c = {"#1f77b4", "#c0392b", "#27ae60", "#8e44ad"};
    return c;
}

void write_summary(const LayerwiseSuiteOptions& o, const std::vector<NetworkOutcome>& outcomes, size_t networks_in_suite,
                   const std::vector<std::string>& norms, const std::optional<std::string>& stopped, double total) {
    nlohmann::json summary = {{"schema", "lpcert-layerwise/1"}, {"quick", o.quick}, {"tol", o.tol},
                              {"networks", nlohmann::json::array()}, {"networks_in_suite", networks_in_suite},
                              {"complete", !stopped}, {"stopped", stopped ? nlohmann::json(*stopped) : nlohmann::json(nullptr)},
                              {"seconds", std::to_string(total)}};
    for (const auto& n : outcomes) {
        nlohmann::json entry = {{"file", n.n.file}, {"scheme", n.n.scheme}, {"function", n.n.function},
                                {"expression", n.n.expression}, {"d", n.n.d}, {"readouts", n.n.readouts},
                                {"claim", n.n.scheme == "mgdl" ? "mgdl" : "lpa"}, {"norms", nlohmann::json::object()}};
        for (const auto& x : n.norms) {
            nlohmann::json errors = nlohmann::json::array();
            for (const auto& r : x.certificate["readouts"]) errors.push_back({{"lower", r["error"]["lower"]}, {"upper", r["error"]["upper"]}});
            nlohmann::json pairs = nlohmann::json::array();
            for (const auto& pr : x.certificate["pairs"]) pairs.push_back({{"from", pr["from"]}, {"to", pr["to"]}, {"verdict", pr["verdict"]}});
            entry["norms"][x.p] = {{"errors", errors}, {"pairs", pairs}, {"claim", x.claim}, {"why", x.why},
                                   {"certificate", "certificates/" + certificate_name(n.n, x.p)},
                                   {"seconds", std::to_string(x.seconds)},
                                   {"regression", x.regression.empty() ? nlohmann::json(nullptr) : nlohmann::json(x.regression)}};
        }
        summary["networks"].push_back(entry);
    }
    write_json(summary, o.out + "/summary.json");

    Report r;
    r.dir = o.out;
    std::filesystem::create_directories(o.out + "/plots");
    std::ostringstream secs;
    secs << std::fixed << std::setprecision(1) << total;
    const std::string incomplete = stopped ? "INCOMPLETE: stopped (" + *stopped + ") after " + std::to_string(outcomes.size()) +
                                                 " of " + std::to_string(networks_in_suite) + " networks."
                                           : "";
    std::string norm_list;
    for (const auto& p : norms) norm_list += (norm_list.empty() ? "" : ", ") + norm_label(p);
    const std::string intro =
        "Every trained network of tests/data/layerwise" + std::string(o.quick ? " with d = 1 (quick suite)" : "") +
        " is certified against its target f over [0,1]^d in the norms " + norm_list + " (not normalised by the volume; tol " +
        o.tol + "): for each readout Phi_i a rigorous enclosure of ||f - Phi_i||, and between consecutive readouts the "
        "verdict decreases / increases / undecided read off the enclosures. A claim is certified for a network and a norm "
        "when every pair decreases, refuted when some pair increases (the two enclosures are the witness), undecided "
        "otherwise. A refuted claim is a RESULT of this suite, not a failure: the exit status is 0 whenever every "
        "certification completed (and, with --compare, nothing regressed). " +
        std::to_string(outcomes.size()) + " networks, " + secs.str() + " s.";
    r.md << "# lpcert: layer-wise training claims, certified\n\n" << (stopped ? "**" + incomplete + "**\n\n" : "") << intro << "\n\n";
    r.html << "<h1>lpcert: layer-wise training claims, certified</h1>\n"
           << (stopped ? "<p class=\"not_certified\">" + xml_escape(incomplete) + "</p>\n" : "") << "<p>" << xml_escape(intro) << "</p>\n";

    // overview
    Table overview;
    overview.header = {"network", "scheme", "claim checked", "function", "d"};
    for (const auto& p : norms) overview.header.push_back(norm_label(p));
    for (const auto& n : outcomes) {
        std::vector<std::string> row{n.n.file, n.n.scheme, n.n.scheme == "mgdl" ? "MGDL" : "LPA", n.n.function, std::to_string(n.n.d)};
        for (const auto& p : norms) {
            const NormOutcome* x = find_norm(&n, p);
            row.push_back(x ? x->claim + (x->regression.empty() ? "" : " (REGRESSION)") : "-");
        }
        overview.rows.push_back(std::move(row));
    }
    r.md << "## Overview\n\n" << overview.markdown() << "\n";
    r.html << "<h2>Overview</h2>\n" << overview.html();

    // MGDL
    r.md << "## MGDL: errors decrease across grades\n\n" << kMgdlClaim << " Readout i is the sum of grades 0..i.\n\n";
    r.html << "<h2>MGDL: errors decrease across grades</h2>\n<p>" << xml_escape(kMgdlClaim) << " Readout i is the sum of grades 0..i.</p>\n";
    for (const auto& n : outcomes) {
        if (n.n.scheme != "mgdl") continue;
        r.section(n);
        r.html << "<div class=\"plots\">";
        for (const auto& x : n.norms) {
            std::vector<PlotBand> bands;
            add_band(bands, x.certificate, "MGDL", colours()[0]);
            r.plot(std::filesystem::path(n.n.file).stem().string() + "_p" + x.p,
                   n.n.function + " (d = " + std::to_string(n.n.d) + "), MGDL, " + norm_label(x.p), bands);
        }
        r.html << "</div>\n";
    }

    // LPA, with the end-to-end twins
    r.md << "## LPA: errors decrease with depth\n\n" << kLpaClaim
         << " The claim is checked on the LPA networks and on their end-to-end twins (same architecture, trained on the "
            "last readout only), where it is expected to fail.\n\n";
    r.html << "<h2>LPA: errors decrease with depth</h2>\n<p>" << xml_escape(kLpaClaim)
           << " The claim is checked on the LPA networks and on their end-to-end twins (same architecture, trained on the "
              "last readout only), where it is expected to fail.</p>\n";
    std::vector<std::pair<std::string, int>> functions;   // in manifest order, each once
    for (const auto& n : outcomes) {
        if (n.n.scheme == "mgdl") continue;
        const std::pair<std::string, int> key{n.n.function, n.n.d};
        if (std::find(functions.begin(), functions.end(), key) == functions.end()) functions.push_back(key);
    }
    for (const auto& [function, d] : functions) {
        const NetworkOutcome* lpa = find_network(outcomes, "lpa", function, d);
        const NetworkOutcome* e2e = find_network(outcomes, "end-to-end", function, d);
        if (lpa) r.section(*lpa);
        if (e2e) r.section(*e2e);
        r.html << "<div class=\"plots\">";
        for (const auto& p : norms) {
            std::vector<PlotBand> bands;
            if (const NormOutcome* x = find_norm(lpa, p)) add_band(bands, x->certificate, "LPA", colours()[0]);
            if (const NormOutcome* x = find_norm(e2e, p)) add_band(bands, x->certificate, "end-to-end", colours()[1]);
            if (bands.empty()) continue;
            r.plot("lpa_vs_end-to-end_" + function + "_d" + std::to_string(d) + "_p" + p,
                   function + " (d = " + std::to_string(d) + "), LPA and end-to-end, " + norm_label(p), bands);
        }
        r.html << "</div>\n";
    }
    std::string caption =
        "Plots: the certified enclosure of ||f - Phi_i|| per readout as a translucent band from its lower to its upper "
        "end, with the line of upper ends on top (LPA blue, its end-to-end twin red, MGDL blue; display values of the "
        "certified decimals, log scale).";
    if (r.clipped.empty()) {
        caption += " No lower end is 0: no band is clipped.";
    } else {
        std::string names;
        for (const auto& n : r.clipped) names += (names.empty() ? "" : ", ") + n;
        caption += " A lower end 0 (or not positive) cannot be drawn on a log scale: the band is clipped at the plot's "
                   "floor there, in " + names + ".";
    }
    r.md << caption << "\n";
    r.html << "<p>" << xml_escape(caption) << "</p>\n";
    write_text_file(o.out + "/summary.md", r.md.str());
    write_text_file(o.out + "/summary.html", html_page("lpcert layer-wise suite", r.html.str()));
}

}  // namespace

int run_layerwise_suite(const LayerwiseSuiteOptions& o) {
    auto say = [&](const std::string& line) {
        if (o.on_line) o.on_line(line);
    };
    const auto start = std::chrono::steady_clock::now();
    std::vector<LayerwiseNetwork> suite;
    for (auto& n : read_layerwise_manifest(o.data_dir))
        if (!o.quick || n.d == 1) suite.push_back(std::move(n));
    const std::vector<std::string> norms = o.quick ? std::vector<std::string>{"2", "inf"} : std::vector<std::string>{"1", "2", "inf"};
    if (!o.out.empty()) std::filesystem::create_directories(o.out + "/certificates");
    std::vector<NetworkOutcome> outcomes;
    bool ok = true;
    std::optional<std::string> stopped;
    std::map<std::string, int> claims;
    for (size_t k = 0; k < suite.size() && !stopped; ++k) {
        NetworkOutcome n{suite[k], {}};
        std::ostringstream line;
        line << std::left << std::setw(34) << n.n.file;
        double seconds = 0;
        for (const auto& p : norms) {
            const std::string stage = "[" + std::to_string(k + 1) + "/" + std::to_string(suite.size()) + "] " + n.n.file + " p=" + p;
            NormOutcome x = run_one(o, n.n, p, stage);
            if (!o.out.empty()) write_json(x.certificate, o.out + "/certificates/" + certificate_name(n.n, p));
            seconds += x.seconds;
            ok = ok && x.regression.empty() && x.certificate["complete"].get<bool>();
            ++claims[x.claim];
            line << " p=" << p << " " << x.claim;
            if (x.claim == "refuted") {
                const auto& c = x.certificate;
                for (const auto& pr : c["pairs"])
                    if (pr["verdict"] == "increases") {
                        line << " (" << pr["from"].get<int>() << "->" << pr["to"].get<int>() << " increases)";
                        break;
                    }
            }
            if (!x.regression.empty()) line << " [REGRESSION: " << x.regression << "]";
            if (!x.certificate["stopped"].is_null()) stopped = x.certificate["stopped"].get<std::string>();
            n.norms.push_back(std::move(x));
            if (stopped) break;
        }
        line << "  " << std::fixed << std::setprecision(1) << seconds << " s";
        say(line.str());
        outcomes.push_back(std::move(n));
        if (stopped) {
            ok = false;
            say("stopped: " + *stopped + "; " + std::to_string(suite.size() - k - 1) + " networks not run (incomplete)");
        }
    }
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::ostringstream line;
    line << "reproduce --suite layerwise" << (o.quick ? " --quick" : "") << ": " << outcomes.size() << " networks, claims "
         << claims["certified"] << " certified, " << claims["refuted"] << " refuted, " << claims["undecided"] << " undecided; "
         << (ok ? "every certification completed" : stopped ? "INCOMPLETE" : "REGRESSION") << " (" << std::fixed
         << std::setprecision(1) << total << " s)";
    say(line.str());
    if (!o.out.empty()) {
        write_summary(o, outcomes, suite.size(), norms, stopped, total);
        say("report: " + o.out + "/summary.html (and summary.md, summary.json, certificates/, plots/)");
    }
    return ok ? 0 : 1;
}

}  // namespace lpcert
