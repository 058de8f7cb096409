#pragma once
// Cooperative stopping for long computations: Ctrl-C (SIGINT), a wall-clock budget
// (--max-seconds) and a memory budget (--max-memory, resident set size) all become one
// process-wide stop request that the long loops poll. A stopped computation never pretends to be
// complete: loops throw Stopped (or, where every partial value is still an enclosure, return
// what they have marked as stopped), and the commands write what was certified so far, marked
// incomplete, and exit 1.
//
// Polling is cheap enough for inner loops: one atomic load, and a read of the clock and of
// /proc/self/statm at most every 20 ms (by whichever thread polls first).

#include <stdexcept>
#include <string>

namespace lpcert {

struct Stopped : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Budgets counted from this call; 0 = none. Clears an earlier request.
void set_stop_budgets(double max_seconds, long max_memory_bytes);
// SIGINT requests a stop (the handler only sets a flag); a second SIGINT ends the process.
void install_interrupt_handler();

// True once a stop was requested (the signal, a budget, or request_stop).
bool stop_requested();
// Throws Stopped naming the reason when a stop was requested.
void throw_if_stop_requested();
void request_stop(const std::string& reason);
// "interrupted (SIGINT)", "time budget of 10 s spent", "memory budget ... exceeded", or "".
std::string stop_reason();
// Forgets the request and the budgets (tests, and commands that run several jobs).
void clear_stop_request();

// The memory budget of set_stop_budgets (0 = none): builds refuse up front what would exceed it.
long memory_budget_bytes();
// Resident set size of this process in bytes (0 where unknown).
long resident_memory_bytes();

}  // namespace lpcert
