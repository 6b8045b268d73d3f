// Helpers shared by the input generators; not part of the public API.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace ssmsim::workloads::detail {

// Every argument error reads "<task>: <parameter> must be <expected>, got <found>".
[[noreturn]] inline void bad_argument(const std::string& task, const std::string& parameter,
                                      const std::string& expected, int64_t found) {
    throw std::invalid_argument(task + ": " + parameter + " must be " + expected + ", got " +
                                std::to_string(found));
}

inline void require_min_seq_len(const std::string& task, int64_t seq_len, int64_t min_len) {
    if (seq_len < min_len) {
        bad_argument(task, "seq_len", ">= " + std::to_string(min_len), seq_len);
    }
}

// Integer square root without floating point, so the check is exact for any int64.
inline int64_t isqrt(int64_t n) {
    int64_t lo = 0;
    int64_t hi = 3037000500;  // > sqrt(INT64_MAX)
    while (hi - lo > 1) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (mid * mid <= n) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// Side of a square image whose row-major pixels fill seq_len; throws unless seq_len = side^2, side >= min.
inline int64_t square_side(const std::string& task, int64_t seq_len, int64_t min_side) {
    const std::string expected = "a perfect square side*side with side >= " + std::to_string(min_side) +
                                 " (e.g. " + std::to_string(32 * 32) + " for side 32)";
    if (seq_len < min_side * min_side) {
        bad_argument(task, "seq_len", expected, seq_len);
    }
    const int64_t side = isqrt(seq_len);
    if (side * side != seq_len) {
        bad_argument(task, "seq_len", expected, seq_len);
    }
    return side;
}

// Round-to-nearest signed division (halves away from zero); b > 0.
inline int64_t div_round(int64_t a, int64_t b) { return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b); }

// Floor division for b > 0 (C++ '/' truncates toward zero).
inline int64_t div_floor(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace ssmsim::workloads::detail
