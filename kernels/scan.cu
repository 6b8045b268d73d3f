// selective_scan (Mamba S6) and s4d_scan (S4D), parallel over (batch, channel, state) with time sequential,
// as the contract fixes it: the float32 kernels, and the generic int8 kernels that scan_i8.cu falls back to
// for state sizes outside its fast path. A group of G lanes (G = N rounded up to a power of two, at most 32)
// owns one channel; lane l keeps the states k = l, l + G, ... in registers. Each step the group sums C·h with
// shuffles (int64, exact in any order) and its first lane finishes the output. The inputs of step t + 1
// are loaded before step t computes, so their latency hides behind the recurrence.
#include "kernels/common.cuh"
#include "kernels/scan_generic.h"

namespace ssmsim::cuda {

namespace {

constexpr int kThreads = 64;             // 2 warps: more blocks, spread over more SMs, for small E
constexpr int64_t kSmemTableMax = 8192;  // exp tables up to 32 KiB live in shared memory

template <typename T>
__device__ __forceinline__ T group_sum(T v, int g) {
    for (int o = g / 2; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

struct Lane {
    int g, lane;  // group width, lane in group
    int64_t b, e;
    bool active;
};
__device__ __forceinline__ Lane lane_of(int g, int64_t ch) {
    Lane l;
    l.g = g;
    l.lane = threadIdx.x % g;
    l.b = blockIdx.y;
    l.e = int64_t{blockIdx.x} * (blockDim.x / g) + threadIdx.x / g;
    l.active = l.e < ch;
    return l;
}

__device__ __forceinline__ int64_t time_of(int64_t step, const ScanShape& s) {
    return s.reverse ? s.len - 1 - step : step;
}

template <int S>
__global__ void __launch_bounds__(kThreads)
    selective_scan_i8_kernel(SelectiveScanI8 p, ScanShape s, int g, int8_t* __restrict__ y, Clips clips) {
    extern __shared__ int32_t table_s[];
    const bool smem_table = p.table_size <= kSmemTableMax;
    if (smem_table) {
        for (int64_t i = threadIdx.x; i < p.table_size; i += blockDim.x) table_s[i] = p.exp_table[i];
        __syncthreads();
    }
    const int32_t* table = smem_table ? table_s : p.exp_table;
    const Lane l = lane_of(g, s.ch);
    const int64_t n = s.state, ch = s.ch;
    int64_t a[S];
    bool valid[S];
    int32_t h[S];
#pragma unroll
    for (int j = 0; j < S; ++j) {
        const int64_t k = l.lane + int64_t{j} * g;
        valid[j] = l.active && k < n;
        a[j] = valid[j] ? p.a[l.e * n + k] : 0;
        h[j] = 0;
    }
    const int64_t e = l.active ? l.e : 0;
    uint64_t local = 0;
    // Step inputs: dt, x (per channel) and B, C (per state), loaded one step ahead.
    auto load = [&](int64_t step, int64_t& dt, int64_t& x, int64_t(&bk)[S], int64_t(&ck)[S]) {
        const int64_t row = l.b * s.len + time_of(step, s);
        dt = p.delta[row * ch + e];
        x = p.u[row * ch + e];
#pragma unroll
        for (int j = 0; j < S; ++j) {
            const int64_t k = l.lane + int64_t{j} * g;
            bk[j] = valid[j] ? p.b[row * n + k] : 0;
            ck[j] = valid[j] ? p.c[row * n + k] : 0;
        }
    };
    int64_t dt, x, bk[S], ck[S];
    load(0, dt, x, bk, ck);
    for (int64_t step = 0; step < s.len; ++step) {
        int64_t dt_next = 0, x_next = 0, bk_next[S], ck_next[S];
        if (step + 1 < s.len) load(step + 1, dt_next, x_next, bk_next, ck_next);
        int64_t acc = 0;
#pragma unroll
        for (int j = 0; j < S; ++j) {
            if (!valid[j]) continue;
            const int64_t abar = table[fx::table_index(-dt * a[j], p.exp_shift, p.table_size)];
            const int64_t decayed = fx::rshift_round(abar * h[j], fx::kQ15);
            h[j] = fx::sat32(decayed + dt * bk[j] * x, local);
            acc += ck[j] * h[j];
        }
        acc = group_sum(acc, g);
        if (l.active && l.lane == 0) {
            const int64_t row = l.b * s.len + time_of(step, s);
            const int64_t ys = fx::sat32(fx::rshift_round(acc, p.y_shift), local);
            const int64_t with_skip = fx::sat32(ys + int64_t{p.d[e]} * x, local);
            int8_t o = fx::requant(with_skip, p.out.mult, p.out.shift, local);
            if (p.z) {
                o = fx::requant(int64_t{o} * p.silu_lut[fx::lut_index(p.z[row * ch + e])], p.gate.mult,
                                p.gate.shift, local);
            }
            y[row * ch + e] = o;
        }
        dt = dt_next;
        x = x_next;
#pragma unroll
        for (int j = 0; j < S; ++j) {
            bk[j] = bk_next[j];
            ck[j] = ck_next[j];
        }
    }
    add_clips(clips, local);
}

__device__ __forceinline__ float silu_f32(float v) { return v / (1.0f + expf(-v)); }

template <int S>
__global__ void __launch_bounds__(kThreads)
    selective_scan_f32_kernel(SelectiveScanF32 p, ScanShape s, int g, float* __restrict__ y) {
    const Lane l = lane_of(g, s.ch);
    const int64_t n = s.state, ch = s.ch;
    const int64_t e = l.active ? l.e : 0;
    float a[S], h[S];
    bool valid[S];
#pragma unroll
    for (int j = 0; j < S; ++j) {
        const int64_t k = l.lane + int64_t{j} * g;
        valid[j] = l.active && k < n;
        a[j] = valid[j] ? p.a[e * n + k] : 0.0f;
        h[j] = 0.0f;
    }
    for (int64_t step = 0; step < s.len; ++step) {
        const int64_t row = l.b * s.len + time_of(step, s);
        const float dt = p.delta[row * ch + e], x = p.u[row * ch + e];
        float acc = 0.0f;
#pragma unroll
        for (int j = 0; j < S; ++j) {
            if (!valid[j]) continue;
            const int64_t k = l.lane + int64_t{j} * g;
            h[j] = expf(dt * a[j]) * h[j] + dt * p.b[row * n + k] * x;
            acc += p.c[row * n + k] * h[j];
        }
        acc = group_sum(acc, g);
        if (l.active && l.lane == 0) {
            float o = acc + p.d[e] * x;
            if (p.z) o *= silu_f32(p.z[row * ch + e]);
            y[row * ch + e] = o;
        }
    }
}

template <int S>
__global__ void __launch_bounds__(kThreads)
    s4d_scan_i8_kernel(S4dScanI8 p, ScanShape s, int g, int8_t* __restrict__ y, Clips clips) {
    const Lane l = lane_of(g, s.ch);
    const int64_t n = s.state, ch = s.ch;
    const int64_t e = l.active ? l.e : 0;
    int64_t abar[S], bbar[S], c[S];
    int32_t h[S];
    bool valid[S];
#pragma unroll
    for (int j = 0; j < S; ++j) {
        const int64_t k = l.lane + int64_t{j} * g;
        valid[j] = l.active && k < n;
        abar[j] = valid[j] ? p.abar[e * n + k] : 0;
        bbar[j] = valid[j] ? p.bbar[e * n + k] : 0;
        c[j] = valid[j] ? p.c[e * n + k] : 0;
        h[j] = 0;
    }
    uint64_t local = 0;
    int64_t x = p.u[(l.b * s.len + time_of(0, s)) * ch + e];
    for (int64_t step = 0; step < s.len; ++step) {
        const int64_t row = l.b * s.len + time_of(step, s);
        const int64_t x_next = step + 1 < s.len ? p.u[(l.b * s.len + time_of(step + 1, s)) * ch + e] : 0;
        int64_t acc = 0;
#pragma unroll
        for (int j = 0; j < S; ++j) {
            if (!valid[j]) continue;
            h[j] = fx::sat32(fx::rshift_round(abar[j] * h[j], fx::kQ15) + bbar[j] * x, local);
            acc += c[j] * h[j];
        }
        acc = group_sum(acc, g);
        if (l.active && l.lane == 0) {
            const int64_t ys = fx::sat32(fx::rshift_round(acc, p.y_shift), local);
            const int64_t with_skip = fx::sat32(ys + int64_t{p.d[e]} * x, local);
            y[row * ch + e] = fx::requant(with_skip, p.out.mult, p.out.shift, local);
        }
        x = x_next;
    }
    add_clips(clips, local);
}

template <int S>
__global__ void __launch_bounds__(kThreads)
    s4d_scan_f32_kernel(S4dScanF32 p, ScanShape s, int g, float* __restrict__ y) {
    const Lane l = lane_of(g, s.ch);
    const int64_t n = s.state, ch = s.ch;
    const int64_t e = l.active ? l.e : 0;
    float abar[S], bbar[S], c[S], h[S];
    bool valid[S];
#pragma unroll
    for (int j = 0; j < S; ++j) {
        const int64_t k = l.lane + int64_t{j} * g;
        valid[j] = l.active && k < n;
        abar[j] = valid[j] ? p.abar[e * n + k] : 0.0f;
        bbar[j] = valid[j] ? p.bbar[e * n + k] : 0.0f;
        c[j] = valid[j] ? p.c[e * n + k] : 0.0f;
        h[j] = 0.0f;
    }
    for (int64_t step = 0; step < s.len; ++step) {
        const int64_t row = l.b * s.len + time_of(step, s);
        const float x = p.u[row * ch + e];
        float acc = 0.0f;
#pragma unroll
        for (int j = 0; j < S; ++j) {
            if (!valid[j]) continue;
            h[j] = abar[j] * h[j] + bbar[j] * x;
            acc += c[j] * h[j];
        }
        acc = group_sum(acc, g);
        if (l.active && l.lane == 0) y[row * ch + e] = acc + p.d[e] * x;
    }
}

struct Geometry {
    int g;       // lanes per channel
    int states;  // states per lane, rounded up to an instantiated size
    dim3 grid;
};

Geometry geometry(const ScanShape& s) {
    if (s.batch > 65535) throw std::invalid_argument("scan: batch above 65535");
    int g = 1;
    while (g < s.state && g < 32) g *= 2;
    const int64_t per_lane = (s.state + g - 1) / g;
    int states = 1;
    while (states < per_lane && states < 8) states *= 2;
    if (per_lane > 8) states = 128;  // N up to 4096: state arrays spill to local memory, slow but exact
    if (per_lane > 128) throw std::invalid_argument("scan: state size above 4096");
    const int64_t per_block = kThreads / g;
    return {g, states,
            dim3(static_cast<unsigned>((s.ch + per_block - 1) / per_block), static_cast<unsigned>(s.batch))};
}

// Launches KERNEL<S> for S = the geometry's states per lane (the instantiated sizes).
#define SSMSIM_SCAN_LAUNCH(KERNEL, GEO, SMEM, ...)                    \
    switch ((GEO).states) {                                           \
        case 1:                                                       \
            KERNEL<1><<<(GEO).grid, kThreads, SMEM>>>(__VA_ARGS__);   \
            break;                                                    \
        case 2:                                                       \
            KERNEL<2><<<(GEO).grid, kThreads, SMEM>>>(__VA_ARGS__);   \
            break;                                                    \
        case 4:                                                       \
            KERNEL<4><<<(GEO).grid, kThreads, SMEM>>>(__VA_ARGS__);   \
            break;                                                    \
        case 8:                                                       \
            KERNEL<8><<<(GEO).grid, kThreads, SMEM>>>(__VA_ARGS__);   \
            break;                                                    \
        default:                                                      \
            KERNEL<128><<<(GEO).grid, kThreads, SMEM>>>(__VA_ARGS__); \
            break;                                                    \
    }

}  // namespace

void selective_scan_i8_generic(const SelectiveScanI8& p, const ScanShape& s, int8_t* y, Clips clips) {
    if (s.len == 0 || s.ch == 0 || s.batch == 0) return;
    const Geometry geo = geometry(s);
    const size_t smem = p.table_size <= kSmemTableMax ? sizeof(int32_t) * p.table_size : 0;
    SSMSIM_SCAN_LAUNCH(selective_scan_i8_kernel, geo, smem, p, s, geo.g, y, clips);
    check_launch("selective_scan_i8_kernel");
}

void selective_scan_f32(const SelectiveScanF32& p, const ScanShape& s, float* y) {
    if (s.len == 0 || s.ch == 0 || s.batch == 0) return;
    const Geometry geo = geometry(s);
    SSMSIM_SCAN_LAUNCH(selective_scan_f32_kernel, geo, 0, p, s, geo.g, y);
    check_launch("selective_scan_f32_kernel");
}

void s4d_scan_i8_generic(const S4dScanI8& p, const ScanShape& s, int8_t* y, Clips clips) {
    if (s.len == 0 || s.ch == 0 || s.batch == 0) return;
    const Geometry geo = geometry(s);
    SSMSIM_SCAN_LAUNCH(s4d_scan_i8_kernel, geo, 0, p, s, geo.g, y, clips);
    check_launch("s4d_scan_i8_kernel");
}

void s4d_scan_f32(const S4dScanF32& p, const ScanShape& s, float* y) {
    if (s.len == 0 || s.ch == 0 || s.batch == 0) return;
    const Geometry geo = geometry(s);
    SSMSIM_SCAN_LAUNCH(s4d_scan_f32_kernel, geo, 0, p, s, geo.g, y);
    check_launch("s4d_scan_f32_kernel");
}

}  // namespace ssmsim::cuda
