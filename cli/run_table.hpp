#pragma once
// Human-readable output of a run: the per-level table on stdout.

#include <nlohmann/json.hpp>

#include <ostream>

#include "construction/builder.hpp"
#include "verify/certificate.hpp"

namespace lpcert {

void print_run_table(std::ostream& out, const RunParameters& params, const CertificationResult& result, double seconds);

}  // namespace lpcert
