// `verify reproduce [--suite paper|layerwise]`.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "quadrature/errors.hpp"
#include "reports/layerwise_suite.hpp"
#include "reports/reproduce.hpp"

namespace lpcert {

int command_reproduce(const CommandLine& c, const StopToken& stop) {
    if (c.suite != "paper" && c.suite != "layerwise") throw InputError("--suite: must be paper or layerwise, not '" + c.suite + "'");
    Progress progress(c.quiet);
    auto on_progress = [&](const std::string& stage, long done, long total) {
        if (stage.empty()) {
            progress.finish();
        } else {
            progress.update(stage, done, total);
        }
    };
    auto on_line = [&](const std::string& line) {
        progress.finish();
        std::cout << line << "\n" << std::flush;
    };
    if (c.suite == "layerwise") {
        LayerwiseSuiteOptions o;
        o.quick = c.quick;
        // The trained networks live in the source tree (LPCERT_SOURCE_DIR: set by cli/CMakeLists.txt).
        o.data_dir = std::string(LPCERT_SOURCE_DIR) + "/tests/data/layerwise";
        o.out = c.out;
        o.compare = c.compare;
        o.tol = c.tol;
        o.threads = c.threads;
        o.quiet = c.quiet;
        o.stop = stop;
        o.progress = on_progress;
        o.on_line = on_line;
        return run_layerwise_suite(o);
    }
    SuiteOptions o;
    o.quick = c.quick;
    o.out = c.out;
    o.compare = c.compare;
    o.tol = c.tol;
    o.threads = c.threads;
    o.stop = stop;
    o.progress = on_progress;
    o.on_line = on_line;
    return run_reproduce(o);
}

}  // namespace lpcert
