#pragma once
// --json FILE of every subcommand: "-" is standard output (the CLI's to print), anything else a
// file written atomically by the library (verify/json_io.hpp).

#include <nlohmann/json.hpp>

#include <iostream>
#include <string>

#include "verify/json_io.hpp"

namespace lpcert {

inline void emit_json(const nlohmann::json& j, const std::string& path) {
    if (path == "-") {
        std::cout << j.dump(2) << "\n" << std::flush;
        return;
    }
    write_json(j, path);
}

}  // namespace lpcert
