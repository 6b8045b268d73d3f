// rmsnorm and layernorm, one warp per row. The integer sums are exact, so the warp's tree order gives the
// reference's values; the reciprocal square root is the contract's table, copied from the host once.
#include <mutex>

#include <array>

#include "kernels/common.cuh"

namespace ssmsim {
// sim/numerics/tables.h declares it; that header needs C++20 (std::span), which this CUDA 17 unit lacks.
const std::array<int32_t, 256>& rsqrt_table();
}  // namespace ssmsim

namespace ssmsim::cuda {

namespace {

__constant__ int32_t c_rsqrt[256];

constexpr int kThreads = 256;

template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
#pragma unroll
    for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__global__ void norm_i8_kernel(const int8_t* __restrict__ x, const int8_t* __restrict__ gamma,
                               const int32_t* __restrict__ beta, int8_t* __restrict__ y, int64_t rows,
                               int64_t d, uint64_t eps, Requant rq, Clips clips) {
    const int lane = threadIdx.x % 32;
    const int64_t warps = int64_t{gridDim.x} * (blockDim.x / 32);
    uint64_t local = 0;
    const bool center = beta != nullptr;
    for (int64_t r = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / 32; r < rows; r += warps) {
        const int8_t* xr = x + r * d;
        int64_t sum = 0;
        if (center) {
            for (int64_t i = lane; i < d; i += 32) sum += xr[i];
            sum = warp_sum(sum);
        }
        uint64_t ss = 0;
        for (int64_t i = lane; i < d; i += 32) {
            const int64_t xc = center ? d * xr[i] - sum : xr[i];  // layernorm: D * (x - mean), exact
            ss += static_cast<uint64_t>(xc * xc);
        }
        ss = warp_sum(ss);
        const fx::RsqrtSplit split = fx::rsqrt_split(ss / static_cast<uint64_t>(d) + eps);
        const int64_t rs = c_rsqrt[split.idx];
        const int zshift = fx::kQ15 + split.half_exp - fx::kNormFracBits;
        for (int64_t i = lane; i < d; i += 32) {
            const int64_t xc = center ? d * xr[i] - sum : xr[i];
            const int64_t z = fx::rshift_round(xc * rs, zshift);
            const int64_t v = z * gamma[i] + (center ? beta[i] : 0);
            y[r * d + i] = fx::requant(v, rq.mult, rq.shift, local);
        }
    }
    add_clips(clips, local);
}

__global__ void norm_f32_kernel(const float* __restrict__ x, const float* __restrict__ gamma,
                                const float* __restrict__ beta, float* __restrict__ y, int64_t rows,
                                int64_t d, float eps) {
    const int lane = threadIdx.x % 32;
    const int64_t warps = int64_t{gridDim.x} * (blockDim.x / 32);
    for (int64_t r = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / 32; r < rows; r += warps) {
        const float* xr = x + r * d;
        float mean = 0.0f;
        if (beta) {
            for (int64_t i = lane; i < d; i += 32) mean += xr[i];
            mean = warp_sum(mean) / static_cast<float>(d);
        }
        float ss = 0.0f;
        for (int64_t i = lane; i < d; i += 32) ss += (xr[i] - mean) * (xr[i] - mean);
        ss = warp_sum(ss);
        const float inv = 1.0f / sqrtf(ss / static_cast<float>(d) + eps);
        for (int64_t i = lane; i < d; i += 32)
            y[r * d + i] = (xr[i] - mean) * inv * gamma[i] + (beta ? beta[i] : 0.0f);
    }
}

}  // namespace

void upload_rsqrt_table() {
    static std::once_flag once;
    std::call_once(once, [] {
        check(cudaMemcpyToSymbol(c_rsqrt, rsqrt_table().data(), sizeof(int32_t) * 256),
              "cudaMemcpyToSymbol(rsqrt)");
    });
}

void norm_i8(const int8_t* x, const int8_t* gamma, const int32_t* beta, int8_t* y, int64_t rows, int64_t d,
             uint64_t eps, Requant rq, Clips clips) {
    upload_rsqrt_table();
    norm_i8_kernel<<<blocks_for(rows * 32, kThreads), kThreads>>>(x, gamma, beta, y, rows, d, eps, rq, clips);
    check_launch("norm_i8_kernel");
}

void norm_f32(const float* x, const float* gamma, const float* beta, float* y, int64_t rows, int64_t d,
              float eps) {
    norm_f32_kernel<<<blocks_for(rows * 32, kThreads), kThreads>>>(x, gamma, beta, y, rows, d, eps);
    check_launch("norm_f32_kernel");
}

}  // namespace ssmsim::cuda
