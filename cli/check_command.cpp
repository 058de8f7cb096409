// `verify check FILE`.

#include <iostream>

#include "quadrature/errors.hpp"
#include "verify/check.hpp"
#include "cli/commands.hpp"
#include "verify/json_io.hpp"
#include "verify/network_certification.hpp"
#include "cli/progress.hpp"

namespace lpcert {

int command_check(const CommandLine& c, const StopToken& stop) {
    if (c.arguments.size() != 1) throw InputError("check: give exactly one certificate file (verify check FILE)");
    const nlohmann::json cert = read_json_file(c.arguments[0]);
    if (cert.is_object() && cert.contains("schema") && cert["schema"] == "lpcert-network-certificate/1") {
        // a certificate of a given network: its "file" may be relative to the certificate's directory
        const std::string& path = c.arguments[0];
        const size_t slash = path.find_last_of('/');
        Progress progress(c.quiet);
        const CheckOutcome o = check_network_certificate(
            cert, JobOptions{c.threads, [&](const std::string& s, long d, long t) { progress.update(s, d, t); }}, stop,
            slash == std::string::npos ? "." : path.substr(0, slash));
        progress.finish();
        if (o.passed) {
            std::cout << "check: " << path << " is consistent with an independent recomputation (" << o.levels_checked << " readouts)"
                      << (cert["complete"] == false ? "; the certificate is incomplete (stopped early)" : "") << "\n";
            return 0;
        }
        std::cout << "check: " << path << " REJECTED: " << o.first_failure << "\n";
        return 1;
    }
    if (cert.is_object() && cert.contains("complete") && cert["complete"] == false && cert.contains("parameters") &&
        cert["parameters"].is_object() && cert["parameters"].contains("eta") && cert["parameters"]["eta"].is_null()) {
        std::cout << "check: " << c.arguments[0] << " was stopped before its network was built; it certifies nothing\n";
        return 1;
    }
    Progress progress(c.quiet);
    const CheckOutcome o = check_certificate(
        cert, JobOptions{c.threads, [&](const std::string& s, long d, long t) { progress.update(s, d, t); }}, stop);
    progress.finish();
    if (o.passed) {
        std::cout << "check: " << c.arguments[0] << " is consistent with an independent recomputation (" << o.levels_checked
                  << " levels)" << (cert["complete"] == false ? "; the certificate is incomplete (stopped early)" : "")
                  << "\n";
        return 0;
    }
    std::cout << "check: " << c.arguments[0] << " REJECTED: " << o.first_failure << "\n";
    return 1;
}

}  // namespace lpcert
