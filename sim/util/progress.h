// A one-line progress bar on stderr, drawn only when stderr is a terminal (or SSMSIM_PROGRESS=1 forces it)
// and the user did not ask for quiet. The line is cut to the terminal's width, and a clock thread redraws it
// twice a second, so that a long step without a count (building a trace) still shows it is alive.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace ssmsim {

class Progress {
public:
    // `width`: the columns to fit in; 0 asks the terminal (terminal_width()).
    Progress(std::string label, size_t total, bool enabled, int width = 0);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void update(size_t done, const std::string& item);
    // A step without a count, e.g. "building lra:image:mamba": drawn as "label: what  3.2s" until the
    // next update().
    void phase(const std::string& what);
    void finish();

    static bool terminal();       // stderr is a TTY, or the environment has SSMSIM_PROGRESS=1
    static int terminal_width();  // stderr's window (TIOCGWINSZ), else $COLUMNS, else 80
    // One drawn line, at most width - 1 columns (writing the last column wraps on many terminals): the bar
    // narrows, then the item and the eta go, before the rest is cut.
    static std::string line(const std::string& label, size_t done, size_t total, double elapsed,
                            const std::string& item, int width);
    static std::string phase_line(const std::string& label, const std::string& what, double elapsed,
                                  int width);

private:
    void draw_locked();
    void tick();

    std::string label_;
    size_t total_;
    bool enabled_;
    int width_;
    bool finished_ = false;
    bool in_phase_ = false;
    std::string text_;  // the item, or the phase's text
    size_t done_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    std::mutex mutex_;
    std::condition_variable stop_;
    std::thread clock_;
};

}  // namespace ssmsim
