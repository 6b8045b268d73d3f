#include "sim/util/progress.h"

#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>

namespace ssmsim {

Progress::Progress(std::string label, size_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled && terminal()),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { finish(); }

bool Progress::terminal() { return ::isatty(STDERR_FILENO) == 1; }

void Progress::update(size_t done, const std::string& item) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;  // keep redraws cheap
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const int width = 30;
    const int filled = total_ ? static_cast<int>(width * done / total_) : width;
    const double eta = done ? elapsed * (total_ - done) / done : 0.0;
    fmt::print(stderr, "\r{} [{}{}] {}/{} {:.1f}s eta {:.0f}s {:<28.28}", label_, std::string(filled, '#'),
               std::string(width - filled, ' '), done, total_, elapsed, eta, item);
    std::fflush(stderr);
}

void Progress::finish() {
    if (!enabled_ || finished_) return;
    finished_ = true;
    fmt::print(stderr, "\r{:<110}\r", "");
    std::fflush(stderr);
}

}  // namespace ssmsim
