#include "cli/cli_options.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <iomanip>
#include <limits>
#include <sstream>

#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/integration.hpp"
#include "verify/certificate.hpp"
#include "verify/network_assembly.hpp"
#include "verify/request_text.hpp"

namespace lpcert {

namespace po = boost::program_options;

namespace {

po::options_description option_descriptions(CommandLine& c, std::string& max_memory_text) {
    po::options_description o("options");
    o.add_options()
        ("f", po::value<std::string>(&c.function_text), "target function: expression in x1..xd")
        ("function", po::value<std::string>(&c.function_name), "target function: catalog name (see `verify functions`)")
        ("d", po::value<int>(&c.d), "dimension d >= 1")
        ("N", po::value<int>(&c.N), "refinement factor N >= 2")
        ("levels", po::value<int>(&c.levels), "terminal level L >= 0")
        ("p", po::value<std::string>(&c.p), "exponent p >= 1 (decimal)")
        ("prec", po::value<long>(&c.prec), "working precision in bits (default: chosen)")
        ("tol", po::value<std::string>(&c.tol), "relative tolerance of the quadrature enclosures")
        ("threads", po::value<int>(&c.threads), "TBB worker threads (default: all cores)")
        ("json", po::value<std::string>(&c.json), "write the machine-readable result to FILE ('-' = stdout)")
        ("out", po::value<std::string>(&c.out), "write a human report (Markdown + HTML) to DIR")
        ("eta", po::value<std::string>(&c.eta), "construction resolution eta, exact \"M*2^E\"")
        ("digit-bits", po::value<int>(&c.digit_bits), "bits b per residual code (default 64)")
        ("construction", po::value<std::string>(&c.construction), "floor-relu | sin-relu")
        ("steepness", po::value<std::string>(&c.steepness), "ramp steepness S of sin-relu, exact \"M*2^E\"")
        ("delta", po::value<std::string>(&c.delta), "modulus: the radius delta > 0")
        ("export", po::value<std::string>(&c.export_file), "construct: write the network to FILE")
        ("target-error", po::value<std::string>(&c.target_error), "run: stop at the first level with error <= EPS")
        ("compare", po::value<std::string>(&c.compare), "reproduce: compare with the certificates in DIR")
        ("at", po::value<std::string>(&c.at), "network: evaluate the readouts at the point x1,...,xd")
        ("domain", po::value<std::string>(&c.domain), "certify-network: the box lo1:hi1,lo2:hi2,... (exact decimals; default [0,1]^d)")
        ("signed", po::bool_switch(&c.signed_integral), "integrate: enclose int f (with --p 1)")
        ("suite", po::value<std::string>(&c.suite), "reproduce: paper (default) | layerwise")
        ("quick", po::bool_switch(&c.quick), "reproduce: the quick suite")
        ("quiet", po::bool_switch(&c.quiet), "no progress on stderr")
        ("taylor-order", po::value<int>(&c.taylor_order), "order of the quadrature's Taylor enclosures (0 = natural)")
        ("max-seconds", po::value<double>(&c.max_seconds), "wall-clock budget in seconds (0 = none)")
        ("max-memory", po::value<std::string>(&max_memory_text), "memory budget: bytes, or with K, M, G (0 = none)");
    return o;
}

// The options each subcommand takes (git/cargo style: `verify SUBCOMMAND --help` lists exactly
// these, and any other option is an error naming the subcommand).
struct SubcommandSpec {
    const char* name;
    const char* synopsis;
    std::vector<std::string> options;
};

const std::vector<SubcommandSpec>& subcommands() {
    static const std::vector<std::string> budgets = {"threads", "quiet", "max-seconds", "max-memory"};
    auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    static const std::vector<SubcommandSpec> specs = {
        {"run", "build the network for f and certify (T) at levels 0..L",
         with({"f", "function", "d", "N", "levels", "p", "prec", "tol", "json", "out", "eta", "digit-bits", "construction",
               "steepness", "target-error", "taylor-order"}, budgets)},
        {"construct", "build the network only (--export FILE writes it)",
         with({"f", "function", "d", "N", "levels", "p", "prec", "eta", "digit-bits", "construction", "steepness", "export"},
              budgets)},
        {"integrate", "rigorous enclosure of ||f||_p over [0,1]^d (int f with --p 1 --signed)",
         with({"f", "function", "d", "p", "prec", "tol", "json", "signed", "taylor-order"}, budgets)},
        {"modulus", "certified bounds of omega_f(delta)_p",
         with({"f", "function", "d", "p", "prec", "json", "delta", "taylor-order"}, budgets)},
        {"check", "re-verify a certificate: verify check FILE", budgets},
        {"reproduce", "the suite of the paper's claims over the catalog (--suite layerwise: MGDL and LPA on trained networks)",
         with({"suite", "quick", "out", "compare", "tol"}, budgets)},
        {"network", "read a network file and evaluate its readouts: verify network FILE [--at x]", {"at", "json", "prec"}},
        {"functions", "list the catalog of test functions", {"json"}},
        {"certify-network", "enclose ||f - Phi_i|| and ||Phi_i|| for every readout of a network FILE (--p inf: sup norm)",
         with({"f", "function", "p", "domain", "prec", "tol", "json", "out"}, budgets)},
    };
    return specs;
}

const SubcommandSpec* find_subcommand(const std::string& name) {
    for (const auto& s : subcommands())
        if (name == s.name) return &s;
    return nullptr;
}

// The descriptions of the options `spec` takes (all of them when spec is null).
po::options_description options_of(const SubcommandSpec* spec, CommandLine& c, std::string& max_memory_text) {
    const auto all = option_descriptions(c, max_memory_text);
    po::options_description o(spec ? std::string("options of `verify ") + spec->name + "`" : std::string("options"));
    for (const auto& opt : all.options()) {
        const std::string& name = opt->long_name();
        if (!spec || std::find(spec->options.begin(), spec->options.end(), name) != spec->options.end()) o.add(opt);
    }
    o.add_options()("help", "this message");
    return o;
}

// Which subcommands take the option `name` ("run, construct").
std::string owners_of(const std::string& name) {
    std::string out;
    for (const auto& s : subcommands())
        if (std::find(s.options.begin(), s.options.end(), name) != s.options.end()) out += (out.empty() ? "" : ", ") + std::string(s.name);
    return out;
}

std::string defaults_note(const CommandLine& d) {
    std::ostringstream s;
    s << "defaults: --d " << d.d << " (a catalog function: its smallest d), --N " << d.N << ", --levels " << d.levels << ", --p "
      << d.p << ", --tol " << d.tol << ", --prec 128 (run: the construction's, and at most its certification's, which is 64 bits for --tol >= 1e-8; certify-network: 64 for --tol >= 1e-8, 128 to 1e-25), --digit-bits " << d.digit_bits << ", --construction " << d.construction
      << ", --threads all cores, --max-seconds/--max-memory none\n";
    return s.str();
}

}  // namespace

std::string subcommand_list() {
    std::string out;
    for (const auto& s : subcommands()) out += (out.empty() ? "" : ", ") + std::string(s.name);
    return out;
}

std::string usage() {
    std::ostringstream s;
    s << "usage: verify SUBCOMMAND [options]   (verify SUBCOMMAND --help lists the options of one)\n\nsubcommands:\n";
    size_t column = 0;   // the longest name and two spaces, so that no name runs into its synopsis
    for (const auto& spec : subcommands()) column = std::max(column, std::string(spec.name).size() + 2);
    for (const auto& spec : subcommands())
        s << "  " << std::left << std::setw(static_cast<int>(column)) << spec.name << spec.synopsis << "\n";
    return s.str();
}

std::string usage(const std::string& subcommand) {
    const SubcommandSpec* spec = find_subcommand(subcommand);
    if (!spec) return usage();
    CommandLine c;
    std::string unused;
    std::ostringstream s;
    s << "usage: verify " << spec->name << (std::string(spec->name) == "check" || std::string(spec->name) == "network" || std::string(spec->name) == "certify-network" ? " FILE" : "")
      << " [options]\n" << spec->synopsis << "\n\n" << options_of(spec, c, unused) << defaults_note(CommandLine());
    return s.str();
}

CommandLine parse_command_line(int argc, const char* const* argv) {
    CommandLine c;
    std::string max_memory_text = "0";
    // The subcommand is the first argument that is not an option.
    std::string subcommand;
    for (int i = 1; i < argc; ++i) {
        if (argv[i][0] != '-') {
            subcommand = argv[i];
            break;
        }
        // an option's value follows it: --opt VALUE (switches take none)
        const std::string a = argv[i];
        if (a != "--help" && a != "--quick" && a != "--quiet" && a != "--signed" && a.find('=') == std::string::npos) ++i;
    }
    const SubcommandSpec* spec = subcommand.empty() ? nullptr : find_subcommand(subcommand);
    if (!subcommand.empty() && !spec) throw InputError("unknown subcommand '" + subcommand + "' (" + subcommand_list() + ")");
    auto desc = options_of(spec, c, max_memory_text);
    po::options_description hidden;
    std::vector<std::string> positional;
    hidden.add_options()("positional", po::value<std::vector<std::string>>(&positional));
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description pos;
    pos.add("positional", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).style(
                      po::command_line_style::unix_style & ~po::command_line_style::allow_guessing).run(), vm);
        po::notify(vm);
    } catch (const po::unknown_option& e) {
        std::string name = e.get_option_name();
        while (!name.empty() && name.front() == '-') name.erase(name.begin());
        const std::string owners = owners_of(name);
        if (spec && !owners.empty()) {
            throw InputError("--" + name + " is not an option of `verify " + spec->name + "` (it belongs to: " + owners +
                             "; see verify " + spec->name + " --help)");
        }
        throw InputError(std::string(e.what()) + (spec ? " (see verify " + std::string(spec->name) + " --help)" : ""));
    } catch (const po::error& e) {
        throw InputError(e.what());
    }
    if (vm.count("help")) {
        c.subcommand = "help";
        c.help_text = spec ? usage(spec->name) : usage();
        return c;
    }
    if (positional.empty()) throw InputError("missing subcommand (" + subcommand_list() + "; verify --help)");
    c.subcommand = positional.front();
    c.arguments.assign(positional.begin() + 1, positional.end());

    // the subcommands with --d resolve the target here; certify-network takes d from its network
    const bool takes_d = spec && std::find(spec->options.begin(), spec->options.end(), "d") != spec->options.end();
    if (!c.function_name.empty() && !c.function_text.empty()) throw InputError("give either --f or --function, not both");
    if (takes_d && (!c.function_name.empty() || !c.function_text.empty())) {
        const TargetFunction t = resolve_target(
            c.function_name.empty() ? std::nullopt : std::optional<std::string>(c.function_name),
            c.function_text.empty() ? std::nullopt : std::optional<std::string>(c.function_text),
            vm.count("d") ? std::optional<int>(c.d) : std::nullopt);
        c.d = t.d;
        c.function_text = t.f.text();
    } else if (c.d < 1 || c.d > 8) {
        throw InputError("--d: the dimension must be 1..8 (got " + std::to_string(c.d) + ")");
    }
    check_run_shape(c.N, c.levels, c.digit_bits);
    if (c.prec != 0) check_precision_bits(c.prec);
    check_threads(c.threads);
    parse_construction(c.construction);
    c.taylor_order = checked_taylor_order(c.taylor_order);
    check_max_seconds(c.max_seconds);
    c.max_memory = parse_memory_size(max_memory_text);
    if (!(c.subcommand == "certify-network" && c.p == "inf")) Exponent::parse(c.p);   // validates --p (inf: certify-network only)
    validate_tolerance(c.tol, "--tol");
    return c;
}

RunRequest run_request(const CommandLine& c) {
    RunRequest r(c.function_label(), c.expression(), c.d, Exponent::parse(c.p));
    r.N = c.N;
    r.levels = c.levels;
    r.precision_bits = c.prec > 0 ? c.prec : 128;
    r.digit_bits = c.digit_bits;
    if (!c.eta.empty()) r.eta = parse_eta(c.eta, "--eta");
    r.construction = parse_construction(c.construction);
    if (!c.steepness.empty()) {
        r.steepness = parse_steepness(c.steepness, "--steepness");
        if (r.construction != Construction::SinRelu) throw InputError("--steepness: only with --construction sin-relu");
    }
    r.tol = c.tol;
    if (!c.target_error.empty()) {
        parse_decimal(c.target_error, Precision(64), "--target-error");
        r.target_error = c.target_error;
    }
    r.taylor_order = c.taylor_order;
    return r;
}

Expression CommandLine::expression() const {
    if (function_text.empty()) throw InputError("missing target function: give --f EXPR or --function NAME");
    Expression e = Expression::parse(function_text);
    e.require_dimension(d);
    return e;
}

}  // namespace lpcert
