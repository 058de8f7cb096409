#include "verify/json_io.hpp"

#include <boost/version.hpp>
#include <tbb/version.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "quadrature/errors.hpp"

namespace lpcert {

nlohmann::json enclosure_json(const Interval& x, int digits) {
    return {{"lower", decimal_down(x.lower(), digits)}, {"upper", decimal_up(x.upper(), digits)}};
}

Interval enclosure_from_json(const nlohmann::json& j, const std::string& what, Precision prec) {
    if (!j.is_object() || !j.contains("lower") || !j.contains("upper") || !j["lower"].is_string() ||
        !j["upper"].is_string()) {
        throw InputError(what + ": expected {\"lower\": \"...\", \"upper\": \"...\"}");
    }
    const Interval lo = parse_decimal(j["lower"].get<std::string>(), prec, what + ".lower");
    const Interval hi = parse_decimal(j["upper"].get<std::string>(), prec, what + ".upper");
    Interval out(prec);
    set_hull(out, lo.lower(), hi.upper());
    return out;
}

void write_json(const nlohmann::json& j, const std::string& path) {
    const std::string text = j.dump(2) + "\n";
    // "-" (standard output) is the CLI's to print (cli/json_output.hpp): the library never prints
    if (path == "-") throw InputError("write_json: '-' is standard output, which only the command line writes");
    const std::string tmp = path + ".partial";
    {
        std::ofstream f(tmp, std::ios::binary);
        if (!f) throw InputError("--json: cannot write '" + path + "'");
        f << text;
        if (!f.flush()) throw InputError("--json: cannot write '" + path + "'");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw InputError("--json: cannot write '" + path + "'");
}

nlohmann::json read_json_file(const std::string& path) {
    // Certificates and networks are megabytes at most; anything far larger is refused before it
    // is read (a parsed JSON value takes several times its text).
    constexpr std::uintmax_t kMaxBytes = 256u << 20;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw InputError("cannot read '" + path + "' (not a regular file)");
    const std::uintmax_t bytes = std::filesystem::file_size(path, ec);
    if (ec) throw InputError("cannot read '" + path + "'");
    if (bytes > kMaxBytes) {
        throw ResourceLimit("'" + path + "' has " + std::to_string(bytes >> 20) + " MiB; JSON inputs are limited to " +
                            std::to_string(kMaxBytes >> 20) + " MiB");
    }
    std::ifstream f(path, std::ios::binary);
    if (!f) throw InputError("cannot read '" + path + "'");
    std::string text(static_cast<size_t>(bytes), '\0');
    if (!f.read(text.data(), static_cast<std::streamsize>(bytes))) throw InputError("cannot read '" + path + "'");
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw InputError("'" + path + "' is not valid JSON (" + std::string(e.what()) + ")");
    }
}

nlohmann::json environment_json(int threads, double seconds) {
    std::ostringstream s;
    s.precision(3);
    s << std::fixed << seconds;
    return {{"version", "lpcert 0.1.0"},
            {"mpfr", mpfr_get_version()},
            {"mpfi", mpfi_get_version()},
            {"boost", BOOST_LIB_VERSION},
            {"tbb", TBB_VERSION_STRING},
            {"threads", threads},
            {"seconds", s.str()}};
}

}  // namespace lpcert
