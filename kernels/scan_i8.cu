// The int8 scans (selective_scan, s4d_scan) built around the recurrence's dependency chain.
//
// The contract fixes the time order of every (batch, channel, state) chain, so a scan takes at least
// L x (the latency of one step of h = sat32(rshift_round(abar * h, 15) + bx)). Everything else in a step
// depends only on inputs, and this kernel keeps it off that chain:
//   - one thread owns one chain (S chains when N is large), so nothing in the step waits on another lane;
//   - the block stages a chunk of kChunk steps of its inputs in shared memory, loaded one chunk ahead
//     into registers, so global latency never stalls a step;
//   - each step's contribution C·h is written to shared memory, and y = sum over states is reduced for the
//     whole chunk afterwards (int64 sums are exact, so any order gives the contract's value), followed by
//     the output stage (y_shift, D skip, requant, gate) for the chunk's outputs.
// Shapes outside the fast path (N above kMaxStatesS4d / kMaxStatesSelective) use the generic kernels.
#include "kernels/common.cuh"
#include "kernels/scan_generic.h"

namespace ssmsim::cuda {

namespace {

constexpr int kBlock = 128;
constexpr int kChunk = 32;  // steps per chunk
constexpr int kMinGroup = 4;
constexpr int64_t kMaxStatesS4d = 512;       // 128 threads x 4 states
constexpr int64_t kMaxStatesSelective = 64;  // B and C of a chunk prefetched in registers
constexpr int64_t kSmemTableMax = 4096;      // exp tables up to 16 KiB live in shared memory
constexpr int kChanPrefetch = kChunk * (kBlock / kMinGroup) / kBlock;  // per-channel bytes per thread
constexpr int kStatePrefetch = kChunk * kMaxStatesSelective / kBlock;  // per-state bytes per thread
static_assert(kChanPrefetch * kBlock >= kChunk * (kBlock / kMinGroup));

// Which chains a thread owns: group `g` threads per channel, `cpb` channels per block.
struct Layout {
    int g, cpb;
    int lane, c;  // this thread's state lane and channel in the block
    int64_t e0, b;
};
__device__ __forceinline__ Layout layout_of(int g) {
    Layout l;
    l.g = g;
    l.cpb = kBlock / g;
    l.lane = threadIdx.x % g;
    l.c = threadIdx.x / g;
    l.e0 = int64_t{blockIdx.x} * l.cpb;
    l.b = blockIdx.y;
    return l;
}

__device__ __forceinline__ int64_t row_of(const ScanShape& s, int64_t b, int64_t step) {
    return b * s.len + (s.reverse ? s.len - 1 - step : step);
}

// A per-channel input of a chunk ([kChunk][cpb] int8), fetched into registers, then stored to shared memory.
struct ChanPrefetch {
    int8_t v[kChanPrefetch];
    __device__ __forceinline__ void load(const int8_t* src, const ScanShape& s, const Layout& l, int64_t s0) {
#pragma unroll
        for (int i = 0; i < kChanPrefetch; ++i) {
            const int j = threadIdx.x + i * kBlock;
            const int t = j / l.cpb, c = j % l.cpb;
            const int64_t e = l.e0 + c;
            v[i] = (src && t < kChunk && s0 + t < s.len && e < s.ch) ? src[row_of(s, l.b, s0 + t) * s.ch + e]
                                                                     : 0;
        }
    }
    __device__ __forceinline__ void store(int8_t* dst, const Layout& l) const {
#pragma unroll
        for (int i = 0; i < kChanPrefetch; ++i) {
            const int j = threadIdx.x + i * kBlock;
            if (j < kChunk * l.cpb) dst[j] = v[i];
        }
    }
};

// A per-state input of a chunk ([kChunk][N] int8, shared by every channel of the batch item).
struct StatePrefetch {
    int8_t v[kStatePrefetch];
    __device__ __forceinline__ void load(const int8_t* src, const ScanShape& s, int64_t b, int64_t s0) {
        const int n = static_cast<int>(s.state);
#pragma unroll
        for (int i = 0; i < kStatePrefetch; ++i) {
            const int j = threadIdx.x + i * kBlock;
            const int t = j / n, k = j % n;
            v[i] = (t < kChunk && s0 + t < s.len) ? src[row_of(s, b, s0 + t) * n + k] : 0;
        }
    }
    __device__ __forceinline__ void store(int8_t* dst, const ScanShape& s) const {
#pragma unroll
        for (int i = 0; i < kStatePrefetch; ++i) {
            const int j = threadIdx.x + i * kBlock;
            if (j < kChunk * s.state) dst[j] = v[i];
        }
    }
};

// Shared memory of a block: C·h partials [kChunk][cpb][g + 1] (the +1 spreads a reduction's reads over
// banks), double-buffered chunk inputs, then the exp table.
struct Smem {
    int64_t* part;
    int8_t* in;  // 2 buffers of `in_bytes`
    int32_t* table;
    int in_bytes;
    static __host__ __device__ size_t part_bytes(int g) {
        return sizeof(int64_t) * kChunk * (kBlock / g) * (g + 1);
    }
};
__device__ __forceinline__ Smem carve(unsigned char* base, int g, int in_bytes) {
    Smem m;
    m.part = reinterpret_cast<int64_t*>(base);
    m.in = reinterpret_cast<int8_t*>(base + Smem::part_bytes(g));
    m.in_bytes = in_bytes;
    m.table = reinterpret_cast<int32_t*>(base + Smem::part_bytes(g) + ((2 * in_bytes + 15) / 16) * 16);
    return m;
}

// y of every output of a chunk: the sum of its chain partials, int64 and exact.
__device__ __forceinline__ int64_t chunk_sum(const int64_t* part, int o, int g) {
    const int64_t* p = part + o * (g + 1);
    int64_t acc = 0;
    for (int i = 0; i < g; ++i) acc += p[i];
    return acc;
}

// ---- s4d_scan ----------------------------------------------------------------------------------------

template <int S, bool kTail>
__device__ __forceinline__ void s4d_chunk(const int8_t* xs, int n_steps, const Layout& l,
                                          const int32_t (&abar)[S], const int32_t (&bbar)[S],
                                          const int32_t (&c)[S], int32_t (&h)[S], int64_t* part,
                                          uint64_t& clips) {
#pragma unroll
    for (int t = 0; t < kChunk; ++t) {
        if (kTail && t >= n_steps) break;
        const int32_t x = xs[t * l.cpb + l.c];
        int64_t acc = 0;
#pragma unroll
        for (int j = 0; j < S; ++j) {
            const int64_t decayed = fx::rshift_round(int64_t{abar[j]} * h[j], fx::kQ15);
            h[j] = fx::sat32(decayed + int64_t{bbar[j]} * x, clips);
            acc += int64_t{c[j]} * h[j];
        }
        part[(t * l.cpb + l.c) * (l.g + 1) + l.lane] = acc;
    }
}

template <int S>
__global__ void __launch_bounds__(kBlock)
    s4d_scan_i8_fast(S4dScanI8 p, ScanShape s, int g, int8_t* __restrict__ y, Clips clips) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const Layout l = layout_of(g);
    const Smem m = carve(smem_raw, g, kChunk * l.cpb);
    const int64_t n = s.state;
    const int64_t e = l.e0 + l.c;
    const bool live = e < s.ch;
    int32_t abar[S], bbar[S], c[S], h[S];
#pragma unroll
    for (int j = 0; j < S; ++j) {
        const int64_t k = l.lane + int64_t{j} * g;
        const bool valid = live && k < n;  // an idle slot keeps h = 0 and adds nothing
        abar[j] = valid ? p.abar[e * n + k] : 0;
        bbar[j] = valid ? p.bbar[e * n + k] : 0;
        c[j] = valid ? p.c[e * n + k] : 0;
        h[j] = 0;
    }
    // The output stage: thread tid handles outputs o = tid + i * kBlock, all of channel tid % cpb.
    const int out_c = threadIdx.x % l.cpb;
    const int64_t out_e = l.e0 + out_c;
    const int64_t d = out_e < s.ch ? p.d[out_e] : 0;
    uint64_t local = 0;

    const int64_t chunks = (s.len + kChunk - 1) / kChunk;
    ChanPrefetch xin;
    xin.load(p.u, s, l, 0);
    xin.store(m.in, l);
    if (chunks > 1) xin.load(p.u, s, l, kChunk);
    __syncthreads();
    for (int64_t ci = 0; ci < chunks; ++ci) {
        const int64_t s0 = ci * kChunk;
        const int n_steps = static_cast<int>(s.len - s0 < kChunk ? s.len - s0 : kChunk);
        const int8_t* xs = m.in + (ci & 1) * m.in_bytes;
        if (n_steps == kChunk)
            s4d_chunk<S, false>(xs, n_steps, l, abar, bbar, c, h, m.part, local);
        else
            s4d_chunk<S, true>(xs, n_steps, l, abar, bbar, c, h, m.part, local);
        if (ci + 1 < chunks) xin.store(m.in + ((ci + 1) & 1) * m.in_bytes, l);
        __syncthreads();
        for (int o = threadIdx.x; o < n_steps * l.cpb; o += kBlock) {
            if (out_e >= s.ch) continue;
            const int t = o / l.cpb;
            const int64_t x = xs[o];
            const int64_t ys = fx::sat32(fx::rshift_round(chunk_sum(m.part, o, g), p.y_shift), local);
            const int64_t with_skip = fx::sat32(ys + d * x, local);
            y[row_of(s, l.b, s0 + t) * s.ch + out_e] = fx::requant(with_skip, p.out.mult, p.out.shift, local);
        }
        if (ci + 2 < chunks) xin.load(p.u, s, l, s0 + 2 * kChunk);
        __syncthreads();
    }
    add_clips(clips, local);
}

// ---- selective_scan ----------------------------------------------------------------------------------

struct SelInputs {  // one chunk's inputs in shared memory
    const int8_t *dt, *x, *z, *b, *c;
};
__device__ __forceinline__ SelInputs sel_inputs(const int8_t* buf, int cpb, int64_t n) {
    const int chan = kChunk * cpb;
    return {buf, buf + chan, buf + 2 * chan, buf + 3 * chan, buf + 3 * chan + kChunk * n};
}
__host__ __device__ inline int sel_in_bytes(int cpb, int64_t n) {
    return static_cast<int>(3 * kChunk * cpb + 2 * kChunk * n);
}

template <int S, bool kTail>
__device__ __forceinline__ void sel_chunk(const SelInputs& in, int n_steps, const Layout& l, int64_t n,
                                          const int32_t (&a)[S], int32_t (&h)[S], const int32_t* table,
                                          int64_t table_size, int exp_shift, int64_t* part, uint64_t& clips) {
#pragma unroll
    for (int t = 0; t < kChunk; ++t) {
        if (kTail && t >= n_steps) break;
        const int64_t dt = in.dt[t * l.cpb + l.c];
        const int64_t x = in.x[t * l.cpb + l.c];
        int64_t acc = 0;
#pragma unroll
        for (int j = 0; j < S; ++j) {
            const int k = l.lane + j * l.g;
            const bool valid = k < n;
            const int64_t bk = valid ? in.b[t * n + k] : 0;
            const int64_t ck = valid ? in.c[t * n + k] : 0;
            const int64_t abar = table[fx::table_index(-dt * a[j], exp_shift, table_size)];
            const int64_t decayed = fx::rshift_round(abar * h[j], fx::kQ15);
            h[j] = fx::sat32(decayed + dt * bk * x, clips);
            acc += ck * h[j];
        }
        part[(t * l.cpb + l.c) * (l.g + 1) + l.lane] = acc;
    }
}

struct SelPrefetch {
    ChanPrefetch dt, x, z;
    StatePrefetch b, c;
    __device__ __forceinline__ void load(const SelectiveScanI8& p, const ScanShape& s, const Layout& l,
                                         int64_t s0) {
        dt.load(p.delta, s, l, s0);
        x.load(p.u, s, l, s0);
        z.load(p.z, s, l, s0);
        b.load(p.b, s, l.b, s0);
        c.load(p.c, s, l.b, s0);
    }
    __device__ __forceinline__ void store(int8_t* buf, const ScanShape& s, const Layout& l) const {
        const int chan = kChunk * l.cpb;
        dt.store(buf, l);
        x.store(buf + chan, l);
        z.store(buf + 2 * chan, l);
        b.store(buf + 3 * chan, s);
        c.store(buf + 3 * chan + kChunk * s.state, s);
    }
};

template <int S>
__global__ void __launch_bounds__(kBlock)
    selective_scan_i8_fast(SelectiveScanI8 p, ScanShape s, int g, int8_t* __restrict__ y, Clips clips) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const Layout l = layout_of(g);
    const int64_t n = s.state;
    const Smem m = carve(smem_raw, g, sel_in_bytes(l.cpb, n));
    const bool smem_table = p.table_size <= kSmemTableMax;
    if (smem_table)
        for (int64_t i = threadIdx.x; i < p.table_size; i += kBlock) m.table[i] = p.exp_table[i];
    const int32_t* table = smem_table ? m.table : p.exp_table;
    const int64_t e = l.e0 + l.c;
    const bool live = e < s.ch;
    int32_t a[S], h[S];
#pragma unroll
    for (int j = 0; j < S; ++j) {
        const int64_t k = l.lane + int64_t{j} * g;
        a[j] = live && k < n ? p.a[e * n + k] : 0;  // an idle slot decays nothing and adds nothing: h stays 0
        h[j] = 0;
    }
    const int out_c = threadIdx.x % l.cpb;
    const int64_t out_e = l.e0 + out_c;
    const int64_t d = out_e < s.ch ? p.d[out_e] : 0;
    uint64_t local = 0;

    const int64_t chunks = (s.len + kChunk - 1) / kChunk;
    SelPrefetch pre;
    pre.load(p, s, l, 0);
    pre.store(m.in, s, l);
    if (chunks > 1) pre.load(p, s, l, kChunk);
    __syncthreads();
    for (int64_t ci = 0; ci < chunks; ++ci) {
        const int64_t s0 = ci * kChunk;
        const int n_steps = static_cast<int>(s.len - s0 < kChunk ? s.len - s0 : kChunk);
        const SelInputs in = sel_inputs(m.in + (ci & 1) * m.in_bytes, l.cpb, n);
        if (n_steps == kChunk)
            sel_chunk<S, false>(in, n_steps, l, n, a, h, table, p.table_size, p.exp_shift, m.part, local);
        else
            sel_chunk<S, true>(in, n_steps, l, n, a, h, table, p.table_size, p.exp_shift, m.part, local);
        if (ci + 1 < chunks) pre.store(m.in + ((ci + 1) & 1) * m.in_bytes, s, l);
        __syncthreads();
        for (int o = threadIdx.x; o < n_steps * l.cpb; o += kBlock) {
            if (out_e >= s.ch) continue;
            const int t = o / l.cpb;
            const int64_t x = in.x[o];
            const int64_t ys = fx::sat32(fx::rshift_round(chunk_sum(m.part, o, g), p.y_shift), local);
            const int64_t with_skip = fx::sat32(ys + d * x, local);
            int8_t out = fx::requant(with_skip, p.out.mult, p.out.shift, local);
            if (p.z)
                out = fx::requant(int64_t{out} * p.silu_lut[fx::lut_index(in.z[o])], p.gate.mult,
                                  p.gate.shift, local);
            y[row_of(s, l.b, s0 + t) * s.ch + out_e] = out;
        }
        if (ci + 2 < chunks) pre.load(p, s, l, s0 + 2 * kChunk);
        __syncthreads();
    }
    add_clips(clips, local);
}

// ---- host side ---------------------------------------------------------------------------------------

struct FastGeometry {
    int states;  // chains per thread (S)
    int g;       // threads per channel
    dim3 grid;
};

FastGeometry fast_geometry(const ScanShape& s) {
    if (s.batch > 65535) throw std::invalid_argument("scan: batch above 65535");
    const int states = s.state <= 128 ? 1 : (s.state <= 256 ? 2 : 4);
    const int64_t per_thread = (s.state + states - 1) / states;
    int g = kMinGroup;
    while (g < per_thread) g *= 2;
    const int cpb = kBlock / g;
    return {states, g, dim3(static_cast<unsigned>((s.ch + cpb - 1) / cpb), static_cast<unsigned>(s.batch))};
}

template <typename Kernel>
void allow_smem(Kernel kernel, size_t bytes) {
    if (bytes > 48 * 1024)
        check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                   static_cast<int>(bytes)),
              "cudaFuncSetAttribute(scan)");
}

template <int S>
void launch_s4d(const S4dScanI8& p, const ScanShape& s, const FastGeometry& geo, int8_t* y, Clips clips) {
    const size_t smem = Smem::part_bytes(geo.g) + 2 * ((kChunk * (kBlock / geo.g) + 15) / 16) * 16;
    allow_smem(s4d_scan_i8_fast<S>, smem);
    s4d_scan_i8_fast<S><<<geo.grid, kBlock, smem>>>(p, s, geo.g, y, clips);
}

}  // namespace

void s4d_scan_i8(const S4dScanI8& p, const ScanShape& s, int8_t* y, Clips clips) {
    if (s.len == 0 || s.ch == 0 || s.batch == 0) return;
    if (s.state > kMaxStatesS4d) return s4d_scan_i8_generic(p, s, y, clips);
    const FastGeometry geo = fast_geometry(s);
    switch (geo.states) {
        case 1:
            launch_s4d<1>(p, s, geo, y, clips);
            break;
        case 2:
            launch_s4d<2>(p, s, geo, y, clips);
            break;
        default:
            launch_s4d<4>(p, s, geo, y, clips);
            break;
    }
    check_launch("s4d_scan_i8_fast");
}

void selective_scan_i8(const SelectiveScanI8& p, const ScanShape& s, int8_t* y, Clips clips) {
    if (s.len == 0 || s.ch == 0 || s.batch == 0) return;
    if (s.state > kMaxStatesSelective) return selective_scan_i8_generic(p, s, y, clips);
    const FastGeometry geo = fast_geometry(s);
    const int cpb = kBlock / geo.g;
    const size_t table = p.table_size <= kSmemTableMax ? sizeof(int32_t) * p.table_size : 0;
    const size_t smem = Smem::part_bytes(geo.g) + ((2 * sel_in_bytes(cpb, s.state) + 15) / 16) * 16 + table;
    allow_smem(selective_scan_i8_fast<1>, smem);
    selective_scan_i8_fast<1><<<geo.grid, kBlock, smem>>>(p, s, geo.g, y, clips);
    check_launch("selective_scan_i8_fast");
}

}  // namespace ssmsim::cuda
