#pragma once
// JSON helpers shared by every `verify` output (INTERFACE.md "Numbers in files"): every real is a
// string; an enclosure is {"lower": down-rounded decimal, "upper": up-rounded decimal}.

#include <nlohmann/json.hpp>

#include <string>

#include "quadrature/interval.hpp"

namespace lpcert {

nlohmann::json enclosure_json(const Interval& x, int digits = 20);
// Reads an enclosure written by enclosure_json back, outward at prec. Throws InputError naming
// `what` when the value is missing or not a pair of decimal strings.
Interval enclosure_from_json(const nlohmann::json& j, const std::string& what, Precision prec);
// Writes `j` to the file `path` through a temporary file and a rename, so that no partial file
// ever looks complete (standard output is the CLI's: cli/json_output.hpp).
void write_json(const nlohmann::json& j, const std::string& path);
nlohmann::json read_json_file(const std::string& path);
// The "environment" block: versions, thread count, elapsed seconds.
nlohmann::json environment_json(int threads, double seconds);

}  // namespace lpcert
