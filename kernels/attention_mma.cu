// attention_i8 on int8 tensor cores: a FlashAttention-style tiled kernel that computes exactly the integers
// of the contract's integer softmax (docs/numerics.md, "attention (integer softmax)"), so its output and its
// saturation count are byte-identical to reference/ops/attention.cpp.
//
// Work split. One CTA per (16 * NW-query tile, head, batch): NW query warps, each owning 16 query rows whose
// Q stays in registers as mma A fragments for the whole kernel, times NS split warps per query warp that
// share its rows and take disjoint 32-key chunks of every key tile (split_for: NS = 1 when the grid alone
// fills the SMs, 2 or 4 at small batches, where one warp per 16 rows left the schedulers with too few warps
// to hide the latency of the lookups). The split warps' row maxima, sums and P·V accumulators are combined
// through shared memory after each pass (exact: max, and integer sums in any order). Keys come in tiles of 64
// (128 for NS = 4): K (and, in pass 3, V) row-major in shared memory by cp.async, double-buffered so tile kt
// + 1 loads while tile kt is computed. Scores use mma.m16n8k32.s32.s8.s8.s32. Shared memory: 4 tiles of keys
// x (dh + 16) bytes, the transposed V tile dh x (keys + 16), 1 KiB for the split warps' row values, and the
// exp table (4 * T bytes) when T <= 8192 (else it is read through __ldg): 62 KiB at dh = 128 with T = 4096
// and NS <= 2.
//
// Narrow heads (dh = 4, 8, 16) run as dh = 32 with Q's columns dh..31 zero in the A fragments, which adds
// nothing to the exact int32 scores: the K bytes those zeros multiply are never loaded (the B fragment's
// k 16..31 half is 0, and lanes whose k 4t..4t+3 lie past dh re-read a word of the row, times zero). Only
// the dh real bytes of a row are read from global memory (cp.async of dh bytes for dh < 16: rows are only
// dh-byte aligned), K and V tiles are packed [64][dh] (conflict-free without pads: a B fragment load reads
// words 4g + t, 2g + (t & 1) or g), P·V runs ceil(dh / 8) output n-tiles with the B columns past dh zero,
// and the epilogue writes and counts only the dh real columns.
//
// Why three passes. The contract's probabilities need the row maximum before any exponential (e_j is a table
// lookup at (best - s_j) * score_mult, which no later rescaling can reproduce exactly, unlike the float
// online softmax) and the full row sum before any division. So the kernel sweeps the keys three times,
// recomputing Q·K^T each time (tensor-core work is cheap next to the table lookups):
//   pass 1: best = max_j s_j (per lane, then over the quad of lanes that share a row: shfl_xor 1 and 2);
//   pass 2: e_j = table[table_index((best - s_j) * score_mult, score_shift, T)], sum = sum_j e_j;
//   pass 3: p_j = floor((e_j * 2^15 + floor(sum / 2)) / sum) and acc_d += sum_j p_j * v_jd on tensor cores.
// The epilogue writes sat8(rshift_round(acc_d, 15)) and counts its clips like the reference.
//
// Why exact (L <= kMaxLen = 65535, dh <= 128):
//   - |s_j| <= dh * 128 * 128 = dh * 2^14 <= 2^21: the int32 mma accumulator is exact. The table index:
//     0 <= best - s_j <= 2^22, so (best - s_j) * score_mult < 2^22 * 2^31 = 2^53, and adding 2^(shift-1) <=
//     2^61 fits a uint64; the clamp to T - 1 becomes a threshold on best - s_j computed once on the host
//     (attention_mma.h, TableIndex: exact because the index is non-decreasing in best - s_j), and for
//     score_shift >= 33 a min, a multiply-high with an addend and a shift (TableIndex's short form).
//   - e_j <= 2^15 (runtime-checked table values), so sum <= L * 2^15 < 2^31 fits in uint32 (L <= kMaxLen =
//     65535), and the division's numerator n = e_j * 2^15 + floor(sum / 2) <= 2^30 + 2^30 - 2^14 < 2^31: a
//     multiply-high of 2 n by the row's Divisor and a shift (attention_mma.h, div_by_doubled: exact for
//     n < 2^31).
//   - P·V: p = 256 * hi + lo with hi = p >> 8 in 0..128 and lo = p & 255, both valid .u8 operands, so two
//     mma.m16n8k32.s32.u8.s8.s32 per k-step. The lo products accumulate straight into the output accumulator
//     and the hi products of one tile into a fresh accumulator that is added times 256 after the tile. Every
//     int32 value that arises is bounded: sum_j p_j <= 2^15 + n_keys / 2 (each p_j <= e_j * 2^15 / sum +
//     1/2), so a partial sum of p_j * v_jd is at most 128 * (2^15 + L / 2) <= 2^23 in magnitude; a tile's
//     pending lo part adds at most 64 * 255 * 128 < 2^21 and a tile's hi part is at most 64 * 128 * 128 =
//     2^20 (times 256: 2^28). All stay far below 2^31, so the int32 accumulators hold the exact int64 sums of
//     the reference. A split warp's accumulator is the same sum over a subset of the keys, bounded alike, and
//     so is the combined one.
//
// P never leaves the registers: P·V's k slots are permuted inside each 32-key chunk (attention_mma.h,
// slot_of_key) so that the score accumulators a lane holds are exactly the P A-fragment bytes it supplies.
// V is staged transposed ([dh][slot], 4 keys of one column per 32-bit word = the B "col" fragment) in that
// slot order: each thread reads 4 keys x 4 columns of the loaded tile, transposes the 4x4 bytes in registers
// (byte_perm) and writes 4 words. K rows (keys x dh bytes) and Vt rows (columns x slots) are both B's
// columns with k along the row, so one ldmatrix.x4 loads four B fragment registers (ldmatrix_b).
//
// Masking: key j of row i counts iff j <= lim_i = (causal ? min(i, L - 1) : L - 1). Key tiles past the last
// query of the CTA (causal) are never visited; 32-key chunks past a warp's last valid key are skipped by the
// warp, and chunks below every row's limit skip the per-key test; keys past L are zero-filled in shared
// memory and masked. A masked score gets e = 0, hence p = 0. Rows
// past L compute harmlessly on zero Q (key 0 keeps their sums positive) and are not stored; a warp whose 16
// rows are all past L skips its mma work.
#include "kernels/attention_mma.h"

#include <cstdlib>
#include <type_traits>

#include "kernels/common.cuh"

namespace ssmsim::cuda::attn_mma {

namespace {

// ---- device primitives ----

// D = A * B + C, m16n8k32, A s8 (Q) x B s8 (K^T), int32.
__device__ __forceinline__ void mma_s8s8(int (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+r"(c[0]), "+r"(c[1]), "+r"(c[2]), "+r"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
// D = A * B + C, m16n8k32, A u8 (a byte of P) x B s8 (V), int32.
__device__ __forceinline__ void mma_u8s8(int (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm("mma.sync.aligned.m16n8k32.row.col.s32.u8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+r"(c[0]), "+r"(c[1]), "+r"(c[2]), "+r"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// N-byte global -> shared copy (N = 4, 8 or 16; both addresses N-byte aligned); with valid false it writes N
// zero bytes and reads nothing.
template <int N>
__device__ __forceinline__ void cp_async(void* smem, const void* gmem, bool valid) {
    static_assert(N == 4 || N == 8 || N == 16, "cp.async sizes");
    const unsigned dst = static_cast<unsigned>(__cvta_generic_to_shared(smem));
    const int src_bytes = valid ? N : 0;
    if constexpr (N == 16)
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(gmem), "r"(src_bytes)
                     : "memory");
    else
        asm volatile("cp.async.ca.shared.global [%0], [%1], %2, %3;\n" ::"r"(dst), "l"(gmem), "n"(N),
                     "r"(src_bytes)
                     : "memory");
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

// M 8 x 16-byte matrices of shared memory (M even) with ldmatrix (.b16 m8n8, x4 and a last x2): matrix m's
// row r starts at row(m) + r * stride bytes (16-byte aligned). Lane l receives in out[m] bytes 4 (l & 3) ..
// +3 of row l >> 2 of matrix m, which is an m16n8k32 B fragment register (column n = g, k = 4t..4t+3) when
// the rows are B's columns and the bytes its k. One instruction per four registers instead of four LDS.
template <int M, class Row>
__device__ __forceinline__ void ldmatrix_b(uint32_t (&out)[M], int lane, int stride, Row row) {
    static_assert(M % 2 == 0, "pairs of matrices");
#pragma unroll
    for (int q = 0; q < M / 4; ++q) {
        const unsigned a =
            static_cast<unsigned>(__cvta_generic_to_shared(row(4 * q + (lane >> 3)) + (lane & 7) * stride));
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                     : "=r"(out[4 * q]), "=r"(out[4 * q + 1]), "=r"(out[4 * q + 2]), "=r"(out[4 * q + 3])
                     : "r"(a));
    }
    if constexpr (M % 4 == 2) {
        const unsigned a = static_cast<unsigned>(
            __cvta_generic_to_shared(row(M - 2 + ((lane >> 3) & 1)) + (lane & 7) * stride));
        asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0,%1}, [%2];\n"
                     : "=r"(out[M - 2]), "=r"(out[M - 1])
                     : "r"(a));
    }
}

__device__ __forceinline__ uint32_t ld_global32(const int8_t* p) {
    return static_cast<uint32_t>(__ldg(reinterpret_cast<const int*>(p)));
}
__device__ __forceinline__ uint32_t ld_shared32(const unsigned char* p) {
    return *reinterpret_cast<const uint32_t*>(p);
}

// ---- kernel ----

struct Args {
    const int8_t* q;
    const int8_t* k;
    const int8_t* v;
    const int32_t* table;
    int8_t* y;
    Clips clips;
    TableIndex index;
    int table_size;
    int len;
    int width;
    bool causal;
};

template <int V>
struct Pass {
    static constexpr int value = V;
};

// How a score becomes a table entry: the exp table in shared memory with the short or the general index
// form (TableIndex), or a table too large for shared memory read through the read-only cache.
enum class Lookup { kSmemShort, kSmem, kGlobal };

// Geometry of head width DH with KEYS keys per tile, and shared memory in bytes: two K tiles and two V tiles
// as loaded, row-major [KEYS][kKStride] (cp.async, double-buffered), the transposed V tile [DH][kVStride],
// the split warps' row values, then the exp table when it is staged. The B fragments of K (DH >= 32) and of
// the transposed V (DH >= 8) come by ldmatrix, whose every phase reads 16 bytes of 8 consecutive rows; with
// the 16-byte pads a row stride is 4 (mod 8) words, so row r starts at word 4 r (2a + 1) mod 32 for some a:
// eight distinct 4-word groups, no bank conflict. Narrow heads' K needs no pad (see the header).
template <int DH, int KEYS>
struct Geo {
    static constexpr bool kNarrow = DH < 32;
    static constexpr int kSteps = kNarrow ? 1 : DH / 32;  // k-steps of Q·K^T
    static constexpr int kOutTiles = (DH + 7) / 8;        // n-tiles of P·V
    static constexpr int kCopy = DH < 16 ? DH : 16;       // bytes per cp.async
    static constexpr int kKStride = kNarrow ? DH : DH + 16;
    static constexpr int kVStride = KEYS + 16;
    static constexpr int kTileBytes = KEYS * kKStride;
    static constexpr int kVOffset = 2 * kTileBytes;  // V tiles as loaded
    static constexpr int kVtOffset = 4 * kTileBytes;
    static constexpr int kRowOffset = kVtOffset + DH * kVStride;  // [NS][NW * 16] row values
    static constexpr int kRowBytes = 1024;                        // NS * NW <= 16 warps of 16 rows
    static constexpr int kTableOffset = kRowOffset + kRowBytes;
};

// Resident CTAs per SM the register allocation must allow: 20 warps per SM up to dh = 32 (about what shared
// memory allows at NS = 1), 16 at dh = 64 (20 would spill), 8 at dh = 128.
constexpr int min_ctas(int dh, int threads) { return (dh <= 32 ? 640 : dh <= 64 ? 512 : 256) / threads; }

template <int DH, int NW, int NS, Lookup LK>
__global__ void __launch_bounds__(32 * NW * NS, min_ctas(DH, 32 * NW * NS))
    attention_mma_kernel(const Args a) {
    constexpr int KEYS = keys_per_tile(NS);
    using G = Geo<DH, KEYS>;
    constexpr int kThreads = 32 * NW * NS;
    constexpr int kRows = kWarpRows * NW;            // queries of the CTA
    constexpr int kWarpChunks = KEYS / kChunk / NS;  // chunks of a tile per warp: 2 (NS = 1) or 1
    constexpr int KC = G::kSteps;
    constexpr int ND = G::kOutTiles;
    static_assert(DH == 4 || DH == 8 || DH == 16 || DH == 32 || DH == 64 || DH == 128, "dh");
    static_assert(NW * NS <= 16 && (NS == 1 || NS == 2 || NS == 4), "warps");
    static_assert(NS * NW * kWarpRows * 4 <= G::kRowBytes, "row values");
    static_assert(G::kNarrow || (G::kKStride % 16 == 0 && (G::kKStride / 4) % 8 == 4), "K pads");
    static_assert((G::kVStride / 4) % 8 == 4 && G::kTableOffset % 16 == 0, "Vt pads");
    constexpr bool kTableInSmem = LK != Lookup::kGlobal;
    extern __shared__ __align__(16) unsigned char smem[];
    unsigned char* const ks = smem;
    unsigned char* const vs = smem + G::kVOffset;
    unsigned char* const vt = smem + G::kVtOffset;

    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int qw = warp % NW;     // query warp: rows 16 * qw .. of the CTA
    const int split = warp / NW;  // which chunks of each tile this warp takes
    const int L = a.len;
    const int64_t W = a.width;
    const int q0 = static_cast<int>(blockIdx.x) * kRows;
    const int64_t head = static_cast<int64_t>(blockIdx.y) * DH;  // channel offset of the head
    const int64_t seq = static_cast<int64_t>(blockIdx.z) * L;    // flat row of (b, 0)

    if constexpr (kTableInSmem) {
        int32_t* const tab = reinterpret_cast<int32_t*>(smem + G::kTableOffset);
        for (int i = static_cast<int>(threadIdx.x); i < a.table_size; i += kThreads) tab[i] = a.table[i];
        // Visible to all after the first __syncthreads of pass 1.
    }

    // This warp's rows: wrow0 .. wrow0 + 15; the lane's two rows are row[0] (c0, c1) and row[1] (c2, c3).
    const int wrow0 = q0 + kWarpRows * qw;
    const bool live = wrow0 < L;  // warp-uniform: a warp wholly past L computes nothing
    int row[2], lim[2];
#pragma unroll
    for (int h = 0; h < 2; ++h) {
        row[h] = wrow0 + c_row(lane, 2 * h);
        lim[h] = a.causal ? min(row[h], L - 1) : L - 1;
    }
    const int wlim = a.causal ? min(wrow0 + 15, L - 1) : L - 1;  // last key any row of the warp needs
    const int wall = a.causal ? min(wrow0, L - 1) : L - 1;       // last key every row of the warp needs
    const int last_key = a.causal ? min(q0 + kRows - 1, L - 1) : L - 1;
    const int ntiles = last_key / KEYS + 1;

    // Q fragments: qa[kc] is A for dh columns kc*32 .. kc*32+31; rows past L and columns past DH are zero.
    uint32_t qa[KC][4];
#pragma unroll
    for (int kc = 0; kc < KC; ++kc) {
#pragma unroll
        for (int r = 0; r < 4; ++r) {
            const int i = wrow0 + a_row(lane, r);
            const int col = kc * 32 + a_col(lane, r, 0);
            qa[kc][r] =
                i < L && (!G::kNarrow || col < DH) ? ld_global32(a.q + (seq + i) * W + head + col) : 0u;
        }
    }

    // Key tile kt of K (and of V when with_v) -> buffer buf, rows past L zero-filled.
    auto load_tile = [&](int kt, int buf, bool with_v) {
        constexpr int kPerRow = DH / G::kCopy;
        constexpr int kItems = KEYS * kPerRow;
#pragma unroll
        for (int rep = 0; rep < (kItems + kThreads - 1) / kThreads; ++rep) {
            const int c = static_cast<int>(threadIdx.x) + rep * kThreads;
            if (kItems % kThreads != 0 && c >= kItems) break;
            const int r = c / kPerRow, col = (c % kPerRow) * G::kCopy;
            const int j = kt * KEYS + r;
            const bool ok = j < L;
            const int64_t off = ok ? (seq + j) * W + head + col : 0;
            const int dst = buf * G::kTileBytes + r * G::kKStride + col;
            cp_async<G::kCopy>(ks + dst, a.k + off, ok);
            if (with_v) cp_async<G::kCopy>(vs + dst, a.v + off, ok);
        }
    };
    // V tile (buffer buf) -> vt[d][slot], transposed and in P·V slot order.
    auto stage_v = [&](int buf) {
        const unsigned char* src = vs + buf * G::kTileBytes;
        constexpr int kWords = KEYS / 4;  // 32-bit words of a transposed row
        constexpr int kItems = DH / 4 * kWords;
#pragma unroll
        for (int rep = 0; rep < (kItems + kThreads - 1) / kThreads; ++rep) {
            const int it = static_cast<int>(threadIdx.x) + rep * kThreads;
            if (kItems % kThreads != 0 && it >= kItems) break;
            // Consecutive lanes take consecutive words of a row (16 or 32 of them, then the next d block):
            // conflict-free stores (the row stride is 4 mod 8 words).
            const int w = it % kWords, db = it / kWords;
            uint32_t x[4], o[4];
#pragma unroll
            for (int b = 0; b < 4; ++b) x[b] = ld_shared32(src + vt_key(w, b) * G::kKStride + 4 * db);
            transpose4x4(x, o);
#pragma unroll
            for (int r = 0; r < 4; ++r)
                *reinterpret_cast<uint32_t*>(vt + (4 * db + r) * G::kVStride + 4 * w) = o[r];
        }
    };
    // Scores of chunk c (keys c*32 .. c*32+31 of the tile) for the warp's 16 rows: s[n][i] is row
    // wrow0 + c_row(lane, i), tile key c*32 + 8n + c_col(lane, i).
    auto scores = [&](const unsigned char* kbuf, int c, int(&s)[4][4]) {
#pragma unroll
        for (int n = 0; n < 4; ++n) s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0;
        if constexpr (G::kNarrow) {
#pragma unroll
            for (int n = 0; n < 4; ++n) {
                // Q is zero past DH: k 16..31 (b1) contribute nothing, and a lane whose k 4t..4t+3 lie past
                // DH reads an in-row word that only meets zeros.
                const unsigned char* krow = kbuf + (c * kChunk + 8 * n + b_n(lane)) * G::kKStride;
                mma_s8s8(s[n], qa[0], ld_shared32(krow + (b_k(lane, 0, 0) & (DH - 1))), 0u);
            }
        } else {
#pragma unroll
            for (int n = 0; n < 4; ++n) {
                // B fragments of keys 8n .. 8n + 7: matrix m holds bytes 16 m .. 16 m + 15 of their rows, so
                // kb[2 kc + r] is register r of k-step kc. One n-tile at a time keeps few registers live.
                uint32_t kb[2 * KC];
                ldmatrix_b(kb, lane, G::kKStride,
                           [&](int m) { return kbuf + (c * kChunk + 8 * n) * G::kKStride + 16 * m; });
#pragma unroll
                for (int kc = 0; kc < KC; ++kc) mma_s8s8(s[n], qa[kc], kb[2 * kc], kb[2 * kc + 1]);
            }
        }
    };
    // e_j, or 0 for a masked key. A masked key's diff may be negative: as uint32 it is >= 2^31 > clamp_from,
    // so its index is T - 1 (or, short form, in range) and the read stays in bounds.
    auto expo = [&](int best, int sc, bool valid) -> uint32_t {
        const uint32_t diff = static_cast<uint32_t>(best - sc);
        uint32_t e;
        if constexpr (LK == Lookup::kSmemShort)
            e = static_cast<uint32_t>(
                reinterpret_cast<const int32_t*>(smem + G::kTableOffset)[table_index32_short(a.index, diff)]);
        else if constexpr (LK == Lookup::kSmem)
            e = static_cast<uint32_t>(
                reinterpret_cast<const int32_t*>(smem + G::kTableOffset)[table_index32(a.index, diff)]);
        else
            e = static_cast<uint32_t>(__ldg(a.table + table_index32(a.index, diff)));
        return valid ? e : 0u;
    };

    int best[2] = {INT32_MIN, INT32_MIN};
    uint32_t sum[2] = {0u, 0u},
             half2[2] = {0u, 0u};  // half2 = 2 floor(sum / 2): the doubled numerator's part
    Divisor by_sum[2] = {{0u, 0}, {0u, 0}};
    int acc[ND][4];
#pragma unroll
    for (int nd = 0; nd < ND; ++nd) acc[nd][0] = acc[nd][1] = acc[nd][2] = acc[nd][3] = 0;

    // Passes 1 and 2 on one chunk of scores; kFull: every key of the chunk is within every row's limit.
    auto reduce_chunk = [&](auto pass, auto full, const int(&s)[4][4], int key0) {
        constexpr int P = decltype(pass)::value;
#pragma unroll
        for (int n = 0; n < 4; ++n) {
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                const int h = i >> 1;
                const bool valid = decltype(full)::value || key0 + 8 * n + c_col(lane, i) <= lim[h];
                if constexpr (P == 1)
                    best[h] = max(best[h], valid ? s[n][i] : INT32_MIN);
                else
                    sum[h] += expo(best[h], s[n][i], valid);
            }
        }
    };
    // Pass 3's probabilities of one chunk as u8 A fragments (lo and hi bytes).
    auto probabilities = [&](auto full, const int(&s)[4][4], int key0, uint32_t(&plo)[4], uint32_t(&phi)[4]) {
#pragma unroll
        for (int m = 0; m < 2; ++m) {
#pragma unroll
            for (int h = 0; h < 2; ++h) {
                uint32_t p[2][2];  // n-tile 2m + e, accumulator 2h + u
#pragma unroll
                for (int e = 0; e < 2; ++e) {
#pragma unroll
                    for (int u = 0; u < 2; ++u) {
                        const int n = 2 * m + e, i = 2 * h + u;
                        const bool valid = decltype(full)::value || key0 + 8 * n + c_col(lane, i) <= lim[h];
                        // A masked key has e = 0, so p = floor(floor(sum / 2) / sum) = 0.
                        p[e][u] = div_by_doubled((expo(best[h], s[n][i], valid) << (fx::kQ15 + 1)) + half2[h],
                                                 by_sum[h]);
                    }
                }
                pack_p(p, plo[2 * m + h], phi[2 * m + h]);  // = p_reg(2m + e, 2h + u)
            }
        }
    };

    // One sweep over the key tiles; the pass picks what is done with the scores.
    auto sweep = [&](auto pass) {
        constexpr int P = decltype(pass)::value;
        load_tile(0, 0, P == 3);
        cp_async_commit();
#pragma unroll 1
        for (int kt = 0; kt < ntiles; ++kt) {
            if (kt + 1 < ntiles) load_tile(kt + 1, (kt + 1) & 1, P == 3);
            cp_async_commit();  // maybe empty: the newest group is always tile kt + 1's
            cp_async_wait<1>();
            if constexpr (P == 3) {
                __syncthreads();  // everyone's copies of V tile kt landed
                stage_v(kt & 1);
            }
            __syncthreads();  // K tile kt (and Vt, and the table) visible to all warps
            const unsigned char* kbuf = ks + (kt & 1) * G::kTileBytes;
            const int kt0 = kt * KEYS;
            if constexpr (P == 1 || P == 2) {
#pragma unroll
                for (int cw = 0; cw < kWarpChunks; ++cw) {
                    const int c = split * kWarpChunks + cw;
                    const int key0 = kt0 + c * kChunk;
                    if (!live || key0 > wlim) continue;  // warp-uniform
                    int s[4][4];
                    scores(kbuf, c, s);
                    if (key0 + kChunk - 1 <= wall)  // warp-uniform
                        reduce_chunk(pass, std::true_type{}, s, key0);
                    else
                        reduce_chunk(pass, std::false_type{}, s, key0);
                }
            } else if (live && kt0 <= wlim) {
                // P of the warp's chunks as u8 A fragments (hi and lo bytes), then P·V over them.
                uint32_t plo[kWarpChunks][4], phi[kWarpChunks][4];
#pragma unroll
                for (int cw = 0; cw < kWarpChunks; ++cw) {
#pragma unroll
                    for (int r = 0; r < 4; ++r) plo[cw][r] = phi[cw][r] = 0u;
                    const int key0 = kt0 + (split * kWarpChunks + cw) * kChunk;
                    if (key0 > wlim) continue;  // warp-uniform; P stays 0
                    int s[4][4];
                    scores(kbuf, split * kWarpChunks + cw, s);
                    if (key0 + kChunk - 1 <= wall)  // warp-uniform
                        probabilities(std::true_type{}, s, key0, plo[cw], phi[cw]);
                    else
                        probabilities(std::false_type{}, s, key0, plo[cw], phi[cw]);
                }
#pragma unroll
                for (int nd = 0; nd < ND; ++nd) {
                    // Output column 8 * nd + g; columns past DH (DH = 4: g >= 4) take B = 0 and are not
                    // stored.
                    int hi[4] = {0, 0, 0, 0};
#pragma unroll
                    for (int cw = 0; cw < kWarpChunks; ++cw) {
                        const int c = split * kWarpChunks + cw;
                        uint32_t vb[2];  // b0, b1: slots 0..15 and 16..31 of chunk c
                        if constexpr (DH % 8 == 0) {
                            ldmatrix_b(vb, lane, G::kVStride, [&](int m) {
                                return vt + 8 * nd * G::kVStride + c * kChunk + 16 * m;
                            });
                        } else {
                            const int vcol = 8 * nd + b_n(lane);
                            const bool vok = vcol < DH;
                            const unsigned char* vrow = vt + (vok ? vcol : 0) * G::kVStride;
                            vb[0] = vok ? ld_shared32(vrow + c * kChunk + b_k(lane, 0, 0)) : 0u;
                            vb[1] = vok ? ld_shared32(vrow + c * kChunk + b_k(lane, 1, 0)) : 0u;
                        }
                        mma_u8s8(acc[nd], plo[cw], vb[0], vb[1]);
                        mma_u8s8(hi, phi[cw], vb[0], vb[1]);
                    }
#pragma unroll
                    for (int i = 0; i < 4; ++i) acc[nd][i] += hi[i] * 256;
                }
            }
            __syncthreads();  // buffers kt & 1 and Vt free for the next tile
        }
    };
    // The split warps' values of the lane's rows combined (max or sum): lanes with t = 0 publish their
    // quad's value per row, then every lane reads all NS of its rows. The next sweep's barriers separate
    // these reads from the next pass's writes.
    auto combine_rows = [&](auto& v, auto op) {
        if constexpr (NS > 1) {
            using T = std::remove_reference_t<decltype(v[0])>;
            T* const vals = reinterpret_cast<T*>(smem + G::kRowOffset);
            if ((lane & 3) == 0) {
#pragma unroll
                for (int h = 0; h < 2; ++h) vals[(split * NW + qw) * kWarpRows + (lane >> 2) + 8 * h] = v[h];
            }
            __syncthreads();
#pragma unroll
            for (int h = 0; h < 2; ++h) {
                T x = vals[qw * kWarpRows + (lane >> 2) + 8 * h];
#pragma unroll
                for (int sp = 1; sp < NS; ++sp)
                    x = op(x, vals[(sp * NW + qw) * kWarpRows + (lane >> 2) + 8 * h]);
                v[h] = x;
            }
        }
    };

    sweep(Pass<1>{});
#pragma unroll
    for (int h = 0; h < 2; ++h) {
        best[h] = max(best[h], __shfl_xor_sync(0xffffffffu, best[h], 1));
        best[h] = max(best[h], __shfl_xor_sync(0xffffffffu, best[h], 2));
    }
    combine_rows(best, [](int x, int y) { return max(x, y); });
    sweep(Pass<2>{});
#pragma unroll
    for (int h = 0; h < 2; ++h) {
        sum[h] += __shfl_xor_sync(0xffffffffu, sum[h], 1);
        sum[h] += __shfl_xor_sync(0xffffffffu, sum[h], 2);
    }
    combine_rows(sum, [](uint32_t x, uint32_t y) { return x + y; });
#pragma unroll
    for (int h = 0; h < 2; ++h) {
        half2[h] = sum[h] & ~1u;
        by_sum[h] = divisor_of(sum[h] > 0u ? sum[h] : 1u);  // sum >= table[0] > 0 on valid input
    }
    sweep(Pass<3>{});

    // The split warps' P·V accumulators summed into split 0's, one split at a time, through the tile
    // buffers (free after the last sweep's barrier; smem_bytes makes room): word (r * 32 + lane) of the query
    // warp's block, r = 4 * nd + i, so the stores and loads are conflict-free.
    if constexpr (NS > 1) {
        int* const part = reinterpret_cast<int*>(smem) + qw * (ND * 4 * 32);
#pragma unroll 1
        for (int sp = 1; sp < NS; ++sp) {
            if (split == sp) {
#pragma unroll
                for (int nd = 0; nd < ND; ++nd)
#pragma unroll
                    for (int i = 0; i < 4; ++i) part[(4 * nd + i) * 32 + lane] = acc[nd][i];
            }
            __syncthreads();
            if (split == 0) {
#pragma unroll
                for (int nd = 0; nd < ND; ++nd)
#pragma unroll
                    for (int i = 0; i < 4; ++i) acc[nd][i] += part[(4 * nd + i) * 32 + lane];
            }
            __syncthreads();
        }
        if (split != 0) return;
    }

    // Epilogue: acc[nd][i] is row row[i >> 1], column 8 * nd + c_col(lane, i); only the DH real columns are
    // written and counted.
    uint64_t clipped = 0;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
        if (row[h] >= L) continue;
        int8_t* out = a.y + (seq + row[h]) * W + head;
#pragma unroll
        for (int nd = 0; nd < ND; ++nd) {
#pragma unroll
            for (int u = 0; u < 2; ++u) {
                const int i = 2 * h + u;
                const int col = 8 * nd + c_col(lane, i);
                if (DH % 8 == 0 || col < DH)
                    out[col] = fx::sat8(fx::rshift_round(acc[nd][i], fx::kQ15), clipped);
            }
        }
    }
    add_clips(a.clips, clipped);
}

// ---- host side ----

// Bytes of dynamic shared memory of one CTA: the layout of Geo, and at least the split warps' accumulator
// blocks of the last step (NW blocks of ND * 4 * 32 words).
template <int DH, int NW, int NS, Lookup LK>
size_t smem_bytes(int table_size) {
    using G = Geo<DH, keys_per_tile(NS)>;
    const size_t layout =
        G::kTableOffset + (LK != Lookup::kGlobal ? sizeof(int32_t) * static_cast<size_t>(table_size) : 0);
    const size_t partials = NS > 1 ? size_t{NW} * G::kOutTiles * 4 * 32 * sizeof(int) : 0;
    return layout > partials ? layout : partials;
}

template <int DH, int NW, int NS, Lookup LK>
void launch(const Args& a, const AttentionShape& s) {
    const size_t smem = smem_bytes<DH, NW, NS, LK>(a.table_size);
    auto kernel = attention_mma_kernel<DH, NW, NS, LK>;
    // The attribute is per kernel and process: set it on the first launch only (it costs a driver call).
    static const bool sized = [&] {
        check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                   static_cast<int>(smem_bytes<DH, NW, NS, LK>(int{kMaxSmemTable}))),
              "cudaFuncSetAttribute(attention_mma)");
        return true;
    }();
    (void)sized;
    constexpr int kRows = kWarpRows * NW;
    const dim3 grid(static_cast<unsigned>((s.len + kRows - 1) / kRows), static_cast<unsigned>(s.heads),
                    static_cast<unsigned>(s.batch));
    kernel<<<grid, 32 * NW * NS, smem>>>(a);
    check_launch("attention_mma_kernel");
}

// The CTA shape as (query warps NW, split warps NS). One warp per 16 query rows (NS = 1, NW = 4) when that
// alone gives the SMs about 12 warps each; otherwise each query warp's keys are split over 2 or 4 warps, with
// 4 or 2 query warps per CTA (a CTA of 4 warps when the queries are few), so that a short sequence with few
// heads still fills the chip (L = 1024, 4 heads, batch 1: 256 rows of 16, 1024 warps with NS = 4).
// SSMSIM_ATTENTION_SPLIT=1|2|4 forces NS (NW as chosen for it), so a test can run every variant on any shape.
struct CtaShape {
    int nw, ns;
};
CtaShape cta_shape_for(const AttentionShape& s) {
    static const int forced = [] {
        const char* e = std::getenv("SSMSIM_ATTENTION_SPLIT");
        return e ? std::atoi(e) : 0;
    }();
    int dev = 0, sms = 0;
    check(cudaGetDevice(&dev), "cudaGetDevice");
    check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev), "cudaDeviceGetAttribute");
    const int64_t groups = (s.len + kWarpRows - 1) / kWarpRows * s.heads * s.batch;  // 16-row query groups
    int ns = 4;
    if (forced == 1 || forced == 2 || forced == 4)
        ns = forced;
    else if (groups >= 12 * int64_t{sms})
        ns = 1;
    else if (2 * groups >= 12 * int64_t{sms})
        ns = 2;
    if (ns == 1) return {4, 1};
    if (ns == 2) return {4, 2};
    return {groups >= 4 * int64_t{sms} ? 2 : 1, 4};  // 8 warps, or 4 when fewer than 4 groups per SM
}

template <int DH, Lookup LK>
void launch_shape(const Args& a, const AttentionShape& s) {
    const CtaShape c = cta_shape_for(s);
    if (c.ns == 1)
        launch<DH, 4, 1, LK>(a, s);
    else if (c.ns == 2)
        launch<DH, 4, 2, LK>(a, s);
    else if (c.nw == 2)
        launch<DH, 2, 4, LK>(a, s);
    else
        launch<DH, 1, 4, LK>(a, s);
}

template <int DH>
void launch_dh(const Args& a, const AttentionShape& s) {
    if (a.table_size > kMaxSmemTable)
        launch_shape<DH, Lookup::kGlobal>(a, s);
    else if (a.index.short_form)
        launch_shape<DH, Lookup::kSmemShort>(a, s);
    else
        launch_shape<DH, Lookup::kSmem>(a, s);
}

bool aligned(const void* p, int64_t n) {
    return reinterpret_cast<uintptr_t>(p) % static_cast<uint64_t>(n) == 0;
}

}  // namespace

bool fits(const int8_t* q, const int8_t* k, const int8_t* v, int64_t table_size, int64_t score_mult,
          int score_shift, const AttentionShape& s) {
    if (s.heads < 1 || s.width % s.heads != 0) return false;
    const int64_t dh = s.width / s.heads;
    if (dh != 4 && dh != 8 && dh != 16 && dh != 32 && dh != 64 && dh != 128) return false;
    const int64_t load = dh < 16 ? dh : 16;  // bytes per global load of K and V rows (Q: 4)
    return s.width % load == 0 && s.len >= 1 && s.len <= kMaxLen && s.width <= INT32_MAX && table_size >= 1 &&
           table_size <= INT32_MAX && score_mult >= 0 && score_mult <= INT32_MAX && score_shift >= 0 &&
           score_shift <= 62 && s.heads <= 65535 && s.batch >= 1 && s.batch <= 65535 && aligned(q, load) &&
           aligned(k, load) && aligned(v, load);
}

void attention_i8(const int8_t* q, const int8_t* k, const int8_t* v, const int32_t* exp_table,
                  int64_t table_size, int64_t score_mult, int score_shift, const AttentionShape& s, int8_t* y,
                  Clips clips) {
    if (!fits(q, k, v, table_size, score_mult, score_shift, s))
        throw std::invalid_argument("attention_mma: shape outside the fast path");
    const Args a{q,
                 k,
                 v,
                 exp_table,
                 y,
                 clips,
                 table_index_form(score_mult, score_shift, table_size),
                 static_cast<int>(table_size),
                 static_cast<int>(s.len),
                 static_cast<int>(s.width),
                 s.causal};
    switch (s.width / s.heads) {
        case 4:
            launch_dh<4>(a, s);
            break;
        case 8:
            launch_dh<8>(a, s);
            break;
        case 16:
            launch_dh<16>(a, s);
            break;
        case 32:
            launch_dh<32>(a, s);
            break;
        case 64:
            launch_dh<64>(a, s);
            break;
        default:
            launch_dh<128>(a, s);
            break;
    }
}

}  // namespace ssmsim::cuda::attn_mma
