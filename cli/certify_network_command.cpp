// `verify certify-network FILE (--f EXPR | --function NAME) --p P|inf [--domain ...]`: rigorous
// enclosures of ||f - Phi_i|| and ||Phi_i|| for every readout of a given network, and the verdict
// between consecutive readouts (verify/network_certification.hpp).

#include <iomanip>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "verify/json_io.hpp"
#include "verify/network_certification.hpp"
#include "verify/sha256.hpp"

namespace lpcert {

int command_certify_network(const CommandLine& c, const StopToken& stop) {
    if (c.arguments.size() != 1) throw InputError("certify-network: give exactly one network file (verify certify-network FILE --f EXPR)");
    if (c.function_text.empty()) throw InputError("missing target function: give --f EXPR or --function NAME");
    NetworkCertificationRequest q;
    q.file = c.arguments[0];
    q.net = read_network_file(q.file, q.format);
    q.sha256 = sha256_of_file(q.file);
    std::string text = c.function_text;
    if (!c.function_name.empty()) {   // a catalog function, in the network's dimension
        const auto entry = find_in_catalog(c.function_name);
        if (q.net.d < entry->min_dimension || q.net.d > entry->max_dimension) {
            throw InputError("--function " + c.function_name + ": needs d in " + std::to_string(entry->min_dimension) + ".." +
                             std::to_string(entry->max_dimension) + ", the network has " + std::to_string(q.net.d) + " inputs");
        }
        text = entry->expression(q.net.d);
    }
    q.function_label = c.function_name.empty() ? text : c.function_name;
    q.f = Expression::parse(text);
    q.f.require_dimension(q.net.d);
    q.p = ExponentOrInfinity::parse(c.p);
    if (!c.domain.empty()) q.domain = parse_domain(c.domain, q.net.d);
    q.tol = c.tol;
    q.precision_bits = c.prec > 0 ? c.prec : 128;

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
    if (!c.json.empty()) write_json(cert, c.json);
    return o.all_decided() ? 0 : 1;
}

}  // namespace lpcert
