// Dense ops: linear (int8 tensor cores with the requantization fused into the epilogue), classifier, and a
// float32 GEMM. y = x w^T with x [M, K] and w [N, K], both row-major, so each output is a dot product of
// two contiguous rows. The int8 sums are exact in int32 in any order (|acc| <= 2^30 by the K limit), so the
// tensor cores' order of accumulation cannot change a bit.
//
// linear_i8 and classifier_i8 take the mma.sync kernel of gemm_mma.cu when the call fits it (gemm_mma::fits:
// K % 16 == 0, 16-byte aligned x and w; for linear also the contract's mult and shift ranges);
// SSMSIM_GEMM_MMA=0 in the environment turns that off. Otherwise they run the wmma kernel below.
#include <mma.h>

#include <cstdlib>
#include <cstring>

#include "kernels/common.cuh"
#include "kernels/gemm_mma.h"

namespace ssmsim::cuda {

namespace {

using namespace nvcuda;

// Block tile 128 x 128 x 64, 8 warps in a 2 x 4 grid, each warp 64 x 32 (4 x 2 wmma tiles of 16 x 16 x 16).
constexpr int kBM = 128, kBN = 128, kBK = 64;
static_assert(kBM == kBN, "one plane size serves both tiles");
constexpr int kWarpsM = 2, kWarpsN = 4;
constexpr int kWM = kBM / kWarpsM, kWN = kBN / kWarpsN;  // 64 x 32
constexpr int kFragM = kWM / 16, kFragN = kWN / 16;      // 4 x 2
constexpr int kThreads = 32 * kWarpsM * kWarpsN;
constexpr int kChunksPerRow = kBK / 16;
// Shared tiles are stored as kChunksPerRow planes of [rows][16 bytes]: every wmma fragment then starts
// 256-bit aligned (wmma's requirement) with ldm = 16. The 32 bytes between planes spread the 16-byte
// stores of one warp over all banks.
constexpr int kPlane = kBM * 16 + 32;  // kBM == kBN
constexpr int kTileBytes = kChunksPerRow * kPlane;

struct Tiles {
    int8_t a[2][kTileBytes];
    int8_t b[2][kTileBytes];
};

// Loads a rows x kBK tile starting at (row0, k0) of a [rows_total, K] matrix into registers: each thread
// holds (rows * kBK / 16) / kThreads chunks of 16 bytes. Out-of-range bytes read as 0, which adds nothing.
template <int Rows>
struct TileLoader {
    static constexpr int kChunks = Rows * kChunksPerRow / kThreads;
    uint4 reg[kChunks];

    __device__ void load(const int8_t* m, int64_t rows_total, int64_t k, int64_t row0, int64_t k0,
                         bool vec_ok) {
#pragma unroll
        for (int c = 0; c < kChunks; ++c) {
            const int idx = threadIdx.x + c * kThreads;
            const int r = idx / kChunksPerRow, col = (idx % kChunksPerRow) * 16;
            const int64_t gr = row0 + r, gk = k0 + col;
            if (vec_ok && gr < rows_total && gk + 16 <= k) {
                reg[c] = __ldg(reinterpret_cast<const uint4*>(m + gr * k + gk));
            } else {
                union {
                    uint4 v;
                    int8_t b[16];
                } p;
#pragma unroll
                for (int j = 0; j < 16; ++j)
                    p.b[j] = (gr < rows_total && gk + j < k) ? m[gr * k + gk + j] : 0;
                reg[c] = p.v;
            }
        }
    }
    __device__ void store(int8_t* tile) const {
#pragma unroll
        for (int c = 0; c < kChunks; ++c) {
            const int idx = threadIdx.x + c * kThreads;
            const int r = idx / kChunksPerRow, col = (idx % kChunksPerRow) * 16;
            *reinterpret_cast<uint4*>(tile + (col / 16) * kPlane + r * 16) = reg[c];
        }
    }
};

// Epilogue per element: Out is int8 (requantized linear) or int32 (classifier logits).
struct RequantOut {
    int8_t* y;
    Requant rq;
    __device__ void operator()(int64_t idx, int64_t total, uint64_t& clips) const {
        y[idx] = fx::requant(total, rq.mult, rq.shift, clips);
    }
};
struct Int32Out {
    int32_t* y;
    __device__ void operator()(int64_t idx, int64_t total, uint64_t&) const {
        y[idx] = static_cast<int32_t>(total);
    }
};

template <typename Out>
__global__ void __launch_bounds__(kThreads)
    gemm_i8_kernel(const int8_t* __restrict__ x, const int8_t* __restrict__ w,
                   const int32_t* __restrict__ bias, int64_t m, int64_t n, int64_t k, Out out, Clips clips) {
    extern __shared__ __align__(16) unsigned char smem[];
    Tiles& t = *reinterpret_cast<Tiles*>(smem);
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int wm = warp / kWarpsN, wn = warp % kWarpsN;
    const int64_t row0 = int64_t{blockIdx.y} * kBM, col0 = int64_t{blockIdx.x} * kBN;
    const bool vec_ok = (k % 16) == 0;  // rows start 16-byte aligned only then

    wmma::fragment<wmma::accumulator, 16, 16, 16, int> acc[kFragM][kFragN];
#pragma unroll
    for (int i = 0; i < kFragM; ++i)
#pragma unroll
        for (int j = 0; j < kFragN; ++j) wmma::fill_fragment(acc[i][j], 0);

    TileLoader<kBM> la;
    TileLoader<kBN> lb;
    la.load(x, m, k, row0, 0, vec_ok);
    lb.load(w, n, k, col0, 0, vec_ok);
    la.store(t.a[0]);
    lb.store(t.b[0]);
    __syncthreads();
    const int64_t k_tiles = (k + kBK - 1) / kBK;
    for (int64_t kt = 0; kt < k_tiles; ++kt) {
        const int cur = kt & 1;
        const bool more = kt + 1 < k_tiles;
        if (more) {  // the next tile's global loads are in flight while the tensor cores work
            la.load(x, m, k, row0, (kt + 1) * kBK, vec_ok);
            lb.load(w, n, k, col0, (kt + 1) * kBK, vec_ok);
        }
#pragma unroll
        for (int kk = 0; kk < kBK; kk += 16) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, signed char, wmma::row_major> fa[kFragM];
            wmma::fragment<wmma::matrix_b, 16, 16, 16, signed char, wmma::col_major> fb[kFragN];
#pragma unroll
            for (int i = 0; i < kFragM; ++i)
                wmma::load_matrix_sync(fa[i],
                                       reinterpret_cast<const signed char*>(t.a[cur]) + (kk / 16) * kPlane +
                                           (wm * kWM + i * 16) * 16,
                                       16);
#pragma unroll
            for (int j = 0; j < kFragN; ++j)
                wmma::load_matrix_sync(fb[j],
                                       reinterpret_cast<const signed char*>(t.b[cur]) + (kk / 16) * kPlane +
                                           (wn * kWN + j * 16) * 16,
                                       16);
#pragma unroll
            for (int i = 0; i < kFragM; ++i)
#pragma unroll
                for (int j = 0; j < kFragN; ++j) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
        }
        if (more) {
            la.store(t.a[cur ^ 1]);
            lb.store(t.b[cur ^ 1]);
        }
        __syncthreads();
    }

    // Epilogue: each warp stages one 16 x 16 int32 tile at a time in shared memory (the A/B tiles are free
    // now), then every lane finishes 8 elements: + bias in int64, requantize, store.
    int* stage = reinterpret_cast<int*>(smem) + warp * 256;
    uint64_t local = 0;
#pragma unroll
    for (int i = 0; i < kFragM; ++i) {
#pragma unroll
        for (int j = 0; j < kFragN; ++j) {
            wmma::store_matrix_sync(stage, acc[i][j], 16, wmma::mem_row_major);
            __syncwarp();
            for (int e = lane; e < 256; e += 32) {
                const int64_t r = row0 + wm * kWM + i * 16 + e / 16;
                const int64_t c = col0 + wn * kWN + j * 16 + e % 16;
                if (r < m && c < n) out(r * n + c, int64_t{stage[e]} + (bias ? bias[c] : 0), local);
            }
            __syncwarp();
        }
    }
    add_clips(clips, local);
}

template <typename Out>
void launch_gemm_i8(const int8_t* x, const int8_t* w, const int32_t* bias, int64_t m, int64_t n, int64_t k,
                    Out out, Clips clips) {
    static bool configured = false;
    const int smem = static_cast<int>(sizeof(Tiles));
    if (!configured) {
        check(cudaFuncSetAttribute(gemm_i8_kernel<Out>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem),
              "cudaFuncSetAttribute(gemm_i8_kernel)");
        configured = true;
    }
    if ((n + kBN - 1) / kBN > INT32_MAX || (m + kBM - 1) / kBM > 65535)
        throw std::invalid_argument("linear: too many rows for one launch");
    const dim3 grid(static_cast<unsigned>((n + kBN - 1) / kBN), static_cast<unsigned>((m + kBM - 1) / kBM));
    gemm_i8_kernel<Out><<<grid, kThreads, smem>>>(x, w, bias, m, n, k, out, clips);
    check_launch("gemm_i8_kernel");
}

// float32: 64 x 64 block tile, 16 x 16 threads each computing 4 x 4 outputs, K in steps of 16.
constexpr int kFT = 64, kFK = 16;

__global__ void __launch_bounds__(256)
    gemm_f32_kernel(const float* __restrict__ x, const float* __restrict__ w, const float* __restrict__ bias,
                    float* __restrict__ y, int64_t m, int64_t n, int64_t k) {
    __shared__ float as[kFK][kFT + 4];
    __shared__ float bs[kFK][kFT + 4];
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    const int64_t row0 = int64_t{blockIdx.y} * kFT, col0 = int64_t{blockIdx.x} * kFT;
    float acc[4][4] = {};
    for (int64_t k0 = 0; k0 < k; k0 += kFK) {
        for (int idx = threadIdx.x; idx < kFT * kFK; idx += 256) {
            const int r = idx / kFK, kk = idx % kFK;
            as[kk][r] = (row0 + r < m && k0 + kk < k) ? x[(row0 + r) * k + k0 + kk] : 0.0f;
            bs[kk][r] = (col0 + r < n && k0 + kk < k) ? w[(col0 + r) * k + k0 + kk] : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < kFK; ++kk) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; ++i) a[i] = as[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; ++j) b[j] = bs[kk][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; ++i)
#pragma unroll
                for (int j = 0; j < 4; ++j) acc[i][j] += a[i] * b[j];
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            const int64_t r = row0 + ty + 16 * i, c = col0 + tx + 16 * j;
            if (r < m && c < n) y[r * n + c] = acc[i][j] + (bias ? bias[c] : 0.0f);
        }
}

// The mma path is on unless SSMSIM_GEMM_MMA=0 (read once; for A/B checks against the wmma kernel).
bool mma_enabled() {
    static const bool on = [] {
        const char* e = std::getenv("SSMSIM_GEMM_MMA");
        return e == nullptr || std::strcmp(e, "0") != 0;
    }();
    return on;
}

}  // namespace

void linear_i8(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y, int64_t m, int64_t n,
               int64_t k, Requant rq, Clips clips) {
    if (mma_enabled() && gemm_mma::fits(x, w, m, n, k) && gemm_mma::fits_requant(rq)) {
        gemm_mma::linear_i8(x, w, bias, y, m, n, k, rq, clips);
        return;
    }
    launch_gemm_i8(x, w, bias, m, n, k, RequantOut{y, rq}, clips);
}

void classifier_i8(const int8_t* x, const int8_t* w, const int32_t* bias, int32_t* y, int64_t m, int64_t n,
                   int64_t k) {
    if (mma_enabled() && gemm_mma::fits(x, w, m, n, k)) {
        gemm_mma::classifier_i8(x, w, bias, y, m, n, k);
        return;
    }
    launch_gemm_i8(x, w, bias, m, n, k, Int32Out{y}, nullptr);
}

void linear_f32(const float* x, const float* w, const float* bias, float* y, int64_t m, int64_t n,
                int64_t k) {
    if ((m + kFT - 1) / kFT > 65535) throw std::invalid_argument("linear: too many rows for one launch");
    const dim3 grid(static_cast<unsigned>((n + kFT - 1) / kFT), static_cast<unsigned>((m + kFT - 1) / kFT));
    gemm_f32_kernel<<<grid, 256>>>(x, w, bias, y, m, n, k);
    check_launch("gemm_f32_kernel");
}

}  // namespace ssmsim::cuda
