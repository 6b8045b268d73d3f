// A one-line progress bar on stderr, drawn only when stderr is a terminal and the user did not ask for quiet.
#pragma once

#include <chrono>
#include <string>

namespace ssmsim {

class Progress {
public:
    Progress(std::string label, size_t total, bool enabled);
    ~Progress();
    void update(size_t done, const std::string& item);
    void finish();

    static bool terminal();  // stderr is a TTY

private:
    std::string label_;
    size_t total_;
    bool enabled_;
    bool finished_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace ssmsim
