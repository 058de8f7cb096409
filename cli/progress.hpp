#pragma once
// A progress bar on stderr for work slower than about a second (INTERFACE.md): the stage, the
// work done out of the total, and an estimate of the time left. Silent when quiet.

#include <chrono>
#include <mutex>
#include <string>

namespace lpcert {

class Progress {
public:
    explicit Progress(bool quiet) : quiet_(quiet), start_(std::chrono::steady_clock::now()) {}
    ~Progress() { finish(); }
    // Thread-safe; draws at most ten times a second, and only after the first second.
    void update(const std::string& stage, long done, long total);
    void finish();

private:
    bool quiet_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_;
    std::mutex mutex_;
};

}  // namespace lpcert
