// verify: the command-line tool of lpcert. Errors are caught here, once, and mapped to the exit
// statuses of INTERFACE.md: 2 for bad input (one line on stderr), 3 for refused resources, 1 when
// a budget or Ctrl-C stopped the work (what was certified so far is written, marked incomplete).
// The CLI owns the stop request: its SIGINT handler and budgets feed the StopSource whose token
// every command passes to the library.

#include <tbb/global_control.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/stop_token.hpp"

namespace {

// The signal handler may only touch a lock-free atomic.
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void on_sigint(int) {
    interrupted.store(true);
    std::signal(SIGINT, SIG_DFL);   // a second Ctrl-C ends the process at once
}

}  // namespace

int main(int argc, char** argv) {
    using namespace lpcert;
    try {
        const CommandLine c = parse_command_line(argc, argv);
        if (c.subcommand == "help") {
            std::cout << c.help_text;
            return 0;
        }
        StopSource stop;
        stop.set_budgets(c.max_seconds, c.max_memory);
        stop.watch_flag(&interrupted, "interrupted (SIGINT)");
        std::signal(SIGINT, on_sigint);
        std::unique_ptr<tbb::global_control> threads;
        if (c.threads > 0) {
            threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                            static_cast<size_t>(c.threads));
        }
        const StopToken token = stop.token();
        if (c.subcommand == "integrate") return command_integrate(c, token);
        if (c.subcommand == "modulus") return command_modulus(c, token);
        if (c.subcommand == "functions") return command_functions(c);
        if (c.subcommand == "construct") return command_construct(c, token);
        if (c.subcommand == "run") return command_run(c, token);
        if (c.subcommand == "check") return command_check(c, token);
        if (c.subcommand == "reproduce") return command_reproduce(c, token);
        if (c.subcommand == "network") return command_network(c);
        if (c.subcommand == "certify-network") return command_certify_network(c, token);
        throw InputError("unknown subcommand '" + c.subcommand + "' (" + subcommand_list() + ")");
    } catch (const InputError& e) {
        std::cerr << "verify: " << e.what() << "\n";
        return 2;
    } catch (const DomainError& e) {
        std::cerr << "verify: " << e.what() << "\n";
        return 2;
    } catch (const ResourceLimit& e) {
        std::cerr << "verify: refused: " << e.what() << "\n";
        return 3;
    } catch (const Stopped& e) {
        // only where a command had nothing valid to write yet
        std::cerr << "verify: stopped before anything was certified: " << e.what() << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "verify: refused: out of memory\n";
        return 3;
    } catch (const std::exception& e) {
        // a defect of lpcert, not of the input: said as such, and nothing was certified
        std::cerr << "verify: internal error (please report): " << e.what() << "\n";
        return 1;
    }
}
