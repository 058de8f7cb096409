#include "quadrature/stop_token.hpp"

#include <chrono>
#include <cstdio>
#include <mutex>

#include <unistd.h>

namespace lpcert {

namespace detail {

// Why a source stopped; 0 = running.
enum Reason : int { Running = 0, Flag = 1, Time = 2, Memory = 3, Explicit = 4 };

struct StopState {
    std::atomic<int> reason{Running};
    std::atomic<long long> start_ns{0};
    std::atomic<double> budget_seconds{0};
    std::atomic<long> budget_bytes{0};
    std::atomic<long long> last_poll_ns{0};
    std::atomic<const std::atomic<bool>*> flag{nullptr};
    std::mutex text_mutex;
    std::string explicit_reason, flag_reason;
};

}  // namespace detail

namespace {

using detail::StopState;

long long now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void poll(StopState& s) {
    int expected = detail::Running;
    if (const auto* f = s.flag.load(std::memory_order_relaxed); f && f->load(std::memory_order_relaxed)) {
        s.reason.compare_exchange_strong(expected, detail::Flag);
        return;
    }
    const double seconds = s.budget_seconds.load(std::memory_order_relaxed);
    const long bytes = s.budget_bytes.load(std::memory_order_relaxed);
    if (seconds <= 0 && bytes <= 0) return;
    const long long now = now_ns();
    long long last = s.last_poll_ns.load(std::memory_order_relaxed);
    if (now - last < 20'000'000LL || !s.last_poll_ns.compare_exchange_strong(last, now)) return;
    if (seconds > 0 && static_cast<double>(now - s.start_ns.load()) * 1e-9 > seconds) {
        s.reason.compare_exchange_strong(expected, detail::Time);
    } else if (bytes > 0 && resident_memory_bytes() > bytes) {
        s.reason.compare_exchange_strong(expected, detail::Memory);
    }
}

}  // namespace

bool StopToken::stop_requested() const {
    if (!state_) return false;
    if (state_->reason.load(std::memory_order_relaxed) != detail::Running) return true;
    poll(*state_);
    return state_->reason.load(std::memory_order_relaxed) != detail::Running;
}

void StopToken::throw_if_stop_requested() const {
    if (stop_requested()) throw Stopped(reason());
}

std::string StopToken::reason() const {
    if (!state_) return "";
    switch (state_->reason.load()) {
        case detail::Flag: {
            std::lock_guard<std::mutex> lock(state_->text_mutex);
            return state_->flag_reason;
        }
        case detail::Time: {
            char s[64];
            std::snprintf(s, sizeof s, "time budget of %g s spent", state_->budget_seconds.load());
            return s;
        }
        case detail::Memory: return "memory budget of " + std::to_string(state_->budget_bytes.load() >> 20) + " MiB exceeded";
        case detail::Explicit: {
            std::lock_guard<std::mutex> lock(state_->text_mutex);
            return state_->explicit_reason;
        }
        default: return "";
    }
}

long StopToken::memory_budget_bytes() const { return state_ ? state_->budget_bytes.load() : 0; }

StopSource::StopSource() : state_(std::make_shared<StopState>()) { state_->start_ns = now_ns(); }

void StopSource::set_budgets(double max_seconds, long max_memory_bytes) {
    state_->start_ns = now_ns();
    state_->last_poll_ns = 0;
    state_->budget_seconds = max_seconds > 0 ? max_seconds : 0;
    state_->budget_bytes = max_memory_bytes > 0 ? max_memory_bytes : 0;
}

void StopSource::watch_flag(const std::atomic<bool>* flag, const std::string& why) {
    {
        std::lock_guard<std::mutex> lock(state_->text_mutex);
        state_->flag_reason = why;
    }
    state_->flag = flag;
}

void StopSource::request_stop(const std::string& why) {
    {
        std::lock_guard<std::mutex> lock(state_->text_mutex);
        state_->explicit_reason = why;
    }
    int expected = detail::Running;
    state_->reason.compare_exchange_strong(expected, detail::Explicit);
}

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
