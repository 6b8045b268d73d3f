// One step of an int8 scan's recurrence, h = sat32(rshift_round(abar * h, 15) + bx) (docs/numerics.md),
// written as the shortest dependency chain: the rounding constant and the input term are folded into one
// 64-bit addend computed off the chain, addend = 2^14 + bx * 2^15, so that
//     h' = sat32((abar * h + addend) >> 15)
// is one wide multiply-add and a saturation decided on the high word. This is exact: bx * 2^15 is a
// multiple of 2^15, so floor((p + 2^14 + bx 2^15) / 2^15) = floor((p + 2^14) / 2^15) + bx; and
// |abar h| <= 2^46, |bx 2^15| <= 2^37, so the sum never leaves int64.
#pragma once

#include <cstdint>

namespace ssmsim::cuda {

__device__ __forceinline__ int64_t scan_addend(int64_t bx) { return (int64_t{1} << 14) + bx * 32768; }

__device__ __forceinline__ int32_t scan_step(int32_t abar, int32_t h, int64_t addend, uint32_t& clips) {
    const int64_t u = int64_t{abar} * h + addend;
    const int32_t hi = static_cast<int32_t>(u >> 32);
    // u >> 15 exceeds int32 exactly when u >= 2^46 (hi >= 2^14) or u < -2^46 (hi < -2^14).
    const bool over = hi >= (1 << 14), under = hi < -(1 << 14);
    clips += over | under;
    const int32_t low =
        static_cast<int32_t>(__funnelshift_r(static_cast<uint32_t>(u), static_cast<uint32_t>(hi), 15));
    return over ? INT32_MAX : (under ? INT32_MIN : low);
}

}  // namespace ssmsim::cuda
