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

// a * b + c with a 32 x 32 -> 64-bit signed product: one IMAD.WIDE. Written in PTX because nvcc lowers
// int64_t{a} * b, for int32 a and b, to a full 64 x 64-bit multiply (four instructions on the chain).
__device__ __forceinline__ int64_t mad_wide(int32_t a, int32_t b, int64_t c) {
    int64_t d;
    asm("mad.wide.s32 %0, %1, %2, %3;" : "=l"(d) : "r"(a), "r"(b), "l"(c));
    return d;
}

// The addend of a step whose input term is bx (|bx| < 2^31 / 2^15 is not needed: the product is 64-bit).
__device__ __forceinline__ int64_t scan_addend(int32_t bx) { return mad_wide(bx, 32768, int64_t{1} << 14); }

__device__ __forceinline__ int32_t scan_step(int32_t abar, int32_t h, int64_t addend, uint32_t& clips) {
    const int64_t u = mad_wide(abar, h, addend);
    const int32_t hi = static_cast<int32_t>(u >> 32);
    // u >> 15 exceeds int32 exactly when u >= 2^46 (hi >= 2^14) or u < -2^46 (hi < -2^14).
    const bool over = hi >= (1 << 14), under = hi < -(1 << 14);
    clips += over | under;
    const int32_t low =
        static_cast<int32_t>(__funnelshift_r(static_cast<uint32_t>(u), static_cast<uint32_t>(hi), 15));
    return over ? INT32_MAX : (under ? INT32_MIN : low);
}

// The same step without its saturation, for speculation: exact whenever u >> 15 fits int32, and `bad` records
// when it did not (hi outside [-2^14, 2^14), one compare folded into a predicate, off the chain). A kernel
// runs a chunk of steps this way and re-runs it from its saved h with scan_step when `bad` is set, so its
// outputs and saturation counts are the contract's; only a thread whose chunk saturated pays the second pass.
// This takes the two compares and selects of the saturation off the chain and the clip count out of the step.
__device__ __forceinline__ int32_t scan_step_unchecked(int32_t abar, int32_t h, int64_t addend, bool& bad) {
    const int64_t u = mad_wide(abar, h, addend);
    const int32_t hi = static_cast<int32_t>(u >> 32);
    bad |= static_cast<uint32_t>(hi + (1 << 14)) >= (1u << 15);
    return static_cast<int32_t>(__funnelshift_r(static_cast<uint32_t>(u), static_cast<uint32_t>(hi), 15));
}

}  // namespace ssmsim::cuda
