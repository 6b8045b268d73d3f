// Integer command-line arguments, checked as text (sim/util/checked_int.h) before CLI11 converts them, so
// that "1.5", "1e3", "-1" for a count, or a number beyond 64 bits is refused in ssmsim's words:
// "--seq-len: expected an integer in [0, 4194304] (time steps), found '1.5'".
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "sim/util/checked_int.h"

namespace ssmsim::cli {

inline constexpr int64_t kMaxSeqLen = int64_t{1} << 22;  // 4M time steps: 256 times Path-X
inline constexpr int kMaxJobs = 4096;

template <std::integral T>
CLI::Validator integer_arg(T lo, T hi, std::string unit = {}) {
    return CLI::Validator(
        [lo, hi, unit](const std::string& text) -> std::string {
            if (parse_integer<T>(text, lo, hi)) return "";
            return "expected " + integer_range_text(lo, hi, unit) + ", found '" + text + "'";
        },
        "INT");
}

}  // namespace ssmsim::cli
