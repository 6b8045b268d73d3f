// Internal to kernels/: the mma.sync path of linear_i8 and classifier_i8 (gemm_mma.cu) and every index map
// it is built from. The maps are constexpr host/device functions, so that a host program can replay the
// kernel's data movement (loads, shared-memory layout, ldmatrix, mma fragments, epilogue) without a GPU.
//
// Fragment layouts of mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 (PTX ISA, "Matrix Fragments for
// mma.m16n8k32"; the same maps as attention_mma.h). groupID g = lane >> 2, threadID_in_group t = lane & 3;
// every .b32 register holds four 8-bit elements, the lowest-numbered in the low byte:
//   A 16x32, row-major:  a0 row g,   k 4t..4t+3     a1 row g+8, k 4t..4t+3
//                        a2 row g,   k 16+4t..+3    a3 row g+8, k 16+4t..+3
//   B 32x8, "col":       b0 k 4t..4t+3 of column n = g            b1 k 16+4t..+3 of column g
//   C/D 16x8 int32:      c0, c1 row g,   columns 2t, 2t+1          c2, c3 row g+8, columns 2t, 2t+1
// ldmatrix.sync.aligned.m8n8.x4.shared.b16 (PTX ISA, "ldmatrix"): lanes 8i .. 8i+7 give the addresses of
// rows 0..7 of matrix i (16 bytes each); lane l receives in register i the b16 elements 2(l & 3), 2(l & 3)+1
// of row l >> 2 of matrix i, i.e. bytes 4(l & 3) .. 4(l & 3)+3 of that 16-byte row. For an int8 tile whose
// rows are 16-byte k chunks, that is exactly a 4-byte A or B fragment register: row g, k 4t..4t+3.
#pragma once

#include <cstdint>

#include "kernels/mma_fragments.h"
#include "kernels/ops.h"
#include "sim/numerics/fixed_point.h"

namespace ssmsim::cuda::gemm_mma {

inline constexpr int kBM = 128;    // rows of x (outputs' rows) per CTA
inline constexpr int kBK = 64;     // k per pipeline stage: two m16n8k32 k-steps
inline constexpr int kChunks = 4;  // 16-byte chunks per staged row (kBK / 16)
inline constexpr int kStages = 4;  // cp.async pipeline depth
inline constexpr int kWarps = 8;
inline constexpr int kThreads = 32 * kWarps;

// Per output-tile width BN (16, 32, 64 or 128 columns): the 8 warps form a kWarpsM x kWarpsN grid, each
// warp owning kWM x kWN outputs = kMT x kNT mma tiles of 16 x 8.
template <int BN>
struct Config {
    static_assert(BN == 16 || BN == 32 || BN == 64 || BN == 128, "BN: 16, 32, 64 or 128");
    static constexpr int kWarpsN = BN == 128 ? 4 : (BN == 16 ? 1 : 2);
    static constexpr int kWarpsM = kWarps / kWarpsN;
    static constexpr int kWM = kBM / kWarpsM, kWN = BN / kWarpsN;
    static constexpr int kMT = kWM / 16, kNT = kWN / 8;
    static_assert(kMT >= 1 && kNT % 2 == 0, "B fragments load n-tiles in pairs");
    static constexpr int kATile = kBM * kBK, kBTile = BN * kBK;  // bytes per stage
    static constexpr int kStageBytes = kATile + kBTile;
    static constexpr int kAIters = kBM * kChunks / kThreads;                  // chunks per thread
    static constexpr int kBIters = (BN * kChunks + kThreads - 1) / kThreads;  // (some threads idle)
    static_assert(kAIters * kThreads == kBM * kChunks, "A tile split");
    // Epilogue: the CTA's int8 outputs are staged as [kBM][kOutStride] bytes over the pipeline buffers.
    // kOutStride = 16 q with q odd: the 8 rows of one 2-byte store instruction start 4 q g words apart
    // (g = 0..7), distinct mod 32 banks, so the stores are conflict-free; rows stay 16-byte aligned.
    static constexpr int kOutStride = (BN / 16) % 2 == 0 ? BN + 16 : BN + 32;
    static_assert((kOutStride / 16) % 2 == 1 && kOutStride % 16 == 0, "staging stride");
    static constexpr int kOutChunks = BN / 16;  // 16-byte output chunks per staged row
    static constexpr int kSmem =
        kStages * kStageBytes > kBM* kOutStride ? kStages* kStageBytes : kBM* kOutStride;
};

// ---- shared tiles: [rows][kBK] bytes, 16-byte chunks XOR-swizzled ----
// Chunk c of row r lives at chunk c ^ ((r >> 1) & 3). Eight consecutive rows (r0 % 8 == 0) at one logical
// chunk then cover all eight 16-byte bank groups of 128 bytes (4 (r & 1) + chunk), so an ldmatrix phase
// is conflict-free; so is a cp.async phase (8 threads = 2 rows x 4 chunks).
SSMSIM_HD constexpr int tile_offset(int row, int chunk) {
    return row * kBK + 16 * (chunk ^ ((row >> 1) & 3));
}

// ---- global -> shared (cp.async, 16 bytes) ----
// Copy index c (thread + i * kThreads) moves chunk load_chunk(c) of tile row load_row(c).
SSMSIM_HD constexpr int load_row(int c) { return c / kChunks; }
SSMSIM_HD constexpr int load_chunk(int c) { return c % kChunks; }

// ---- ldmatrix.x4 row addresses, k-step ks (0 or 1: k 32 ks .. 32 ks + 31 of the stage) ----
// A, one m-tile (16 rows): matrix i = lane >> 3 is rows 8 (i & 1) .. +7, k chunk 2 ks + (i >> 1), so
// registers 0..3 are a0..a3.
SSMSIM_HD constexpr int a_ldsm_row(int lane) { return lane & 15; }
SSMSIM_HD constexpr int a_ldsm_chunk(int lane, int ks) { return 2 * ks + (lane >> 4); }
// B, a pair of n-tiles (16 columns of w = 16 rows of the B tile): matrix i = lane >> 3 is n-tile i >> 1 of
// the pair, k chunk 2 ks + (i & 1), so registers 0..3 are b0, b1 of the first n-tile and b0, b1 of the
// second.
SSMSIM_HD constexpr int b_ldsm_row(int lane) { return 8 * (lane >> 4) + (lane & 7); }
SSMSIM_HD constexpr int b_ldsm_chunk(int lane, int ks) { return 2 * ks + ((lane >> 3) & 1); }
// The ldmatrix semantics (for the host replay): register i of lane l comes from the row address of lane
// ldsm_src_lane(l, i), bytes ldsm_byte(l) .. +3.
SSMSIM_HD constexpr int ldsm_src_lane(int lane, int i) { return 8 * i + (lane >> 2); }
SSMSIM_HD constexpr int ldsm_byte(int lane) { return 4 * (lane & 3); }

// ---- PTX fragment maps (kernels/mma_fragments.h) ----
using namespace mma_m16n8k32;

// fx::requant(total, mult, shift, clips) = sat8(rshift_round(total * mult, shift)) in branch-free form: the
// same int64 operations in the same order (rshift_round adds 2^(shift - 1) when shift > 0, 0 when shift = 0,
// then shifts arithmetically; round is computed once on the host), then the same saturation: v clips iff it
// lies outside [-128, 127], i.e. iff (uint64)v + 128 > 255 (mod 2^64), and clips to 127 ^ (v >> 63) (127 when
// v > 127, -128 when v < -128), counting 1.
SSMSIM_HD int8_t requant_bf(int64_t total, int64_t mult, int64_t round, int shift, unsigned& clips) {
    const int64_t v = (total * mult + round) >> shift;
    const bool clip = static_cast<uint64_t>(v) + 128u > 255u;
    clips += clip ? 1u : 0u;
    const int32_t sat = 127 ^ static_cast<int32_t>(v >> 63);
    return static_cast<int8_t>(clip ? sat : static_cast<int32_t>(v));
}
inline int64_t requant_round(int shift) { return shift > 0 ? int64_t{1} << (shift - 1) : 0; }

// Output tile width for an (m, n) call: the narrowest of 16/32/64/128 that covers n, halved (down to 32)
// while the grid would not fill the `sms` multiprocessors once.
inline int pick_bn(int64_t m, int64_t n, int sms) {
    int bn = n <= 16 ? 16 : (n <= 32 ? 32 : (n <= 64 ? 64 : 128));
    const int64_t tiles_m = (m + kBM - 1) / kBM;
    while (bn > 32 && tiles_m * ((n + bn - 1) / bn) < sms) bn /= 2;
    return bn;
}

// ---- entry points (gemm_mma.cu) ----
// Whether the mma path takes this call: m, n >= 1, k >= 16 with k % 16 == 0 (every 16-byte chunk is wholly
// inside or wholly past k), x and w 16-byte aligned, and a grid that fits one launch. fits_requant adds the
// contract's requantization ranges, mult in [0, 2^31 - 1] and shift in [0, 62] (the epilogue multiplies by a
// 32-bit mult); anything else goes to the wmma kernel.
bool fits(const int8_t* x, const int8_t* w, int64_t m, int64_t n, int64_t k);
bool fits_requant(Requant rq);
void linear_i8(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y, int64_t m, int64_t n,
               int64_t k, Requant rq, Clips clips);
void classifier_i8(const int8_t* x, const int8_t* w, const int32_t* bias, int32_t* y, int64_t m, int64_t n,
                   int64_t k);

}  // namespace ssmsim::cuda::gemm_mma
