#pragma once
// Requests from text: the checks and conversions that the CLI and the Python module share, so
// that both give the same one-line messages (named after the CLI's options). Each throws
// InputError naming the option.

#include <optional>
#include <string>

#include "quadrature/expression.hpp"

namespace lpcert {

// The target function: a catalog name (d defaults to its smallest dimension) or an expression in
// x1..xd (d defaults to 1), checked against d in 1..8.
struct TargetFunction {
    std::string label;   // the catalog name, or the expression text
    Expression f;
    int d;
};
TargetFunction resolve_target(const std::optional<std::string>& function, const std::optional<std::string>& expression,
                              const std::optional<int>& d);

// "0", "123456", "512K", "300M", "4G" (binary multiples) -> bytes (--max-memory).
long parse_memory_size(const std::string& text);

void check_precision_bits(long bits);           // --prec: 32..100000
void check_threads(int threads);                // --threads: >= 0 (0 = all cores)
void check_max_seconds(double seconds);         // --max-seconds: 0..1e9
int checked_taylor_order(int order);            // --taylor-order: 0..12, or -1 = the job's default
void check_run_shape(int N, int levels, int digit_bits);   // --N 2..64, --levels 0..64, --digit-bits 8..4096

}  // namespace lpcert
