#pragma once
// Cooperative stopping for long computations, as a value passed in: a StopSource (owned by
// whoever may stop the work: the CLI, the Python module, a test) hands out StopTokens, and the
// library's long loops poll the token in their options. No library function reads a global stop
// flag: two computations in one process stop independently.
//
// A source may carry budgets (a wall-clock limit and a resident-memory limit, counted from
// set_budgets) and may watch an external lock-free flag that a signal handler sets (the CLI's
// SIGINT; the library itself installs no handler). A stopped computation never pretends to be
// complete: loops throw Stopped (or, where every partial value is still an enclosure, return what
// they have, marked as stopped).
//
// Polling is cheap enough for inner loops: one atomic load, and a read of the clock and of
// /proc/self/statm at most every 20 ms (by whichever thread polls first).

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

namespace lpcert {

struct Stopped : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace detail {
struct StopState;
}

class StopToken {
public:
    StopToken() = default;   // a token that never stops
    // True once a stop was requested (explicitly, by a watched flag, or by a spent budget).
    bool stop_requested() const;
    // Throws Stopped naming the reason when a stop was requested.
    void throw_if_stop_requested() const;
    // "interrupted (SIGINT)", "time budget of 10 s spent", "memory budget of ... exceeded", or "".
    std::string reason() const;
    // The memory budget of the source (0 = none): builds refuse up front what would exceed it.
    long memory_budget_bytes() const;

private:
    friend class StopSource;
    explicit StopToken(std::shared_ptr<detail::StopState> s) : state_(std::move(s)) {}
    std::shared_ptr<detail::StopState> state_;
};

class StopSource {
public:
    StopSource();
    StopToken token() const { return StopToken(state_); }
    // Budgets counted from this call; 0 = none.
    void set_budgets(double max_seconds, long max_memory_bytes);
    // The source also stops once *flag becomes true (a signal handler's flag); `why` is the reason
    // then reported. The flag must outlive the source.
    void watch_flag(const std::atomic<bool>* flag, const std::string& why);
    void request_stop(const std::string& why);
    bool stop_requested() const { return token().stop_requested(); }

private:
    std::shared_ptr<detail::StopState> state_;
};

// Resident set size of this process in bytes (0 where unknown).
long resident_memory_bytes();

}  // namespace lpcert
