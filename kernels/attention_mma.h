// Internal to kernels/: the tensor-core path of attention_i8 (attention_mma.cu) and the index maps it is
// built from. The maps are constexpr host/device functions so that a host program can check them against
// the PTX ISA's fragment tables without a GPU.
//
// Fragment layouts of mma.sync.aligned.m16n8k32 with .s8/.u8 operands and .s32 accumulators (PTX ISA,
// "Matrix Fragments for mma.m16n8k32"). groupID g = lane >> 2, threadID_in_group t = lane & 3; every .b32
// register holds four 8-bit elements, the lowest-numbered in the low byte:
//   A 16x32, row-major:  a0 row g,   k 4t..4t+3     a1 row g+8, k 4t..4t+3
//                        a2 row g,   k 16+4t..+3    a3 row g+8, k 16+4t..+3
//   B 32x8, "col":       b0 k 4t..4t+3 of column n = g            b1 k 16+4t..+3 of column g
//   C/D 16x8 int32:      c0, c1 row g,   columns 2t, 2t+1          c2, c3 row g+8, columns 2t, 2t+1
#pragma once

#include <cstdint>

#include "kernels/mma_fragments.h"
#include "kernels/ops.h"
#include "sim/numerics/fixed_point.h"

namespace ssmsim::cuda::attn_mma {

// A CTA owns 16 * NW queries, one query warp per 16 rows, and NS warps share each query warp's rows, each
// taking its own 32-key chunks of every key tile (a key split: more warps at small grids, attention_mma.cu,
// split_for).
inline constexpr int kWarpRows = 16;
inline constexpr int kChunk = 32;
// Keys per staged tile: two chunks, or one chunk per split warp when there are more.
SSMSIM_HD constexpr int keys_per_tile(int ns) { return kChunk * (ns > 2 ? ns : 2); }
// Longest sequence of the fast path. It keeps the row sum of the exponentials (<= L * 2^15 < 2^31), the
// division's numerator (<= 2^30 + sum / 2 < 2^31, as div_by needs) and every P·V accumulator in 32 bits: see
// attention_mma.cu's header.
inline constexpr int64_t kMaxLen = 65535;
// Largest exp table staged in shared memory (32 KiB); a larger one is read through the read-only cache.
inline constexpr int64_t kMaxSmemTable = 8192;

// ---- PTX fragment maps (kernels/mma_fragments.h) ----
using namespace mma_m16n8k32;

// ---- P·V k-slot order ----
// The sum over keys does not care which k slot of the P·V mma holds which key, as long as A (P) and B (V)
// agree. Inside a chunk of 32 keys, key kl = 8 * n + 2 * t + u (n: the score n-tile 0..3, t: the lane's
// threadID_in_group, u: 0 or 1) sits in slot 16 * (n >> 1) + 4 * t + 2 * (n & 1) + u. With that order the
// score accumulators a lane holds (c_col) are exactly the A-fragment bytes it must supply (a_col), so P never
// leaves the registers; V is staged transposed in that slot order.
SSMSIM_HD constexpr int slot_of_key(int kl) {
    return 16 * ((kl >> 3) >> 1) + 4 * ((kl >> 1) & 3) + 2 * ((kl >> 3) & 1) + (kl & 1);
}
SSMSIM_HD constexpr int key_of_slot(int s) {
    return 8 * (2 * (s >> 4) + ((s >> 1) & 1)) + 2 * ((s >> 2) & 3) + (s & 1);
}
// Score accumulator i of n-tile n (inside a chunk) -> register and byte of the lane's P A-fragment.
SSMSIM_HD constexpr int p_reg(int n, int i) { return 2 * (n >> 1) + (i >> 1); }
SSMSIM_HD constexpr int p_byte(int n, int i) { return 2 * (n & 1) + (i & 1); }
// Transposed V tile: byte b of 32-bit word w (0 .. keys / 4 - 1) of a row holds the tile-local key vt_key(w,
// b).
SSMSIM_HD constexpr int vt_key(int w, int b) { return kChunk * (w >> 3) + key_of_slot(4 * (w & 7) + b); }

// ---- integer helpers ----
SSMSIM_HD uint32_t byte_perm(uint32_t a, uint32_t b, uint32_t sel) {
#if defined(__CUDA_ARCH__)
    return __byte_perm(a, b, sel);
#else
    const uint64_t v = (uint64_t{b} << 32) | a;
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i)
        r |= static_cast<uint32_t>((v >> (8 * ((sel >> (4 * i)) & 7))) & 0xff) << (8 * i);
    return r;
#endif
}
// 4x4 byte transpose: byte b of out[r] = byte r of x[b].
SSMSIM_HD void transpose4x4(const uint32_t (&x)[4], uint32_t (&out)[4]) {
    const uint32_t lo01 = byte_perm(x[0], x[1], 0x5140), hi01 = byte_perm(x[0], x[1], 0x7362);
    const uint32_t lo23 = byte_perm(x[2], x[3], 0x5140), hi23 = byte_perm(x[2], x[3], 0x7362);
    out[0] = byte_perm(lo01, lo23, 0x5410);
    out[1] = byte_perm(lo01, lo23, 0x7632);
    out[2] = byte_perm(hi01, hi23, 0x5410);
    out[3] = byte_perm(hi01, hi23, 0x7632);
}
// P fragment bytes of one row half h of an n-tile pair (n = 2m, 2m + 1): p[n & 1][u] is the probability of
// score accumulator i = 2h + u of n-tile n (0..32768, so 16 bits). Register p_reg(n, i) = 2m + h gets the low
// bytes (lo) or the high bytes (hi = p >> 8, 0..128) at byte p_byte(n, i) = 2 * (n & 1) + u.
SSMSIM_HD void pack_p(const uint32_t (&p)[2][2], uint32_t& lo, uint32_t& hi) {
    const uint32_t even = p[0][0] | (p[0][1] << 16), odd = p[1][0] | (p[1][1] << 16);
    lo = byte_perm(even, odd, 0x6420);
    hi = byte_perm(even, odd, 0x7531);
}
SSMSIM_HD uint32_t umulhi(uint32_t a, uint32_t b) {
#if defined(__CUDA_ARCH__)
    return __umulhi(a, b);
#else
    return static_cast<uint32_t>((uint64_t{a} * b) >> 32);
#endif
}
// floor(n / d) for 1 <= d < 2^31 and 0 <= n < 2^31 as a shift, a multiply-high and a shift: the Divisor of d
// is m = ceil(2^(31 + l) / d) with l = ceil(log2 d), and floor(n / d) = floor(n * m / 2^(31 + l)) =
// umulhi(2 n, m) >> l. Exact (Granlund and Montgomery, "Division by invariant integers using
// multiplication", 1994, Theorem 4.2 with N = 31): 2^(31 + l) <= m * d <= 2^(31 + l) + d - 1 <= 2^(31 + l) +
// 2^l. m fits 32 bits: m = 2^32 would need 2^(31 + l) / d > 2^32 - 1, i.e. d <= 2^(l - 1), which l's choice
// rules out (d = 1: l = 0, m = 2^31). 2 n < 2^32, and the two floors compose: floor(floor(x / 2^32) / 2^l) =
// floor(x / 2^(32 + l)) with x = 2 n m.
struct Divisor {
    uint32_t mult;
    int shift;
};
SSMSIM_HD Divisor divisor_of(uint32_t d) {
    int l = 0;
    while (l < 31 && (uint32_t{1} << l) < d) ++l;
    const uint64_t p = uint64_t{1} << (31 + l);
    return {static_cast<uint32_t>((p + d - 1) / d), l};
}
// floor(n2 / 2 / d) for an even n2 = 2 n < 2^32: the kernel forms 2 n directly (no extra shift per score).
SSMSIM_HD uint32_t div_by_doubled(uint32_t n2, const Divisor& v) { return umulhi(n2, v.mult) >> v.shift; }
SSMSIM_HD uint32_t div_by(uint32_t n, const Divisor& v) { return div_by_doubled(n << 1, v); }

// Table index of a score at distance diff = best - s (0 <= diff < 2^23 since |s| <= 128 * 2^14) in 32-bit
// form: table_index(diff * mult, shift, T) is non-decreasing in diff (mult >= 0), so with clamp_from the
// smallest diff whose index reaches T - 1, every smaller diff has index rshift_round(diff * mult, shift) in
// 0 .. T - 2 and needs no clamp. round_add = 2^(shift - 1), or 0 when shift = 0.
//
// The short form, when shift >= 33 (then mult < 2^31 < 2^shift: a score step moves the index by less than one
// entry; every LRA workload: shift 36 or 37, mult / 2^shift ~ 0.01): the index grows by at most 1 per unit of
// diff, so index(clamp_from) is exactly T - 1 and the clamp becomes min(diff, clamp_from). round_add =
// 2^(shift - 1) is then a multiple of 2^32, so the rounding floor((diff * mult + round_add) / 2^shift) is
// (umulhi(diff, mult) + hi_add) >> hi_shift with hi_add = 2^(shift - 33) and hi_shift = shift - 32: a
// multiply-high with an addend and a shift, all 32-bit (umulhi < 2^22 for diff <= 2^23, so the sum stays
// below 2^32).
struct TableIndex {
    uint32_t mult, clamp_from, last;
    uint64_t round_add;
    int shift;
    bool short_form;
    uint32_t hi_add;
    int hi_shift;
};
inline constexpr int64_t kMaxDiff = int64_t{1} << 23;  // above every best - s_j of dh <= 128
inline TableIndex table_index_form(int64_t score_mult, int score_shift, int64_t table_size) {
    auto index = [&](int64_t diff) { return fx::table_index(diff * score_mult, score_shift, table_size); };
    int64_t lo = 0, hi = kMaxDiff;  // smallest diff in [0, kMaxDiff] whose index is T - 1; kMaxDiff if none
    if (index(hi) < table_size - 1) {
        lo = hi;
    } else {
        while (lo < hi) {
            const int64_t mid = lo + (hi - lo) / 2;
            if (index(mid) >= table_size - 1)
                hi = mid;
            else
                lo = mid + 1;
        }
    }
    TableIndex f{static_cast<uint32_t>(score_mult),
                 static_cast<uint32_t>(lo),
                 static_cast<uint32_t>(table_size - 1),
                 score_shift > 0 ? uint64_t{1} << (score_shift - 1) : 0,
                 score_shift,
                 false,
                 0,
                 0};
    if (score_shift >= 33 && score_shift <= 62 && score_mult < (int64_t{1} << 31)) {
        f.short_form = true;
        f.hi_add = uint32_t{1} << (score_shift - 33);
        f.hi_shift = score_shift - 32;
    }
    return f;
}
SSMSIM_HD uint32_t table_index32(const TableIndex& f, uint32_t diff) {
    return diff >= f.clamp_from ? f.last
                                : static_cast<uint32_t>((uint64_t{diff} * f.mult + f.round_add) >> f.shift);
}
// The short form (f.short_form): the same index for every diff, masked keys' (diff >= 2^31) included.
SSMSIM_HD uint32_t table_index32_short(const TableIndex& f, uint32_t diff) {
    const uint32_t d = diff < f.clamp_from ? diff : f.clamp_from;
    return (umulhi(d, f.mult) + f.hi_add) >> f.hi_shift;
}

// ---- entry points (attention_mma.cu) ----
// Whether the fast path takes this call: dh = W / heads in {4, 8, 16, 32, 64, 128}, 1 <= L <= kMaxLen, a
// table of at least one entry, score_mult in [0, 2^31 - 1] and score_shift in [0, 62] (the contract's
// ranges), q/k/v and W aligned to the load width min(dh, 16) bytes, and a grid that fits.
bool fits(const int8_t* q, const int8_t* k, const int8_t* v, int64_t table_size, int64_t score_mult,
          int score_shift, const AttentionShape& s);
void attention_i8(const int8_t* q, const int8_t* k, const int8_t* v, const int32_t* exp_table,
                  int64_t table_size, int64_t score_mult, int score_shift, const AttentionShape& s, int8_t* y,
                  Clips clips);

}  // namespace ssmsim::cuda::attn_mma
