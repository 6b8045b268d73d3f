// The integer primitives of the numerics contract (docs/numerics.md). Every implementation — the C++
// reference, the SystemC models, the CUDA kernels — uses these exact definitions, so they are header-only
// and compile under nvcc as host and device code.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define SSMSIM_HD __host__ __device__ __forceinline__
#else
#define SSMSIM_HD inline
#endif

namespace ssmsim::fx {

// Round half up (toward +infinity on ties) after an arithmetic right shift: floor((x + 2^(s-1)) / 2^s).
// s = 0 returns x. Callers keep |x| + 2^(s-1) < 2^63 (docs/numerics.md, "Ranges").
SSMSIM_HD constexpr int64_t rshift_round(int64_t x, int s) {
    return s == 0 ? x : (x + (int64_t{1} << (s - 1))) >> s;
}

// Saturation, counting how often it clips so that overflow cannot hide.
SSMSIM_HD constexpr int8_t sat8(int64_t x, uint64_t& clips) {
    if (x > 127) {
        ++clips;
        return 127;
    }
    if (x < -128) {
        ++clips;
        return -128;
    }
    return static_cast<int8_t>(x);
}

SSMSIM_HD constexpr int32_t sat32(int64_t x, uint64_t& clips) {
    if (x > INT32_MAX) {
        ++clips;
        return INT32_MAX;
    }
    if (x < INT32_MIN) {
        ++clips;
        return INT32_MIN;
    }
    return static_cast<int32_t>(x);
}

// Requantization of an int32 accumulator to int8: sat8(rshift_round(acc * mult, shift)), int64 product.
SSMSIM_HD constexpr int8_t requant(int64_t acc, int64_t mult, int shift, uint64_t& clips) {
    return sat8(rshift_round(acc * mult, shift), clips);
}

// Index into a table of `size` entries: clamp(rshift_round(x, shift), 0, size - 1).
SSMSIM_HD constexpr int64_t table_index(int64_t x, int shift, int64_t size) {
    const int64_t i = rshift_round(x, shift);
    return i < 0 ? 0 : (i >= size ? size - 1 : i);
}

// The value of an int8 LUT entry for input x: tables are indexed by x + 128.
SSMSIM_HD constexpr int lut_index(int8_t x) { return static_cast<int>(x) + 128; }

// Floor of log2 for x >= 1.
SSMSIM_HD constexpr int floor_log2(uint64_t x) {
    int k = 0;
    while (x >>= 1) ++k;
    return k;
}

// Reciprocal square root for the norms: m >= 1 is normalised to an even exponent 2^e and a mantissa index
// idx in [64, 256), idx = (m << 6) >> e; then 1/sqrt(m) ~= rsqrt_table(idx) * 2^-(15 + e/2).
struct RsqrtSplit {
    int idx;
    int half_exp;  // e / 2
};
SSMSIM_HD constexpr RsqrtSplit rsqrt_split(uint64_t m) {
    const int k = floor_log2(m);
    const int e = k & ~1;
    return {static_cast<int>((m << 6) >> e), e / 2};
}

// Fractional bits of the normalised value z inside the norms.
inline constexpr int kNormFracBits = 10;

// Q1.15 scale of the scan decay tables (1.0 = 32768) and of attention probabilities.
inline constexpr int kQ15 = 15;

}  // namespace ssmsim::fx
