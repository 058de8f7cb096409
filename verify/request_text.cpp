#include "verify/request_text.hpp"

#include <limits>

#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/integration.hpp"

namespace lpcert {

TargetFunction resolve_target(const std::optional<std::string>& function, const std::optional<std::string>& expression,
                              const std::optional<int>& d_arg) {
    if (function && expression) throw InputError("give either --f or --function, not both");
    int d = d_arg.value_or(1);
    std::string text;
    if (function) {
        const auto entry = find_in_catalog(*function);
        if (!entry) throw InputError("--function: unknown function '" + *function + "' (see `verify functions`)");
        if (!d_arg) d = entry->min_dimension;
        if (d < entry->min_dimension || d > entry->max_dimension) {
            throw InputError("--function " + *function + ": needs d in " + std::to_string(entry->min_dimension) + ".." +
                             std::to_string(entry->max_dimension));
        }
        text = entry->expression(d);
    } else if (expression) {
        text = *expression;
    }
    if (d < 1 || d > 8) throw InputError("--d: the dimension must be 1..8 (got " + std::to_string(d) + ")");
    if (text.empty()) throw InputError("missing target function: give --f EXPR or --function NAME");
    Expression e = Expression::parse(text);
    e.require_dimension(d);
    return TargetFunction{function ? *function : text, std::move(e), d};
}

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

void check_precision_bits(long bits) {
    if (bits < 32 || bits > 100000) throw InputError("--prec: must be 32..100000 bits");
}

void check_threads(int threads) {
    if (threads < 0) throw InputError("--threads: must be >= 1");
}

void check_max_seconds(double seconds) {
    if (!(seconds >= 0) || seconds > 1e9) throw InputError("--max-seconds: must be 0..1e9");
}

int checked_taylor_order(int order) {
    if (order < -1 || order > 12) throw InputError("--taylor-order: must be 0..12");
    return order;   // -1 stays: each job takes its own default (integration.hpp)
}

void check_run_shape(int N, int levels, int digit_bits) {
    if (N < 2 || N > 64) throw InputError("--N: the refinement factor must be 2..64 (got " + std::to_string(N) + ")");
    if (levels < 0) throw InputError("--levels: must be >= 0 (got " + std::to_string(levels) + ")");
    if (levels > 64) throw InputError("--levels: " + std::to_string(levels) + " levels are beyond any memory");
    if (digit_bits < 8 || digit_bits > 4096) throw InputError("--digit-bits: must be 8..4096");
}

}  // namespace lpcert
