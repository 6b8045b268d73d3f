// Integers from the user, parsed and combined with overflow detection. A number that does not fit, a
// fraction, "1e3", "0x10", a sign on an unsigned value or trailing text is refused with the text as given,
// never wrapped, truncated or read as something else (strtoll would read "12abc" as 12, a cast would make
// 18446744073709551615 into -1).
#pragma once

#include <charconv>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "sim/util/error.h"

namespace ssmsim {

// The value of `text` when it is a plain decimal integer (an optional '-' for signed types, then digits)
// inside [lo, hi]; std::nullopt otherwise.
template <std::integral T>
std::optional<T> parse_integer(std::string_view text, T lo = std::numeric_limits<T>::min(),
                               T hi = std::numeric_limits<T>::max()) {
    if (text.empty() || text.front() == '+') return std::nullopt;
    if constexpr (std::is_unsigned_v<T>) {
        if (text.front() == '-') return std::nullopt;  // from_chars would refuse it; say so explicitly
    }
    T value{};
    const char* end = text.data() + text.size();
    const auto [at, ec] = std::from_chars(text.data(), end, value, 10);
    if (ec != std::errc() || at != end || value < lo || value > hi) return std::nullopt;
    return value;
}

// What a message says is expected of an integer argument: "an integer in [0, 4194304]", with its unit.
template <std::integral T>
std::string integer_range_text(T lo, T hi, std::string_view unit = {}) {
    return fmt::format("an integer in [{}, {}]{}", lo, hi, unit.empty() ? "" : fmt::format(" ({})", unit));
}

// As parse_integer, but a refusal is an InputError naming `where` ("--seq-len"), the range and the text.
template <std::integral T>
T parse_integer_arg(std::string_view text, const std::string& where, T lo, T hi, std::string_view unit = {}) {
    if (const auto v = parse_integer<T>(text, lo, hi)) return *v;
    throw InputError(where, integer_range_text(lo, hi, unit), fmt::format("'{}'", text));
}

// How a message names a JSON number (`text`: as dumped) given where an integer is expected:
// "2.5 (a fraction: counts are not rounded)", "1000.0 (a decimal point or exponent: write an integer)",
// "1e+23 (beyond 64-bit integers)".
inline std::string non_integer_text(double x, const std::string& text) {
    if (std::fabs(x) >= 0x1p63) return text + " (beyond 64-bit integers)";  // JSON reads 1e23 as a float
    if (x == std::trunc(x)) return text + " (a decimal point or exponent: write an integer)";
    return text + " (a fraction: counts are not rounded)";
}

// a * b and a + b for non-negative counts, or std::nullopt when the result exceeds `limit`.
inline std::optional<int64_t> checked_mul(int64_t a, int64_t b,
                                          int64_t limit = std::numeric_limits<int64_t>::max()) {
    int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r) || r > limit) return std::nullopt;
    return r;
}

inline std::optional<int64_t> checked_add(int64_t a, int64_t b,
                                          int64_t limit = std::numeric_limits<int64_t>::max()) {
    int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r) || r > limit) return std::nullopt;
    return r;
}

// `mib` MiB in bytes, saturating at the largest int64 (a budget of 2^43 MiB or more means "no limit",
// not a wrapped negative number that refuses everything).
inline int64_t mib_to_bytes_saturating(int64_t mib) {
    return checked_mul(mib, int64_t{1} << 20).value_or(std::numeric_limits<int64_t>::max());
}

}  // namespace ssmsim
