#include "quadrature/stop_request.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <mutex>

#include <unistd.h>

namespace lpcert {

namespace {

using Clock = std::chrono::steady_clock;

// 0 = running; otherwise why it stops. The signal handler may only touch lock-free atomics.
enum Reason : int { Running = 0, Interrupt = 1, Time = 2, Memory = 3, Explicit = 4 };
std::atomic<int> reason{Running};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

std::atomic<long long> start_ns{0};
std::atomic<double> budget_seconds{0};
std::atomic<long> budget_bytes{0};
std::atomic<long long> last_poll_ns{0};
std::mutex text_mutex;
std::string explicit_reason;

long long now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

extern "C" void on_sigint(int) {
    int expected = Running;
    reason.compare_exchange_strong(expected, Interrupt);
    std::signal(SIGINT, SIG_DFL);   // a second Ctrl-C ends the process at once
}

void poll_budgets() {
    const double seconds = budget_seconds.load(std::memory_order_relaxed);
    const long bytes = budget_bytes.load(std::memory_order_relaxed);
    if (seconds <= 0 && bytes <= 0) return;
    const long long now = now_ns();
    long long last = last_poll_ns.load(std::memory_order_relaxed);
    if (now - last < 20'000'000LL || !last_poll_ns.compare_exchange_strong(last, now)) return;
    int expected = Running;
    if (seconds > 0 && static_cast<double>(now - start_ns.load()) * 1e-9 > seconds) {
        reason.compare_exchange_strong(expected, Time);
    } else if (bytes > 0 && resident_memory_bytes() > bytes) {
        reason.compare_exchange_strong(expected, Memory);
    }
}

}  // namespace

void set_stop_budgets(double max_seconds, long max_memory_bytes) {
    reason = Running;
    start_ns = now_ns();
    last_poll_ns = 0;
    budget_seconds = max_seconds > 0 ? max_seconds : 0;
    budget_bytes = max_memory_bytes > 0 ? max_memory_bytes : 0;
}

void install_interrupt_handler() { std::signal(SIGINT, on_sigint); }

bool stop_requested() {
    if (reason.load(std::memory_order_relaxed) != Running) return true;
    poll_budgets();
    return reason.load(std::memory_order_relaxed) != Running;
}

void throw_if_stop_requested() {
    if (stop_requested()) throw Stopped(stop_reason());
}

void request_stop(const std::string& why) {
    {
        std::lock_guard<std::mutex> lock(text_mutex);
        explicit_reason = why;
    }
    int expected = Running;
    reason.compare_exchange_strong(expected, Explicit);
}

std::string stop_reason() {
    switch (reason.load()) {
        case Interrupt: return "interrupted (SIGINT)";
        case Time: {
            char s[64];
            std::snprintf(s, sizeof s, "time budget of %g s spent", budget_seconds.load());
            return s;
        }
        case Memory: return "memory budget of " + std::to_string(budget_bytes.load() >> 20) + " MiB exceeded";
        case Explicit: {
            std::lock_guard<std::mutex> lock(text_mutex);
            return explicit_reason;
        }
        default: return "";
    }
}

void clear_stop_request() { set_stop_budgets(0, 0); }

long memory_budget_bytes() { return budget_bytes.load(); }

long resident_memory_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    long pages_total = 0, pages_resident = 0;
    const int got = std::fscanf(f, "%ld %ld", &pages_total, &pages_resident);
    std::fclose(f);
    if (got != 2) return 0;
    return pages_resident * sysconf(_SC_PAGESIZE);
}

}  // namespace lpcert
