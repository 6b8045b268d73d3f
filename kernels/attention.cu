// Multi-head attention with the contract's integer softmax. attention_i8 takes the tensor-core kernel of
// attention_mma.cu when the call fits it (attn_mma::fits: dh = W / heads in {4, 8, 16, 32, 64, 128},
// L <= 65536, the contract's score_mult and score_shift ranges, q/k/v aligned to min(dh, 16) bytes);
// SSMSIM_ATTENTION_MMA=0 in the environment turns that off. Otherwise,
// and for float32, one block per (batch, head, query): the block keeps the query's whole score row in shared
// memory, so the max, the table exponentials, the Q1.15 probabilities and P·V all read it there. Every
// integer sum is exact, so block reductions in any order give the reference's values; the one division per
// score is the contract's floor division.
#include <cstdlib>
#include <cstring>

#include "kernels/attention_mma.h"
#include "kernels/common.cuh"

namespace ssmsim::cuda {

namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr size_t kMaxSmem = 227 * 1024;  // Hopper's opt-in limit per block

template <typename T, typename Op>
__device__ T block_reduce(T v, Op op, T* scratch) {
#pragma unroll
    for (int o = 16; o > 0; o /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
    __syncthreads();  // scratch may still be read by a previous reduction
    if (threadIdx.x % 32 == 0) scratch[threadIdx.x / 32] = v;
    __syncthreads();
    T r = scratch[0];
    for (int w = 1; w < kWarps; ++w) r = op(r, scratch[w]);
    return r;
}

struct Row {
    int64_t b, hd, i, last, base_q;  // base_q: flat offset of q[b, i, hd*dh]
};
__device__ Row row_of(const AttentionShape& s, int64_t dh) {
    Row r;
    r.i = blockIdx.x;
    r.hd = blockIdx.y;
    r.b = blockIdx.z;
    r.last = s.causal ? r.i : s.len - 1;
    r.base_q = (r.b * s.len + r.i) * s.width + r.hd * dh;
    return r;
}

// Dynamic shared memory: score[len] (int32 or float), then the partial sums of P·V (kThreads of 8 bytes).
__global__ void __launch_bounds__(kThreads)
    attention_i8_kernel(const int8_t* __restrict__ q, const int8_t* __restrict__ k,
                        const int8_t* __restrict__ v, const int32_t* __restrict__ table, int64_t table_size,
                        int64_t score_mult, int score_shift, AttentionShape s, int8_t* __restrict__ y,
                        Clips clips) {
    extern __shared__ __align__(16) unsigned char smem[];
    const int64_t dh = s.width / s.heads;
    int64_t* part = reinterpret_cast<int64_t*>(smem);
    int32_t* score = reinterpret_cast<int32_t*>(smem + sizeof(int64_t) * kThreads);
    __shared__ int64_t scratch[kWarps];
    const Row r = row_of(s, dh);
    const int8_t* qi = q + r.base_q;
    // dp4a takes 4 int8 products at once when rows are 4-byte aligned.
    const bool packed = dh % 4 == 0 && s.width % 4 == 0;
    int32_t best = INT32_MIN;
    for (int64_t j = threadIdx.x; j <= r.last; j += kThreads) {
        const int8_t* kj = k + (r.b * s.len + j) * s.width + r.hd * dh;
        int32_t sc = 0;
        if (packed) {
            for (int64_t d = 0; d < dh; d += 4)
                sc = __dp4a(*reinterpret_cast<const int*>(qi + d),
                            __ldg(reinterpret_cast<const int*>(kj + d)), sc);
        } else {
            for (int64_t d = 0; d < dh; ++d) sc += int32_t{qi[d]} * int32_t{kj[d]};
        }
        score[j] = sc;
        best = max(best, sc);
    }
    best = static_cast<int32_t>(block_reduce<int64_t>(
        best, [](int64_t a, int64_t b) { return a > b ? a : b; }, scratch));
    int64_t sum = 0;
    for (int64_t j = threadIdx.x; j <= r.last; j += kThreads) {
        const int32_t e =
            table[fx::table_index((int64_t{best} - score[j]) * score_mult, score_shift, table_size)];
        score[j] = e;
        sum += e;
    }
    sum = block_reduce<int64_t>(
        sum, [](int64_t a, int64_t b) { return a + b; }, scratch);
    for (int64_t j = threadIdx.x; j <= r.last; j += kThreads)
        score[j] = static_cast<int32_t>(((int64_t{score[j]} << fx::kQ15) + sum / 2) / sum);  // Q1.15
    __syncthreads();
    // P·V: threads split (d, slice of j); slices meet in shared memory. dh > kThreads loops over d.
    const int64_t width = dh >= kThreads ? kThreads : dh;
    const int64_t groups = kThreads / width;
    uint64_t local = 0;
    for (int64_t d0 = 0; d0 < dh; d0 += kThreads) {
        const int64_t d = d0 + threadIdx.x % width;
        const int64_t grp = threadIdx.x / width;
        int64_t acc = 0;
        if (grp < groups && d < dh) {
            for (int64_t j = grp; j <= r.last; j += groups)
                acc += int64_t{score[j]} * v[(r.b * s.len + j) * s.width + r.hd * dh + d];
        }
        part[threadIdx.x] = acc;
        __syncthreads();
        if (threadIdx.x < width && d < dh) {
            int64_t total = 0;
            for (int64_t g = 0; g < groups; ++g) total += part[g * width + threadIdx.x];
            y[r.base_q + d] = fx::sat8(fx::rshift_round(total, fx::kQ15), local);
        }
        __syncthreads();
    }
    add_clips(clips, local);
}

__global__ void __launch_bounds__(kThreads)
    attention_f32_kernel(const float* __restrict__ q, const float* __restrict__ k,
                         const float* __restrict__ v, float scale, AttentionShape s, float* __restrict__ y) {
    extern __shared__ __align__(16) unsigned char smem[];
    const int64_t dh = s.width / s.heads;
    float* part = reinterpret_cast<float*>(smem);
    float* score = part + kThreads;
    __shared__ float scratch[kWarps];
    const Row r = row_of(s, dh);
    const float* qi = q + r.base_q;
    float best = -INFINITY;
    for (int64_t j = threadIdx.x; j <= r.last; j += kThreads) {
        const float* kj = k + (r.b * s.len + j) * s.width + r.hd * dh;
        float sc = 0.0f;
        for (int64_t d = 0; d < dh; ++d) sc += qi[d] * kj[d];
        score[j] = sc * scale;
        best = fmaxf(best, score[j]);
    }
    best = block_reduce<float>(
        best, [](float a, float b) { return fmaxf(a, b); }, scratch);
    float sum = 0.0f;
    for (int64_t j = threadIdx.x; j <= r.last; j += kThreads) {
        score[j] = expf(score[j] - best);
        sum += score[j];
    }
    sum = block_reduce<float>(
        sum, [](float a, float b) { return a + b; }, scratch);
    __syncthreads();
    const int64_t width = dh >= kThreads ? kThreads : dh;
    const int64_t groups = kThreads / width;
    for (int64_t d0 = 0; d0 < dh; d0 += kThreads) {
        const int64_t d = d0 + threadIdx.x % width;
        const int64_t grp = threadIdx.x / width;
        float acc = 0.0f;
        if (grp < groups && d < dh) {
            for (int64_t j = grp; j <= r.last; j += groups)
                acc += score[j] / sum * v[(r.b * s.len + j) * s.width + r.hd * dh + d];
        }
        part[threadIdx.x] = acc;
        __syncthreads();
        if (threadIdx.x < width && d < dh) {
            float total = 0.0f;
            for (int64_t g = 0; g < groups; ++g) total += part[g * width + threadIdx.x];
            y[r.base_q + d] = total;
        }
        __syncthreads();
    }
}

dim3 grid_of(const AttentionShape& s) {
    if (s.len > INT32_MAX || s.heads > 65535 || s.batch > 65535)
        throw std::invalid_argument("attention: grid too large");
    return dim3(static_cast<unsigned>(s.len), static_cast<unsigned>(s.heads), static_cast<unsigned>(s.batch));
}

size_t smem_for(const AttentionShape& s, size_t part_bytes) {
    const size_t bytes = part_bytes * kThreads + 4 * static_cast<size_t>(s.len);
    if (bytes > kMaxSmem) {
        throw std::invalid_argument("attention: sequence length " + std::to_string(s.len) +
                                    " above the CUDA kernel's limit of " +
                                    std::to_string(attention_max_len()));
    }
    return bytes;
}

// The tensor-core path is on unless SSMSIM_ATTENTION_MMA=0 (read once; for A/B checks against this kernel).
bool mma_enabled() {
    static const bool on = [] {
        const char* e = std::getenv("SSMSIM_ATTENTION_MMA");
        return e == nullptr || std::strcmp(e, "0") != 0;
    }();
    return on;
}

template <typename K>
void allow_smem(K kernel, size_t bytes) {
    check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(bytes)),
          "cudaFuncSetAttribute(attention)");
}

}  // namespace

int64_t attention_max_len() { return static_cast<int64_t>((kMaxSmem - 8 * kThreads) / 4); }

void attention_i8(const int8_t* q, const int8_t* k, const int8_t* v, const int32_t* exp_table,
                  int64_t table_size, int64_t score_mult, int score_shift, const AttentionShape& s, int8_t* y,
                  Clips clips) {
    if (s.len == 0 || s.batch == 0) return;
    if (mma_enabled() && attn_mma::fits(q, k, v, table_size, score_mult, score_shift, s)) {
        attn_mma::attention_i8(q, k, v, exp_table, table_size, score_mult, score_shift, s, y, clips);
        return;
    }
    const size_t smem = smem_for(s, sizeof(int64_t));
    allow_smem(attention_i8_kernel, smem);
    attention_i8_kernel<<<grid_of(s), kThreads, smem>>>(q, k, v, exp_table, table_size, score_mult,
                                                        score_shift, s, y, clips);
    check_launch("attention_i8_kernel");
}

void attention_f32(const float* q, const float* k, const float* v, float scale, const AttentionShape& s,
                   float* y) {
    if (s.len == 0 || s.batch == 0) return;
    const size_t smem = smem_for(s, sizeof(float));
    allow_smem(attention_f32_kernel, smem);
    attention_f32_kernel<<<grid_of(s), kThreads, smem>>>(q, k, v, scale, s, y);
    check_launch("attention_f32_kernel");
}

}  // namespace ssmsim::cuda
