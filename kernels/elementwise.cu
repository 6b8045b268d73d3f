// Elementwise and LUT ops (docs/numerics.md): one pass over the tensors, 16 int8 elements per thread and
// iteration (one 16-byte load per operand), LUTs in shared memory.
#include "kernels/common.cuh"

namespace ssmsim::cuda {

namespace {

constexpr int kThreads = 256;
constexpr int kVec = 16;  // int8 elements per 16-byte access

union Pack {
    uint4 v;
    int8_t b[kVec];
};

// f(i, a, b) -> int8 for each element; a and b may be the same pointer (unary ops pass x twice).
template <typename F>
__device__ __forceinline__ void for_each_i8(const int8_t* a, const int8_t* b, int8_t* y, int64_t n, F f) {
    const int64_t chunks = n / kVec;
    const int64_t stride = int64_t{gridDim.x} * blockDim.x;
    const int64_t first = blockIdx.x * int64_t{blockDim.x} + threadIdx.x;
    for (int64_t c = first; c < chunks; c += stride) {
        Pack pa, pb, py;
        pa.v = __ldg(reinterpret_cast<const uint4*>(a) + c);
        pb.v = __ldg(reinterpret_cast<const uint4*>(b) + c);
#pragma unroll
        for (int j = 0; j < kVec; ++j) py.b[j] = f(pa.b[j], pb.b[j]);
        reinterpret_cast<uint4*>(y)[c] = py.v;
    }
    for (int64_t i = chunks * kVec + first; i < n; i += stride) y[i] = f(a[i], b[i]);
}

__device__ __forceinline__ void load_lut(const int8_t* lut, int8_t* table) {
    for (int i = threadIdx.x; i < 256; i += blockDim.x) table[i] = lut[i];
    __syncthreads();
}

__global__ void lut_i8_kernel(const int8_t* x, const int8_t* lut, int8_t* y, int64_t n) {
    __shared__ int8_t table[256];
    load_lut(lut, table);
    for_each_i8(x, x, y, n, [&](int8_t v, int8_t) { return table[fx::lut_index(v)]; });
}

__global__ void mul_i8_kernel(const int8_t* a, const int8_t* b, int8_t* y, int64_t n, Requant rq,
                              Clips clips) {
    uint64_t local = 0;
    for_each_i8(a, b, y, n,
                [&](int8_t p, int8_t q) { return fx::requant(int64_t{p} * q, rq.mult, rq.shift, local); });
    add_clips(clips, local);
}

__global__ void add_i8_kernel(const int8_t* a, const int8_t* b, int8_t* y, int64_t n, int64_t ma, int64_t mb,
                              int shift, Clips clips) {
    uint64_t local = 0;
    for_each_i8(a, b, y, n, [&](int8_t p, int8_t q) {
        return fx::sat8(fx::rshift_round(p * ma + q * mb, shift), local);
    });
    add_clips(clips, local);
}

__global__ void gate_i8_kernel(const int8_t* a, const int8_t* z, const int8_t* lut, int8_t* y, int64_t n,
                               Requant rq, Clips clips) {
    __shared__ int8_t table[256];
    load_lut(lut, table);
    uint64_t local = 0;
    for_each_i8(a, z, y, n, [&](int8_t p, int8_t q) {
        return fx::requant(int64_t{p} * table[fx::lut_index(q)], rq.mult, rq.shift, local);
    });
    add_clips(clips, local);
}

__global__ void requant_kernel(const int32_t* acc, int8_t* y, int64_t n, Requant rq, Clips clips) {
    uint64_t local = 0;
    for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
         i += int64_t{gridDim.x} * blockDim.x)
        y[i] = fx::requant(acc[i], rq.mult, rq.shift, local);
    add_clips(clips, local);
}

// The float32 functions of the reference (sim/numerics/tables.cpp, lut_fn_eval_f32), in device float math.
__device__ __forceinline__ float lut_fn(LutKind f, float x) {
    switch (f) {
        case LutKind::silu:
            return x / (1.0f + expf(-x));
        case LutKind::softplus:
            return x > 20.0f ? x : log1pf(expf(x));
        case LutKind::exp:
            return expf(x);
        case LutKind::gelu:
            return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
        case LutKind::relu:
            return x > 0.0f ? x : 0.0f;
        case LutKind::sigmoid:
            return 1.0f / (1.0f + expf(-x));
    }
    return 0.0f;
}

template <typename F>
__global__ void map_f32_kernel(const float* a, const float* b, float* y, int64_t n, F f) {
    for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
         i += int64_t{gridDim.x} * blockDim.x)
        y[i] = f(a[i], b[i]);
}

unsigned grid_i8(int64_t n) { return blocks_for((n + kVec - 1) / kVec, kThreads); }

template <typename F>
void map_f32(const float* a, const float* b, float* y, int64_t n, F f) {
    map_f32_kernel<<<blocks_for(n, kThreads), kThreads>>>(a, b, y, n, f);
    check_launch("map_f32_kernel");
}

}  // namespace

void lut_i8(const int8_t* x, const int8_t* lut, int8_t* y, int64_t n) {
    lut_i8_kernel<<<grid_i8(n), kThreads>>>(x, lut, y, n);
    check_launch("lut_i8_kernel");
}

void mul_i8(const int8_t* a, const int8_t* b, int8_t* y, int64_t n, Requant rq, Clips clips) {
    mul_i8_kernel<<<grid_i8(n), kThreads>>>(a, b, y, n, rq, clips);
    check_launch("mul_i8_kernel");
}

void add_i8(const int8_t* a, const int8_t* b, int8_t* y, int64_t n, int64_t mult_a, int64_t mult_b, int shift,
            Clips clips) {
    add_i8_kernel<<<grid_i8(n), kThreads>>>(a, b, y, n, mult_a, mult_b, shift, clips);
    check_launch("add_i8_kernel");
}

void gate_i8(const int8_t* a, const int8_t* z, const int8_t* lut, int8_t* y, int64_t n, Requant rq,
             Clips clips) {
    gate_i8_kernel<<<grid_i8(n), kThreads>>>(a, z, lut, y, n, rq, clips);
    check_launch("gate_i8_kernel");
}

void requant_i32(const int32_t* acc, int8_t* y, int64_t n, Requant rq, Clips clips) {
    requant_kernel<<<blocks_for(n, kThreads), kThreads>>>(acc, y, n, rq, clips);
    check_launch("requant_kernel");
}

void lut_f32(LutKind f, const float* x, float* y, int64_t n) {
    map_f32(x, x, y, n, [f] __device__(float v, float) { return lut_fn(f, v); });
}
void mul_f32(const float* a, const float* b, float* y, int64_t n) {
    map_f32(a, b, y, n, [] __device__(float p, float q) { return p * q; });
}
void add_f32(const float* a, const float* b, float* y, int64_t n) {
    map_f32(a, b, y, n, [] __device__(float p, float q) { return p + q; });
}
void gate_f32(const float* a, const float* z, float* y, int64_t n, bool sigmoid) {
    const LutKind f = sigmoid ? LutKind::sigmoid : LutKind::silu;
    map_f32(a, z, y, n, [f] __device__(float p, float q) { return p * lut_fn(f, q); });
}

}  // namespace ssmsim::cuda
