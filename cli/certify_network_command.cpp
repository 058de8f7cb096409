// `verify certify-network FILE (--f EXPR | --function NAME) --p P|inf [--domain ...]`: rigorous
// enclosures of ||f - Phi_i|| and ||Phi_i|| for every readout of a given network, and the verdict
// between consecutive readouts (verify/network_certification.hpp).

#include <filesystem>
#include <iomanip>
#include <iostream>

#include "cli/json_output.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "reports/report.hpp"
#include "reports/svg_plot.hpp"
#include "verify/json_io.hpp"
#include "verify/network_certification.hpp"
#include "verify/sha256.hpp"

namespace lpcert {

namespace {

// DIR/report.md, DIR/report.html, DIR/error.svg, DIR/certificate.json: the table and the error per
// readout on a log scale, the enclosure drawn as a band (reports/report.hpp, network_error_plot_svg;
// display values of the certified decimals: the plot proves nothing, the certificate does).
void write_network_report(const std::string& dir, const nlohmann::json& cert) {
    std::string md = "# certify-network: " + cert["network"]["file"].get<std::string>() + "\n\nf = `" +
                     cert["function"].get<std::string>() + "`, p = " + cert["p"].get<std::string>() + ", domain " +
                     cert["domain"].dump() + ", tol " + cert["tol"].get<std::string>() + "\n\n" +
                     "| readout | error lower | error upper | norm lower | norm upper | to the next |\n|---|---|---|---|---|---|\n";
    std::string rows;
    const auto& readouts = cert["readouts"];
    for (size_t i = 0; i < readouts.size(); ++i) {
        const auto& r = readouts[i];
        const std::string verdict = i < cert["pairs"].size() ? cert["pairs"][i]["verdict"].get<std::string>() : "";
        md += "| " + std::to_string(i) + " | " + r["error"]["lower"].get<std::string>() + " | " + r["error"]["upper"].get<std::string>() +
              " | " + r["norm"]["lower"].get<std::string>() + " | " + r["norm"]["upper"].get<std::string>() + " | " + verdict + " |\n";
        rows += "<tr><td>" + std::to_string(i) + "</td><td>" + r["error"]["lower"].get<std::string>() + "</td><td>" +
                r["error"]["upper"].get<std::string>() + "</td><td>" + r["norm"]["lower"].get<std::string>() + "</td><td>" +
                r["norm"]["upper"].get<std::string>() + "</td><td>" + xml_escape(verdict) + "</td></tr>\n";
    }
    if (!cert["stopped"].is_null()) md += "\nstopped: " + cert["stopped"].get<std::string>() + " (incomplete)\n";
    bool clipped = false;
    const std::string svg = network_error_plot_svg(cert, &clipped);
    const std::string caption = network_error_plot_caption(clipped);
    md += "\n![error per readout](error.svg)\n\n" + caption + "\n";
    const std::string body = "<h1>certify-network: " + xml_escape(cert["network"]["file"].get<std::string>()) + "</h1><p>f = <code>" +
                             xml_escape(cert["function"].get<std::string>()) + "</code>, p = " + xml_escape(cert["p"].get<std::string>()) +
                             "</p><table><tr><th>readout</th><th>error lower</th><th>error upper</th><th>norm lower</th><th>norm "
                             "upper</th><th>to the next</th></tr>\n" + rows + "</table>\n" + svg + "<p>" + xml_escape(caption) + "</p>\n";
    std::filesystem::create_directories(dir);
    write_text_file(dir + "/report.md", md);
    write_text_file(dir + "/error.svg", svg);
    write_text_file(dir + "/report.html", html_page("certify-network", body));
    emit_json(cert, dir + "/certificate.json");
}

}  // namespace

int command_certify_network(const CommandLine& c, const StopToken& stop) {
    if (c.arguments.size() != 1) throw InputError("certify-network: give exactly one network file (verify certify-network FILE --f EXPR)");
    NetworkCertificationRequest q = network_request(
        c.arguments[0], c.function_name.empty() ? std::nullopt : std::optional<std::string>(c.function_name),
        c.function_name.empty() && !c.function_text.empty() ? std::optional<std::string>(c.function_text) : std::nullopt, c.p,
        c.domain, c.tol, c.prec > 0 ? c.prec : 0);

    Progress progress(c.quiet);
    const NetworkCertificationOutcome o = certify_network(
        q, JobOptions{c.threads, [&](const std::string& s, long d, long t) { progress.update(s, d, t); }}, stop);
    progress.finish();

    const auto& cert = o.certificate;
    std::cout << "lpcert certify-network: " << q.file << " (" << q.format << ", " << q.net.d << " inputs, " << q.net.readouts.size()
              << " readouts), f = " << q.function_label << ", p = " << q.p.text() << ", domain ";
    for (size_t i = 0; i < cert["domain"].size(); ++i)
        std::cout << (i ? " x " : "") << "[" << cert["domain"][i][0].get<std::string>() << ", " << cert["domain"][i][1].get<std::string>() << "]";
    std::cout << "\n" << std::left << std::setw(9) << "readout" << std::setw(46) << "||f - Phi_i|| in" << std::setw(46)
              << "||Phi_i|| in" << "to the next\n";
    for (size_t i = 0; i < o.readouts.size(); ++i) {
        const auto& r = o.readouts[i];
        std::string status = r.error_status == "converged" && r.norm_status == "converged" ? "" : " (" + r.error_status + "/" + r.norm_status + ")";
        std::cout << std::setw(9) << r.index << std::setw(46) << to_string(r.error, 10) << std::setw(46) << to_string(r.norm, 10)
                  << (i < o.verdicts.size() ? verdict_name(o.verdicts[i]) : "") << status << "\n";
    }
    if (o.stopped) std::cout << "stopped: " << *o.stopped << "; readouts not reached are not certified (incomplete)\n";
    std::cout << "verdict: " << (o.all_decided() ? "every pair decided" : "NOT every pair decided") << "  (" << std::fixed
              << std::setprecision(1) << o.seconds << " s)\n";
    if (!c.json.empty()) emit_json(cert, c.json);
    if (!c.out.empty()) write_network_report(c.out, cert);
    return o.all_decided() ? 0 : 1;
}

}  // namespace lpcert
