// The CUDA kernels of every op of the numerics contract (docs/numerics.md), one host entry point per op and
// mode. Pointers are device memory; every call is asynchronous on the default stream. Integer-mode entry
// points add the op's saturations to `*clips` (a device counter), so they match the reference's counts.
// The arithmetic is sim/numerics/fixed_point.h compiled as device code: the GPU cannot drift from it.
#pragma once

#include <cstdint>

namespace ssmsim::cuda {

using Clips = unsigned long long*;  // device counter of saturations

struct Requant {
    int64_t mult = 0;
    int shift = 0;
};

// ---- dense (gemm.cu) ----
// y[m,n] = requant(sum_k x[m,k] * w[n,k] + bias[n], rq): int8 tensor cores (wmma), exact int32 accumulators.
void linear_i8(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y, int64_t m, int64_t n,
               int64_t k, Requant rq, Clips clips);
// y[m,n] = bias[n] + sum_k x[m,k] * w[n,k] as int32 (classifier logits; nothing is counted).
void classifier_i8(const int8_t* x, const int8_t* w, const int32_t* bias, int32_t* y, int64_t m, int64_t n,
                   int64_t k);
// float32: y = x w^T + bias (bias may be null).
void linear_f32(const float* x, const float* w, const float* bias, float* y, int64_t m, int64_t n, int64_t k);

// ---- sequence ops (sequence.cu) ----
void conv1d_i8(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y, int64_t batch, int64_t len,
               int64_t ch, int64_t taps, Requant rq, Clips clips);
void conv1d_f32(const float* x, const float* w, const float* bias, float* y, int64_t batch, int64_t len,
                int64_t ch, int64_t taps);
void pool_i8(const int8_t* x, int8_t* y, int64_t batch, int64_t len, int64_t ch, Requant rq, Clips clips);
void pool_f32(const float* x, float* y, int64_t batch, int64_t len, int64_t ch);
// Tokens must already be checked to lie in [0, vocab).
void embedding(const int32_t* tokens, const void* table, void* y, int64_t n_tokens, int64_t row_bytes);

// ---- elementwise (elementwise.cu) ----
void lut_i8(const int8_t* x, const int8_t* lut, int8_t* y, int64_t n);
enum class LutKind { silu, softplus, exp, gelu, relu, sigmoid };
void lut_f32(LutKind f, const float* x, float* y, int64_t n);
void mul_i8(const int8_t* a, const int8_t* b, int8_t* y, int64_t n, Requant rq, Clips clips);
void mul_f32(const float* a, const float* b, float* y, int64_t n);
void add_i8(const int8_t* a, const int8_t* b, int8_t* y, int64_t n, int64_t mult_a, int64_t mult_b, int shift,
            Clips clips);
void add_f32(const float* a, const float* b, float* y, int64_t n);
void gate_i8(const int8_t* a, const int8_t* z, const int8_t* lut, int8_t* y, int64_t n, Requant rq,
             Clips clips);
void gate_f32(const float* a, const float* z, float* y, int64_t n, bool sigmoid);
// out[i] = requant(acc[i], rq): the epilogue of an int32 accumulator (kept for benchmarks).
void requant_i32(const int32_t* acc, int8_t* y, int64_t n, Requant rq, Clips clips);

// ---- norms (norm.cu) ----
// beta is null for rmsnorm. rows x d elements.
void norm_i8(const int8_t* x, const int8_t* gamma, const int32_t* beta, int8_t* y, int64_t rows, int64_t d,
             uint64_t eps, Requant rq, Clips clips);
void norm_f32(const float* x, const float* gamma, const float* beta, float* y, int64_t rows, int64_t d,
              float eps);

// ---- scans (scan.cu) ----
struct ScanShape {
    int64_t batch = 0, len = 0, ch = 0, state = 0;
    bool reverse = false;
};
struct SelectiveScanI8 {
    const int8_t *u, *delta;
    const int16_t* a;
    const int8_t *b, *c;
    const int32_t *d, *exp_table;
    int64_t table_size;
    const int8_t *z, *silu_lut;  // both null when not gated
    int exp_shift, y_shift;
    Requant out, gate;
};
void selective_scan_i8(const SelectiveScanI8& p, const ScanShape& s, int8_t* y, Clips clips);
struct SelectiveScanF32 {
    const float *u, *delta, *a, *b, *c, *d;
    const float* z;  // null when not gated
};
void selective_scan_f32(const SelectiveScanF32& p, const ScanShape& s, float* y);
struct S4dScanI8 {
    const int8_t* u;
    const int32_t* abar;
    const int16_t *bbar, *c;
    const int32_t* d;
    int y_shift;
    Requant out;
};
void s4d_scan_i8(const S4dScanI8& p, const ScanShape& s, int8_t* y, Clips clips);
struct S4dScanF32 {
    const float *u, *abar, *bbar, *c, *d;
};
void s4d_scan_f32(const S4dScanF32& p, const ScanShape& s, float* y);

// ---- attention (attention.cu) ----
struct AttentionShape {
    int64_t batch = 0, len = 0, width = 0, heads = 1;
    bool causal = false;
};
void attention_i8(const int8_t* q, const int8_t* k, const int8_t* v, const int32_t* exp_table,
                  int64_t table_size, int64_t score_mult, int score_shift, const AttentionShape& s, int8_t* y,
                  Clips clips);
void attention_f32(const float* q, const float* k, const float* v, float scale, const AttentionShape& s,
                   float* y);

// ---- timing (timing.cu) ----
// Keeps the GPU busy for about `ms` milliseconds, so that the launches queued behind it run back to back
// and host launch overhead stays out of event timings.
void hold_gpu(double ms);
// One CTA of one warp that does nothing: what a launch costs on its own (`ssmsim-cuda launch`).
void launch_empty();
// Uniform pseudo-random data in [lo, hi] from a seed (benchmarks never run on zeros).
void fill_random(int8_t* p, int64_t n, uint64_t seed, int64_t lo, int64_t hi);
void fill_random(int16_t* p, int64_t n, uint64_t seed, int64_t lo, int64_t hi);
void fill_random(int32_t* p, int64_t n, uint64_t seed, int64_t lo, int64_t hi);
void fill_random(float* p, int64_t n, uint64_t seed, float lo, float hi);

// The scan's dependency chain alone: SM cycles per step of one thread's h = sat32(rshift_round(abar*h, 15) +
// bx) over `steps` steps (a multiple of 8; best of several launches): the kernels' checked step
// (scan_step.cuh), their speculative step without the saturation, or the contract's helpers as written; and
// the SM clock measured against the global timer.
enum class ChainForm { checked, unchecked, naive };
double scan_chain_cycles_per_step(int64_t steps, ChainForm form);
double sm_clock_mhz();

// Longest sequence attention supports (its scores row lives in shared memory).
int64_t attention_max_len();

// Copies the contract's reciprocal-square-root table to the device once (norm_i8 calls it).
void upload_rsqrt_table();

}  // namespace ssmsim::cuda
