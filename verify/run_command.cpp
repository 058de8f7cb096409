// `verify run` and `verify construct`.

#include <tbb/info.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>

#include "construction/network_io.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/stop_request.hpp"
#include "verify/commands.hpp"
#include "verify/json_io.hpp"
#include "verify/network_assembly.hpp"
#include "verify/progress.hpp"
#include "verify/run_table.hpp"
#include "reports/report.hpp"

namespace lpcert {

namespace {

// What `run` and `construct` share: the function, p, the parameters and the built network.
struct PreparedRun {
    Expression f;
    Exponent p;
    RunParameters params;
    AssembledNetwork net;
    std::optional<ModulusSearch> finest_modulus;   // the default eta's search, if it ran
};

PreparedRun prepare_run(const CommandLine& c, const std::function<void(const std::string&, long, long)>& report) {
    PreparedRun run{c.expression(), Exponent::parse(c.p), {}, {}, {}};
    run.params = run_parameters(c, run.f, run.p, report, &run.finest_modulus);
    run.net = assemble_network(run.f, run.p, run.params, report);
    return run;
}

// A run stopped (budget or Ctrl-C) before its network existed: an incomplete certificate with
// every level not reached, so that no file is left looking like a result.
int stopped_before_network(const CommandLine& c, const std::string& reason, double seconds) {
    const RunParameters params = command_line_parameters(c);
    std::cout << "stopped while building the network: " << reason << "; nothing certified (incomplete)\n";
    if (!c.json.empty()) {
        const int threads = c.threads > 0 ? c.threads : tbb::info::default_concurrency();
        auto cert = certificate_json(params, nothing_certified(params, reason), threads, seconds, std::nullopt);
        cert["parameters"]["eta"] = nullptr;   // not chosen yet
        write_json(cert, c.json);
    }
    return 1;
}

}  // namespace

int command_run(const CommandLine& c) {
    const auto start = std::chrono::steady_clock::now();
    Progress progress(c.quiet);
    auto report = [&](const std::string& stage, long done, long total) { progress.update(stage, done, total); };
    std::optional<PreparedRun> prepared;
    try {
        prepared.emplace(prepare_run(c, report));
    } catch (const Stopped& s) {
        progress.finish();
        return stopped_before_network(c, s.what(), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    PreparedRun& run = *prepared;
    const Expression& f = run.f;
    const Exponent& p = run.p;
    RunParameters& params = run.params;
    const AssembledNetwork& net = run.net;

    CertificationSettings settings;
    settings.tol = c.tol;
    settings.taylor_order = c.taylor_order;
    settings.quadrature_bits = params.precision_bits;
    if (!c.target_error.empty()) {
        parse_decimal(c.target_error, Precision(64), "--target-error");
        settings.target_error = c.target_error;
    }
    settings.progress = report;
    if (run.finest_modulus) settings.known_modulus = &*run.finest_modulus;
    const CertificationResult result = certify_levels(f, p, net.built, net.prefix_partner.get(), settings);
    progress.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    print_run_table(std::cout, params, result, seconds);
    const int threads = c.threads > 0 ? c.threads : tbb::info::default_concurrency();
    const auto cert = certificate_json(params, result, threads, seconds,
                                       c.target_error.empty() ? std::nullopt : std::optional<std::string>(c.target_error));
    if (!c.json.empty()) write_json(cert, c.json);
    if (!c.out.empty()) write_run_report(c.out, cert, f, net.built);
    if (!c.target_error.empty() && !result.target_level) return 1;
    return result.all_certified() ? 0 : 1;
}

int command_construct(const CommandLine& c) {
    Progress progress(c.quiet);
    auto report = [&](const std::string& stage, long done, long total) { progress.update(stage, done, total); };
    PreparedRun run = prepare_run(c, report);
    RunParameters& params = run.params;
    const AssembledNetwork& net = run.net;
    progress.finish();
    const ArchitectureFacts facts = measure_architecture(net.built.network);
    std::cout << "network for " << params.function << ": d=" << params.d << " N=" << params.N << " L=" << params.levels
              << " eta=" << params.eta.to_string() << " b=" << params.digit_bits << "\n"
              << "width " << facts.width << " (2dN+d+2 = " << 2 * params.d * params.N + params.d + 2 << "), depth "
              << facts.depth << " (L(d+2)+1 = " << params.levels * (params.d + 2) + 1 << ")\n";
    for (const auto& [name, count] : facts.activations) std::cout << "  " << name << ": " << count << "\n";
    if (!c.export_file.empty()) {
        write_json(network_to_json(net.built.network), c.export_file);
        if (c.export_file != "-") std::cout << "network written to " << c.export_file << "\n";
    }
    return 0;
}

}  // namespace lpcert
