// linear_i8 / classifier_i8 on int8 tensor cores through mma.sync.m16n8k32 (gemm_mma.h has the maps), for the
// shapes of the LRA models: large M = batch * L, small N and K (16 .. 1024). y = x w^T with x [M, K] and
// w [N, K] row-major: a row of x is a row of the A operand (row-major) and a row of w is a column of the B
// operand ("col" layout: the k bytes of one output column are contiguous), so both tiles are staged as
// [rows][k] bytes and need no transposition.
//
// Exactness. Every product of two int8 is exact and the mma's int32 sums are exact while |sum| < 2^31,
// which the contract's K limit (2^16: |sum| <= 2^30) keeps; integer addition is associative, so the order
// in which the tensor cores add cannot change a bit. The epilogue then computes, per output, the same
// expression as the reference and the wmma kernel: total = int64(acc) + bias[n] (0 without bias), then
// fx::requant(total, mult, shift, clips) (int8) or int32(total) (classifier), counting one saturation per
// clipped output (only outputs inside [M, N] are requantized, so padding counts nothing).
//
// Work split. One CTA (8 warps) per kBM x BN output tile, BN in {16, 32, 64, 128} (gemm_mma.h, pick_bn),
// tiles numbered along N fastest so the CTAs that share an x tile run together and hit L2. K advances in
// stages of 64: the A (128 x 64) and B (BN x 64) tiles are copied by cp.async.cg, 16 bytes per copy, into a
// 4-stage ring (a copy past M, N or K writes zeros, which add nothing: k % 16 == 0 so a chunk is all in or
// all out). Fragments come from shared memory by ldmatrix.x4 (one per 16 x 32 A tile, one per two 8 x 32 B
// tiles); rows are 64 bytes with XOR-swizzled 16-byte chunks, conflict-free for both the copies and
// ldmatrix.
//
// Epilogue. int8: each lane requantizes its accumulators (c0 c1 / c2 c3 are two adjacent columns) and
// stores them as 2-byte pairs into a [kBM][kOutStride] staging tile over the drained pipeline buffers; then
// the CTA writes its tile row by row in 16-byte stores (byte stores where a row's end is not 16-byte
// aligned). int32: each lane stores its accumulators directly (the classifier's N is tiny).
#include <type_traits>

#include "kernels/common.cuh"
#include "kernels/gemm_mma.h"

namespace ssmsim::cuda::gemm_mma {

namespace {

__device__ __forceinline__ unsigned smem_addr(const void* p) {
    return static_cast<unsigned>(__cvta_generic_to_shared(p));
}
// 16-byte global -> shared copy; with valid false it writes 16 zero bytes and reads nothing.
__device__ __forceinline__ void cp_async16(unsigned dst, const void* src, bool valid) {
    const int src_bytes = valid ? 16 : 0;
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes)
                 : "memory");
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}
__device__ __forceinline__ void ldsm_x4(uint32_t (&r)[4], unsigned addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}
// D = A * B + C, m16n8k32, s8 x s8, int32.
__device__ __forceinline__ void mma_s8(int (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+r"(c[0]), "+r"(c[1]), "+r"(c[2]), "+r"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Epilogue kinds.
struct RequantOut {
    int8_t* y;
    uint32_t mult;  // [0, 2^31 - 1] (fits_requant)
    int shift;      // [0, 62]
    int64_t round;  // requant_round(shift)
    bool vec;       // y 16-byte aligned and n % 16 == 0: whole 16-byte row chunks may be stored as one
    Clips clips;
};
struct Int32Out {
    int32_t* y;
};

template <int BN, typename Out>
__global__ void __launch_bounds__(kThreads, 2)
    gemm_mma_kernel(const int8_t* __restrict__ x, const int8_t* __restrict__ w,
                    const int32_t* __restrict__ bias, int64_t m, int64_t n, int64_t k, unsigned tiles_n,
                    Out out) {
    using C = Config<BN>;
    extern __shared__ __align__(128) unsigned char smem[];
    const int tid = static_cast<int>(threadIdx.x);
    const int lane = tid & 31, warp = tid >> 5;
    const int wm = warp / C::kWarpsN, wn = warp % C::kWarpsN;
    const int64_t row0 = static_cast<int64_t>(blockIdx.x / tiles_n) * kBM;
    const int64_t col0 = static_cast<int64_t>(blockIdx.x % tiles_n) * BN;
    const unsigned sbase = smem_addr(smem);

    // This thread's copies: source row (clamped to row 0 past the matrix; those copies are zero-filled),
    // k offset inside a stage, and destination offset inside the tile.
    const int8_t* a_src[C::kAIters];
    bool a_row_ok[C::kAIters];
    int a_kb[C::kAIters], a_dst[C::kAIters];
#pragma unroll
    for (int i = 0; i < C::kAIters; ++i) {
        const int c = tid + i * kThreads;
        const int r = load_row(c), ch = load_chunk(c);
        a_row_ok[i] = row0 + r < m;
        a_src[i] = x + (a_row_ok[i] ? (row0 + r) * k : 0) + 16 * ch;
        a_kb[i] = 16 * ch;
        a_dst[i] = tile_offset(r, ch);
    }
    const int8_t* b_src[C::kBIters];
    bool b_live[C::kBIters], b_row_ok[C::kBIters];
    int b_kb[C::kBIters], b_dst[C::kBIters];
#pragma unroll
    for (int i = 0; i < C::kBIters; ++i) {
        const int c = tid + i * kThreads;
        const int r = load_row(c), ch = load_chunk(c);
        b_live[i] = c < BN * kChunks;
        b_row_ok[i] = col0 + r < n;
        b_src[i] = w + (b_row_ok[i] ? (col0 + r) * k : 0) + 16 * ch;
        b_kb[i] = 16 * ch;
        b_dst[i] = tile_offset(r, ch);
    }
    // Stage kt (k = 64 kt .. 64 kt + 63) into ring slot s.
    auto load_stage = [&](int kt, int s) {
        const int64_t k0 = static_cast<int64_t>(kt) * kBK;
        const unsigned sa = sbase + s * C::kStageBytes, sb = sa + C::kATile;
#pragma unroll
        for (int i = 0; i < C::kAIters; ++i) {
            const bool ok = a_row_ok[i] && k0 + a_kb[i] < k;
            cp_async16(sa + a_dst[i], ok ? a_src[i] + k0 : x, ok);
        }
#pragma unroll
        for (int i = 0; i < C::kBIters; ++i) {
            if (!b_live[i]) continue;
            const bool ok = b_row_ok[i] && k0 + b_kb[i] < k;
            cp_async16(sb + b_dst[i], ok ? b_src[i] + k0 : w, ok);
        }
    };

    int acc[C::kMT][C::kNT][4];
#pragma unroll
    for (int i = 0; i < C::kMT; ++i)
#pragma unroll
        for (int j = 0; j < C::kNT; ++j)
#pragma unroll
            for (int e = 0; e < 4; ++e) acc[i][j][e] = 0;

    // The ring: stages 0 .. kStages - 2 in flight before the loop; iteration kt waits for stage kt (one
    // commit group per stage, empty groups past the last, so "all but kStages - 2 groups done" means stage
    // kt has landed), then refills the slot that iteration kt - 1 read, which every warp has left once it
    // passed this iteration's __syncthreads.
    const int ktiles = static_cast<int>((k + kBK - 1) / kBK);
#pragma unroll
    for (int s = 0; s < kStages - 1; ++s) {
        if (s < ktiles) load_stage(s, s);
        cp_async_commit();
    }
    for (int kt = 0; kt < ktiles; ++kt) {
        cp_async_wait<kStages - 2>();
        __syncthreads();
        const int next = kt + kStages - 1;
        if (next < ktiles) load_stage(next, next % kStages);
        cp_async_commit();

        const int s = kt % kStages;
        const unsigned sa = sbase + s * C::kStageBytes, sb = sa + C::kATile;
#pragma unroll
        for (int ks = 0; ks < kBK / 32; ++ks) {
            // A k-step wholly past k holds zeros only: skip it (CTA-uniform).
            if (ks > 0 && static_cast<int64_t>(kt) * kBK + 32 * ks >= k) break;
            uint32_t af[C::kMT][4];
            uint32_t bf[C::kNT][2];
#pragma unroll
            for (int mt = 0; mt < C::kMT; ++mt)
                ldsm_x4(af[mt],
                        sa + tile_offset(wm * C::kWM + mt * 16 + a_ldsm_row(lane), a_ldsm_chunk(lane, ks)));
#pragma unroll
            for (int p = 0; p < C::kNT / 2; ++p) {
                uint32_t r[4];
                ldsm_x4(r, sb + tile_offset(wn * C::kWN + p * 16 + b_ldsm_row(lane), b_ldsm_chunk(lane, ks)));
                bf[2 * p][0] = r[0];
                bf[2 * p][1] = r[1];
                bf[2 * p + 1][0] = r[2];
                bf[2 * p + 1][1] = r[3];
            }
#pragma unroll
            for (int mt = 0; mt < C::kMT; ++mt)
#pragma unroll
                for (int nt = 0; nt < C::kNT; ++nt) mma_s8(acc[mt][nt], af[mt], bf[nt][0], bf[nt][1]);
        }
    }

    // The lane's output coordinates inside the CTA tile: rows wm * kWM + mt * 16 + c_row(lane, 2h) (h = 0:
    // accumulators 0, 1; h = 1: accumulators 2, 3), columns wn * kWN + nt * 8 + c_col(lane, j) (j = 0: even
    // accumulators, j = 1: odd). Which lie inside [m, n], and the bias of each column (0 without bias).
    bool row_ok[C::kMT][2], col_ok[C::kNT][2];
    int64_t bv[C::kNT][2];
#pragma unroll
    for (int mt = 0; mt < C::kMT; ++mt)
#pragma unroll
        for (int h = 0; h < 2; ++h) row_ok[mt][h] = row0 + wm * C::kWM + mt * 16 + c_row(lane, 2 * h) < m;
#pragma unroll
    for (int nt = 0; nt < C::kNT; ++nt)
#pragma unroll
        for (int j = 0; j < 2; ++j) {
            const int64_t col = col0 + wn * C::kWN + nt * 8 + c_col(lane, j);
            col_ok[nt][j] = col < n;
            bv[nt][j] = (bias != nullptr && col_ok[nt][j]) ? bias[col] : 0;
        }

    if constexpr (std::is_same_v<Out, RequantOut>) {
        cp_async_wait<0>();  // only empty groups remain, but the staging tile overlays the ring
        __syncthreads();     // every warp is done with its fragments
        unsigned local = 0;  // at most kMT * kNT * 4 <= 64 clips per thread
#pragma unroll
        for (int mt = 0; mt < C::kMT; ++mt)
#pragma unroll
            for (int nt = 0; nt < C::kNT; ++nt)
#pragma unroll
                for (int h = 0; h < 2; ++h) {
                    const int r = wm * C::kWM + mt * 16 + c_row(lane, 2 * h);
                    const int c = wn * C::kWN + nt * 8 + c_col(lane, 0);
                    unsigned pair = 0;
#pragma unroll
                    for (int j = 0; j < 2; ++j) {
                        unsigned clip = 0;
                        const int8_t q =
                            requant_bf(int64_t{acc[mt][nt][2 * h + j]} + bv[nt][j],
                                       static_cast<int64_t>(out.mult), out.round, out.shift, clip);
                        if (row_ok[mt][h] &&
                            col_ok[nt][j]) {  // outputs past m or n: neither stored nor counted
                            pair |= static_cast<unsigned>(static_cast<uint8_t>(q)) << (8 * j);
                            local += clip;
                        }
                    }
                    *reinterpret_cast<uint16_t*>(smem + r * C::kOutStride + c) = static_cast<uint16_t>(pair);
                }
        __syncthreads();
        for (int i = tid; i < kBM * C::kOutChunks; i += kThreads) {
            const int r = i / C::kOutChunks, c = 16 * (i % C::kOutChunks);
            const int64_t gr = row0 + r, gc = col0 + c;
            if (gr >= m || gc >= n) continue;
            const unsigned char* src = smem + r * C::kOutStride + c;
            int8_t* dst = out.y + gr * n + gc;
            if (out.vec && gc + 16 <= n) {
                *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(src);
            } else {
                for (int j = 0; j < 16 && gc + j < n; ++j) dst[j] = static_cast<int8_t>(src[j]);
            }
        }
        add_clips(out.clips, local);
    } else {
#pragma unroll
        for (int mt = 0; mt < C::kMT; ++mt)
#pragma unroll
            for (int nt = 0; nt < C::kNT; ++nt)
#pragma unroll
                for (int e = 0; e < 4; ++e) {
                    if (!row_ok[mt][e >> 1] || !col_ok[nt][e & 1]) continue;
                    const int64_t gr = row0 + wm * C::kWM + mt * 16 + c_row(lane, e);
                    const int64_t gc = col0 + wn * C::kWN + nt * 8 + c_col(lane, e);
                    out.y[gr * n + gc] = static_cast<int32_t>(int64_t{acc[mt][nt][e]} + bv[nt][e & 1]);
                }
    }
}

template <int BN, typename Out>
void launch(const int8_t* x, const int8_t* w, const int32_t* bias, int64_t m, int64_t n, int64_t k, Out out) {
    using C = Config<BN>;
    static bool configured = false;
    if (!configured) {
        check(cudaFuncSetAttribute(gemm_mma_kernel<BN, Out>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                   C::kSmem),
              "cudaFuncSetAttribute(gemm_mma_kernel)");
        configured = true;
    }
    const int64_t tiles_n = (n + BN - 1) / BN, tiles = (m + kBM - 1) / kBM * tiles_n;
    gemm_mma_kernel<BN, Out><<<static_cast<unsigned>(tiles), kThreads, C::kSmem>>>(
        x, w, bias, m, n, k, static_cast<unsigned>(tiles_n), out);
    check_launch("gemm_mma_kernel");
}

template <typename Out>
void dispatch(const int8_t* x, const int8_t* w, const int32_t* bias, int64_t m, int64_t n, int64_t k,
              Out out) {
    switch (pick_bn(m, n, sm_count())) {
        case 16:
            launch<16>(x, w, bias, m, n, k, out);
            break;
        case 32:
            launch<32>(x, w, bias, m, n, k, out);
            break;
        case 64:
            launch<64>(x, w, bias, m, n, k, out);
            break;
        default:
            launch<128>(x, w, bias, m, n, k, out);
            break;
    }
}

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

}  // namespace

bool fits(const int8_t* x, const int8_t* w, int64_t m, int64_t n, int64_t k) {
    if (m < 1 || n < 1 || k < 16 || k % 16 != 0 || k > (int64_t{1} << 30)) return false;
    if (!aligned16(x) || !aligned16(w)) return false;
    // The grid (one CTA per tile, at most BN = 16 wide) must fit gridDim.x.
    const int64_t tiles_m = (m + kBM - 1) / kBM, tiles_n = (n + 15) / 16;
    return tiles_m <= INT32_MAX && tiles_n <= INT32_MAX && tiles_m * tiles_n <= INT32_MAX;
}

bool fits_requant(Requant rq) {
    return rq.mult >= 0 && rq.mult <= INT32_MAX && rq.shift >= 0 && rq.shift <= 62;
}

void linear_i8(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y, int64_t m, int64_t n,
               int64_t k, Requant rq, Clips clips) {
    const bool vec = aligned16(y) && n % 16 == 0;
    dispatch(x, w, bias, m, n, k,
             RequantOut{y, static_cast<uint32_t>(rq.mult), rq.shift, requant_round(rq.shift), vec, clips});
}

void classifier_i8(const int8_t* x, const int8_t* w, const int32_t* bias, int32_t* y, int64_t m, int64_t n,
                   int64_t k) {
    dispatch(x, w, bias, m, n, k, Int32Out{y});
}

}  // namespace ssmsim::cuda::gemm_mma
