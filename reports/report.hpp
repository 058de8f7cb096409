#pragma once
// Human reports: report.md and a self-contained report.html (inline SVG plots, no network
// access needed) for one certificate, and the summary of the reproduce suite.

#include <nlohmann/json.hpp>

#include <string>

#include "construction/builder.hpp"
#include "quadrature/expression.hpp"

namespace lpcert {

void write_run_report(const std::string& dir, const nlohmann::json& certificate, const Expression& f,
                      const BuiltNetwork& built);

}  // namespace lpcert
