// `verify reproduce`.
#include "reports/reproduce.hpp"
#include "verify/commands.hpp"
#include "verify/progress.hpp"

namespace lpcert {

int command_reproduce(const CommandLine& c) {
    Progress progress(c.quiet);
    SuiteOptions o;
    o.quick = c.quick;
    o.out = c.out;
    o.compare = c.compare;
    o.tol = c.tol;
    o.threads = c.threads;
    o.progress = [&](const std::string& stage, long done, long total) {
        if (stage.empty()) {
            progress.finish();
        } else {
            progress.update(stage, done, total);
        }
    };
    return run_reproduce(o);
}

}  // namespace lpcert
