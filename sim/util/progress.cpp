#include "sim/util/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace ssmsim {

namespace {

constexpr int kMaxBar = 30;

// Cut to n columns (the bar prints ASCII labels and workload names).
std::string cut(std::string s, int n) {
    if (n <= 0) return "";
    if (static_cast<int>(s.size()) > n) s.resize(static_cast<size_t>(n));
    return s;
}

}  // namespace

Progress::Progress(std::string label, size_t total, bool enabled, int width)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled && terminal()),
      width_(width > 0 ? width : terminal_width()),
      start_(std::chrono::steady_clock::now()) {
    if (!enabled_) return;
    // The clock thread takes no signal: the interrupt handler (sim/util/interrupt.h) stays on the main one.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    clock_ = std::thread([this] { tick(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

Progress::~Progress() { finish(); }

bool Progress::terminal() {
    const char* forced = std::getenv("SSMSIM_PROGRESS");
    if (forced && std::string(forced) == "1") return true;
    return ::isatty(STDERR_FILENO) == 1;
}

int Progress::terminal_width() {
    winsize ws{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    if (const char* c = std::getenv("COLUMNS")) {
        const int n = std::atoi(c);
        if (n > 0) return n;
    }
    return 80;
}

std::string Progress::line(const std::string& label, size_t done, size_t total, double elapsed,
                           const std::string& item, int width) {
    const int room = width - 1;
    const std::string counts = fmt::format(" {}/{} {:.1f}s", done, total, elapsed);
    const double eta_s = done ? elapsed * static_cast<double>(total - std::min(done, total)) / done : 0.0;
    const std::string eta = fmt::format(" eta {:.0f}s", eta_s);
    // label [bar] counts eta item: the bar shrinks from 30 to 10 cells, then the item and the eta are
    // dropped; what is left is cut.
    for (const bool with_item : {true, false}) {
        for (const bool with_eta : {true, false}) {
            if (with_item && !with_eta) continue;
            const std::string tail = counts + (with_eta ? eta : "") + (with_item && !item.empty() ? " " : "");
            const int fixed = static_cast<int>(label.size() + 3 + tail.size());
            const int item_room = with_item ? 28 : 0;  // whatever this item's length: the bar keeps its width
            const int bar = std::min(kMaxBar, room - fixed - item_room);
            if (bar < 10) continue;
            const int filled = total ? static_cast<int>(bar * std::min(done, total) / total) : bar;
            std::string s = fmt::format("{} [{}{}]{}", label, std::string(filled, '#'),
                                        std::string(bar - filled, ' '), tail);
            if (with_item) s += cut(item, room - static_cast<int>(s.size()));
            return s;
        }
    }
    return cut(label + counts, room);
}

std::string Progress::phase_line(const std::string& label, const std::string& what, double elapsed,
                                 int width) {
    const std::string clock = fmt::format(" {:.1f}s", elapsed);
    const int room = width - 1;
    const std::string head = label + ": ";
    const int what_room = room - static_cast<int>(head.size() + clock.size());
    if (what_room < 4) return cut(head + what, room);
    return head + cut(what, what_room) + clock;
}

void Progress::draw_locked() {
    const auto now = std::chrono::steady_clock::now();
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const std::string s = in_phase_ ? phase_line(label_, text_, elapsed, width_)
                                    : line(label_, done_, total_, elapsed, text_, width_);
    // The line is padded to the width so that a shorter one covers a longer one drawn before it.
    fmt::print(stderr, "\r{:<{}}", s, std::max(0, width_ - 1));
    std::fflush(stderr);
}

void Progress::update(size_t done, const std::string& item) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    if (finished_) return;
    const bool was_phase = in_phase_;
    in_phase_ = false;
    done_ = done;
    text_ = item;
    const auto now = std::chrono::steady_clock::now();
    if (!was_phase && done < total_ && now - last_draw_ < std::chrono::milliseconds(100))
        return;  // keep redraws cheap
    draw_locked();
}

void Progress::phase(const std::string& what) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    if (finished_) return;
    in_phase_ = true;
    text_ = what;
    draw_locked();
}

void Progress::tick() {
    std::unique_lock lock(mutex_);
    while (!finished_) {
        stop_.wait_for(lock, std::chrono::milliseconds(500));
        if (finished_) break;
        if (std::chrono::steady_clock::now() - last_draw_ >= std::chrono::milliseconds(450)) draw_locked();
    }
}

void Progress::finish() {
    if (!enabled_) return;
    {
        std::lock_guard lock(mutex_);
        if (finished_) return;
        finished_ = true;
        fmt::print(stderr, "\r{:<{}}\r", "", std::max(0, width_ - 1));
        std::fflush(stderr);
    }
    stop_.notify_all();
    if (clock_.joinable()) clock_.join();
}

}  // namespace ssmsim
