// `verify run` and `verify construct`.

#include <iostream>

#include "cli/json_output.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/run_table.hpp"
#include "construction/network_io.hpp"
#include "quadrature/errors.hpp"
#include "reports/report.hpp"
#include "verify/certify_run.hpp"
#include "verify/json_io.hpp"

namespace lpcert {

int command_run(const CommandLine& c, const StopToken& stop) {
    const RunRequest request = run_request(c);
    Progress progress(c.quiet);
    const RunOutcome run = certify_run(
        request, JobOptions{c.threads, [&](const std::string& s, long d, long t) { progress.update(s, d, t); }}, stop);
    progress.finish();
    if (!run.network) {
        // stopped before the network existed: the certificate says so (eta null, nothing reached)
        std::cout << "stopped while building the network: " << run.result.stopped.value_or("") << "; nothing certified (incomplete)\n";
        if (!c.json.empty()) emit_json(run.certificate, c.json);
        return 1;
    }
    print_run_table(std::cout, run.parameters, run.result, run.seconds);
    if (!c.json.empty()) emit_json(run.certificate, c.json);
    if (!c.out.empty()) write_run_report(c.out, run.certificate, request.f, run.network->built);
    return run.certified() ? 0 : 1;
}

int command_construct(const CommandLine& c, const StopToken& stop) {
    const RunRequest request = run_request(c);
    Progress progress(c.quiet);
    const ProgressCallback report = [&](const std::string& s, long d, long t) { progress.update(s, d, t); };
    RunParameters params = resolve_parameters(request, report, stop);
    const AssembledNetwork net = assemble_network(request.f, request.p, params, report, stop);
    progress.finish();
    const ArchitectureFacts facts = measure_architecture(net.built.network);
    std::cout << "network for " << params.function << ": d=" << params.d << " N=" << params.N << " L=" << params.levels
              << " eta=" << params.eta.to_string() << " b=" << params.digit_bits << "\n"
              << "width " << facts.width << " (2dN+d+2 = " << 2 * params.d * params.N + params.d + 2 << "), depth "
              << facts.depth << " (L(d+2)+1 = " << params.levels * (params.d + 2) + 1 << ")\n";
    for (const auto& [name, count] : facts.activations) std::cout << "  " << name << ": " << count << "\n";
    if (!c.export_file.empty()) {
        emit_json(network_to_json(net.built.network), c.export_file);
        if (c.export_file != "-") std::cout << "network written to " << c.export_file << "\n";
    }
    return 0;
}

}  // namespace lpcert
