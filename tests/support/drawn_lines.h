// What a progress bar drew: its output split at the carriage returns and newlines that separate redraws.
#pragma once

#include <string>
#include <vector>

namespace ssmsim::testing {

inline std::vector<std::string> drawn_lines(const std::string& out) {
    std::vector<std::string> lines(1);
    for (char c : out) {
        if (c == '\r' || c == '\n') {
            lines.emplace_back();
        } else {
            lines.back() += c;
        }
    }
    return lines;
}

}  // namespace ssmsim::testing
