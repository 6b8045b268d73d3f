// $readmemh files of the scan unit's tables, written from the bytes of a table tensor (the generator's
// output, sim/numerics/tables.h, as a trace carries it): one hexadecimal entry per line, `digits` wide,
// two's complement for negative entries.
#pragma once

#include <cstdint>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace ssmsim::rtl {

template <typename T>
void write_memh(const std::string& path, std::span<const T> entries, int digits) {
    std::ofstream f(path);
    if (!f) throw std::runtime_error("cannot write " + path);
    const uint64_t mask = digits >= 16 ? ~uint64_t{0} : (uint64_t{1} << (4 * digits)) - 1;
    for (const T v : entries)
        f << fmt::format("{:0{}x}\n", static_cast<uint64_t>(static_cast<int64_t>(v)) & mask, digits);
    if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace ssmsim::rtl
