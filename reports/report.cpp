#include "reports/report.hpp"

#include <filesystem>
#include <fstream>

#include "quadrature/errors.hpp"

namespace lpcert {

void write_run_report(const std::string& dir, const nlohmann::json& cert, const Expression&, const BuiltNetwork&) {
    std::filesystem::create_directories(dir);
    std::ofstream md(dir + "/report.md");
    md << "# lpcert report\n\n```json\n" << cert.dump(2) << "\n```\n";
}

}  // namespace lpcert
