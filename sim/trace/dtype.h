// Element types a trace tensor may have, with their NumPy descriptors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssmsim {

enum class DType { int8, int16, int32, float32 };

inline constexpr size_t dtype_size(DType t) {
    switch (t) {
        case DType::int8:
            return 1;
        case DType::int16:
            return 2;
        case DType::int32:
            return 4;
        case DType::float32:
            return 4;
    }
    return 0;
}

inline constexpr std::string_view dtype_name(DType t) {
    switch (t) {
        case DType::int8:
            return "int8";
        case DType::int16:
            return "int16";
        case DType::int32:
            return "int32";
        case DType::float32:
            return "float32";
    }
    return "?";
}

// Little-endian NumPy descriptors; '|i1' is endian-free.
inline constexpr std::string_view dtype_npy_descr(DType t) {
    switch (t) {
        case DType::int8:
            return "|i1";
        case DType::int16:
            return "<i2";
        case DType::int32:
            return "<i4";
        case DType::float32:
            return "<f4";
    }
    return "?";
}

inline std::optional<DType> parse_dtype(std::string_view s) {
    for (DType t : {DType::int8, DType::int16, DType::int32, DType::float32}) {
        if (s == dtype_name(t)) return t;
    }
    return std::nullopt;
}

inline std::optional<DType> parse_npy_descr(std::string_view s) {
    if (s == "|i1" || s == "<i1" || s == "i1") return DType::int8;
    for (DType t : {DType::int16, DType::int32, DType::float32}) {
        if (s == dtype_npy_descr(t)) return t;
    }
    return std::nullopt;
}

template <typename T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<int8_t>() {
    return DType::int8;
}
template <>
constexpr DType dtype_of<int16_t>() {
    return DType::int16;
}
template <>
constexpr DType dtype_of<int32_t>() {
    return DType::int32;
}
template <>
constexpr DType dtype_of<float>() {
    return DType::float32;
}

}  // namespace ssmsim
