// `verify reproduce`.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "reports/reproduce.hpp"

namespace lpcert {

int command_reproduce(const CommandLine& c, const StopToken& stop) {
    Progress progress(c.quiet);
    SuiteOptions o;
    o.quick = c.quick;
    o.out = c.out;
    o.compare = c.compare;
    o.tol = c.tol;
    o.threads = c.threads;
    o.stop = stop;
    o.progress = [&](const std::string& stage, long done, long total) {
        if (stage.empty()) {
            progress.finish();
        } else {
            progress.update(stage, done, total);
        }
    };
    o.on_line = [&](const std::string& line) {
        progress.finish();
        std::cout << line << "\n" << std::flush;
    };
    return run_reproduce(o);
}

}  // namespace lpcert
