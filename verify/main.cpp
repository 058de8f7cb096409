// verify: the command-line tool of lpcert. Errors are caught here, once, and mapped to the exit
// statuses of INTERFACE.md: 2 for bad input (one line on stderr), 3 for refused resources, 1 when
// a budget or Ctrl-C stopped the work (what was certified so far is written, marked incomplete).

#include <tbb/global_control.h>
#include <tbb/info.h>

#include <iostream>
#include <memory>

#include "quadrature/errors.hpp"
#include "quadrature/stop_request.hpp"
#include "verify/commands.hpp"

int main(int argc, char** argv) {
    using namespace lpcert;
    try {
        const CommandLine c = parse_command_line(argc, argv);
        if (c.subcommand == "help") {
            std::cout << usage();
            return 0;
        }
        // Budgets and Ctrl-C become one stop request that long loops poll (stop_request.hpp).
        set_stop_budgets(c.max_seconds, c.max_memory);
        install_interrupt_handler();
        std::unique_ptr<tbb::global_control> threads;
        if (c.threads > 0) {
            threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                            static_cast<size_t>(c.threads));
        }
        if (c.subcommand == "integrate") return command_integrate(c);
        if (c.subcommand == "modulus") return command_modulus(c);
        if (c.subcommand == "functions") return command_functions(c);
        if (c.subcommand == "construct") return command_construct(c);
        if (c.subcommand == "run") return command_run(c);
        if (c.subcommand == "check") return command_check(c);
        if (c.subcommand == "reproduce") return command_reproduce(c);
        if (c.subcommand == "network") return command_network(c);
        throw InputError("unknown subcommand '" + c.subcommand +
                         "' (run, construct, integrate, modulus, check, reproduce, network, functions)");
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
