#include "cli/progress.hpp"

#include <cstdio>

namespace lpcert {

void Progress::update(const std::string& stage, long done, long total) {
    if (quiet_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (elapsed < 1.0 || std::chrono::duration<double>(now - last_).count() < 0.1) return;
    last_ = now;
    if (done > total) {   // open-ended work (quadrature boxes): a count, no bar
        std::fprintf(stderr, "\r%-40.40s %ld boxes  %5.0fs elapsed            ", stage.c_str(), done, elapsed);
        drawn_ = true;
        return;
    }
    const int width = 30;
    const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
    const int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<size_t>(std::min(filled, width)), '#');
    bar.resize(width, '.');
    const double left = fraction > 0.01 ? elapsed * (1 - fraction) / fraction : 0.0;
    std::fprintf(stderr, "\r%-28.28s [%s] %ld/%ld  %5.0fs elapsed, ~%.0fs left   ", stage.c_str(), bar.c_str(), done,
                 total, elapsed, left);
    drawn_ = true;
}

void Progress::finish() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (drawn_) std::fprintf(stderr, "\r%100s\r", "");
    drawn_ = false;
}

}  // namespace lpcert
