#include "verify/cli_options.hpp"

#include <boost/program_options.hpp>

#include <limits>
#include <sstream>

#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/integration.hpp"
#include "verify/certificate.hpp"

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
        ("signed", po::bool_switch(&c.signed_integral), "integrate: enclose int f (with --p 1)")
        ("quick", po::bool_switch(&c.quick), "reproduce: the quick suite")
        ("quiet", po::bool_switch(&c.quiet), "no progress on stderr")
        ("taylor-order", po::value<int>(&c.taylor_order), "order of the quadrature's Taylor enclosures (0 = natural)")
        ("max-seconds", po::value<double>(&c.max_seconds), "wall-clock budget in seconds (0 = none)")
        ("max-memory", po::value<std::string>(&max_memory_text), "memory budget: bytes, or with K, M, G (0 = none)")
        ("help", "this message");
    return o;
}

// "0", "123456", "512K", "300M", "4G" (binary multiples) -> bytes.
long parse_memory_size(const std::string& text) {
    const std::string what = "--max-memory: expected a size such as 4G, 512M or 1000000 (got '" + text + "')";
    if (text.empty() || text.size() > 20) throw InputError(what);
    size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0 || digits > 15) throw InputError(what);
    long value = std::stol(text.substr(0, digits));
    const std::string unit = text.substr(digits);
    int shift = 0;
    if (unit == "K" || unit == "k") shift = 10;
    else if (unit == "M" || unit == "m") shift = 20;
    else if (unit == "G" || unit == "g") shift = 30;
    else if (!unit.empty()) throw InputError(what);
    if (value > (std::numeric_limits<long>::max() >> shift)) throw InputError(what);
    return value << shift;
}

}  // namespace

std::string usage() {
    CommandLine c;
    std::string unused;
    std::ostringstream s;
    s << "usage: verify SUBCOMMAND [options]\n"
         "subcommands: run, construct, integrate, modulus, check FILE, reproduce, network FILE, functions\n"
      << option_descriptions(c, unused);
    return s.str();
}

CommandLine parse_command_line(int argc, const char* const* argv) {
    CommandLine c;
    std::string max_memory_text = "0";
    auto desc = option_descriptions(c, max_memory_text);
    po::options_description hidden;
    std::vector<std::string> positional;
    hidden.add_options()("positional", po::value<std::vector<std::string>>(&positional));
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description pos;
    pos.add("positional", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw InputError(e.what());
    }
    if (vm.count("help")) {
        c.subcommand = "help";
        return c;
    }
    if (positional.empty()) throw InputError("missing subcommand (run, construct, integrate, modulus, check, reproduce, network, functions)");
    c.subcommand = positional.front();
    c.arguments.assign(positional.begin() + 1, positional.end());

    if (!c.function_name.empty() && !c.function_text.empty()) throw InputError("give either --f or --function, not both");
    if (!c.function_name.empty()) {
        const auto entry = find_in_catalog(c.function_name);
        if (!entry) throw InputError("--function: unknown function '" + c.function_name + "' (see `verify functions`)");
        if (!vm.count("d")) c.d = entry->min_dimension;
        if (c.d < entry->min_dimension || c.d > entry->max_dimension) {
            throw InputError("--function " + c.function_name + ": needs d in " + std::to_string(entry->min_dimension) +
                             ".." + std::to_string(entry->max_dimension));
        }
        c.function_text = entry->expression(c.d);
    }
    if (c.d < 1 || c.d > 8) throw InputError("--d: the dimension must be 1..8 (got " + std::to_string(c.d) + ")");
    if (c.N < 2 || c.N > 64) throw InputError("--N: the refinement factor must be 2..64 (got " + std::to_string(c.N) + ")");
    if (c.levels < 0) throw InputError("--levels: must be >= 0 (got " + std::to_string(c.levels) + ")");
    if (c.levels > 64) throw InputError("--levels: " + std::to_string(c.levels) + " levels are beyond any memory");
    if (c.prec != 0 && (c.prec < 32 || c.prec > 100000)) throw InputError("--prec: must be 32..100000 bits");
    if (c.threads < 0) throw InputError("--threads: must be >= 1");
    if (c.digit_bits < 8 || c.digit_bits > 4096) throw InputError("--digit-bits: must be 8..4096");
    if (c.construction != "floor-relu" && c.construction != "sin-relu") {
        throw InputError("--construction: must be floor-relu or sin-relu (got '" + c.construction + "')");
    }
    if (c.taylor_order < -1 || c.taylor_order > 8) throw InputError("--taylor-order: must be 0..8");
    if (c.taylor_order < 0) c.taylor_order = default_taylor_order(c.d);
    if (!(c.max_seconds >= 0) || c.max_seconds > 1e9) throw InputError("--max-seconds: must be 0..1e9");
    c.max_memory = parse_memory_size(max_memory_text);
    Exponent::parse(c.p);   // validates --p
    validate_tolerance(c.tol, "--tol");
    return c;
}

Expression CommandLine::expression() const {
    if (function_text.empty()) throw InputError("missing target function: give --f EXPR or --function NAME");
    Expression e = Expression::parse(function_text);
    e.require_dimension(d);
    return e;
}

}  // namespace lpcert
