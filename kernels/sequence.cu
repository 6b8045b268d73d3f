// Ops along the sequence: causal depthwise conv1d, mean pool over time, embedding lookup.
// Threads run along channels (the innermost axis), so every warp reads and writes contiguous bytes.
#include "kernels/common.cuh"

namespace ssmsim::cuda {

namespace {

constexpr int kThreads = 256;

// One thread per output (b, t, c); the taps of channel c are read once per output from L1.
__global__ void conv1d_i8_kernel(const int8_t* __restrict__ x, const int8_t* __restrict__ w,
                                 const int32_t* __restrict__ bias, int8_t* __restrict__ y, int64_t batch,
                                 int64_t len, int64_t ch, int64_t taps, Requant rq, Clips clips) {
    uint64_t local = 0;
    const int64_t total = batch * len * ch;
    for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total;
         i += int64_t{gridDim.x} * blockDim.x) {
        const int64_t c = i % ch, t = (i / ch) % len, b = i / (ch * len);
        int64_t acc = bias ? bias[c] : 0;
        for (int64_t j = 0; j < taps; ++j) {
            const int64_t s = t - (taps - 1) + j;  // causal: nothing before the sequence starts
            if (s >= 0) acc += int64_t{w[c * taps + j]} * x[(b * len + s) * ch + c];
        }
        y[i] = fx::requant(acc, rq.mult, rq.shift, local);
    }
    add_clips(clips, local);
}

__global__ void conv1d_f32_kernel(const float* __restrict__ x, const float* __restrict__ w,
                                  const float* __restrict__ bias, float* __restrict__ y, int64_t batch,
                                  int64_t len, int64_t ch, int64_t taps) {
    const int64_t total = batch * len * ch;
    for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total;
         i += int64_t{gridDim.x} * blockDim.x) {
        const int64_t c = i % ch, t = (i / ch) % len, b = i / (ch * len);
        float acc = 0.0f;
        for (int64_t j = 0; j < taps; ++j) {
            const int64_t s = t - (taps - 1) + j;
            if (s >= 0) acc += w[c * taps + j] * x[(b * len + s) * ch + c];
        }
        y[i] = acc + (bias ? bias[c] : 0.0f);
    }
}

// Mean pool: blockDim.y slices of time per (b, channel block); slices meet in shared memory. The int64
// sum is exact in any order; the float sum follows the reference's order within each slice only.
constexpr int kPoolX = 32, kPoolY = 8;

template <typename T, typename Acc>
__device__ Acc pool_sum(const T* x, int64_t len, int64_t ch, int64_t b, int64_t c) {
    __shared__ Acc part[kPoolY][kPoolX];
    Acc acc = 0;
    if (c < ch) {
        for (int64_t t = threadIdx.y; t < len; t += kPoolY) acc += x[(b * len + t) * ch + c];
    }
    part[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    Acc sum = 0;
    if (threadIdx.y == 0) {
        for (int s = 0; s < kPoolY; ++s) sum += part[s][threadIdx.x];
    }
    return sum;
}

__global__ void pool_i8_kernel(const int8_t* x, int8_t* y, int64_t len, int64_t ch, Requant rq, Clips clips) {
    const int64_t b = blockIdx.y, c = int64_t{blockIdx.x} * kPoolX + threadIdx.x;
    const int64_t sum = pool_sum<int8_t, int64_t>(x, len, ch, b, c);
    uint64_t local = 0;
    if (threadIdx.y == 0 && c < ch) y[b * ch + c] = fx::requant(sum, rq.mult, rq.shift, local);
    add_clips(clips, local);
}

__global__ void pool_f32_kernel(const float* x, float* y, int64_t len, int64_t ch) {
    const int64_t b = blockIdx.y, c = int64_t{blockIdx.x} * kPoolX + threadIdx.x;
    const float sum = pool_sum<float, float>(x, len, ch, b, c);
    if (threadIdx.y == 0 && c < ch) y[b * ch + c] = sum / static_cast<float>(len);
}

// One warp per token row; bytes copied as they are (int8 or float32 rows).
__global__ void embedding_kernel(const int32_t* tokens, const unsigned char* table, unsigned char* y,
                                 int64_t n_tokens, int64_t row_bytes) {
    const int64_t warps = int64_t{gridDim.x} * (blockDim.x / 32);
    for (int64_t r = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / 32; r < n_tokens; r += warps) {
        const unsigned char* src = table + int64_t{tokens[r]} * row_bytes;
        for (int64_t i = threadIdx.x % 32; i < row_bytes; i += 32) y[r * row_bytes + i] = src[i];
    }
}

}  // namespace

void conv1d_i8(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y, int64_t batch, int64_t len,
               int64_t ch, int64_t taps, Requant rq, Clips clips) {
    conv1d_i8_kernel<<<blocks_for(batch * len * ch, kThreads), kThreads>>>(x, w, bias, y, batch, len, ch,
                                                                           taps, rq, clips);
    check_launch("conv1d_i8_kernel");
}

void conv1d_f32(const float* x, const float* w, const float* bias, float* y, int64_t batch, int64_t len,
                int64_t ch, int64_t taps) {
    conv1d_f32_kernel<<<blocks_for(batch * len * ch, kThreads), kThreads>>>(x, w, bias, y, batch, len, ch,
                                                                            taps);
    check_launch("conv1d_f32_kernel");
}

void pool_i8(const int8_t* x, int8_t* y, int64_t batch, int64_t len, int64_t ch, Requant rq, Clips clips) {
    const dim3 grid(static_cast<unsigned>((ch + kPoolX - 1) / kPoolX), static_cast<unsigned>(batch));
    pool_i8_kernel<<<grid, dim3(kPoolX, kPoolY)>>>(x, y, len, ch, rq, clips);
    check_launch("pool_i8_kernel");
}

void pool_f32(const float* x, float* y, int64_t batch, int64_t len, int64_t ch) {
    const dim3 grid(static_cast<unsigned>((ch + kPoolX - 1) / kPoolX), static_cast<unsigned>(batch));
    pool_f32_kernel<<<grid, dim3(kPoolX, kPoolY)>>>(x, y, len, ch);
    check_launch("pool_f32_kernel");
}

void embedding(const int32_t* tokens, const void* table, void* y, int64_t n_tokens, int64_t row_bytes) {
    embedding_kernel<<<blocks_for(n_tokens * 32, kThreads), kThreads>>>(
        tokens, static_cast<const unsigned char*>(table), static_cast<unsigned char*>(y), n_tokens,
        row_bytes);
    check_launch("embedding_kernel");
}

}  // namespace ssmsim::cuda
