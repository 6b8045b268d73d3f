// The int8 scans (selective_scan, s4d_scan) built around the recurrence's dependency chain.
//
// The contract fixes the time order of every (batch, channel, state) chain, so a scan takes at least
// L x (the latency of one step of h = sat32(rshift_round(abar * h, 15) + bx)). Everything else in a step
// depends only on inputs, and this kernel keeps it off that chain:
//   - one thread owns one chain (S chains when N is large), so nothing in the step waits on another lane;
//   - the step itself is one wide multiply-add and a saturation (scan_step.cuh);
//   - the block stages a chunk of kChunk steps of its inputs in shared memory, loaded one chunk ahead
//     into registers, so global latency never stalls a step; each thread then reads its chunk of inputs
//     (stored per channel / per state, time contiguous) as 16-byte words before the chunk's first step,
//     and looks up the chunk's decays (selective_scan) before it too, so no shared-memory load sits
//     between two steps;
//   - each step's contribution C·h is written to shared memory, and y = sum over states is reduced for the
//     whole chunk afterwards (int64 sums are exact, so any order gives the contract's value), followed by
//     the output stage (y_shift, D skip, requant, gate) for the chunk's outputs.
// Shapes outside the fast path (N above kMaxStatesS4d / kMaxStatesSelective) use the generic kernels.
#include "kernels/common.cuh"
#include "kernels/scan_generic.h"
#include "kernels/scan_step.cuh"

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

// A per-channel input of a chunk, read from global memory step by step (coalesced over channels) into
// registers, then stored to shared memory as [channel][kChunk] int8.
struct ChanPrefetch {
    uint32_t w[kChanPrefetch / 4];  // packed four to a register: they stay live across a whole chunk
    __device__ __forceinline__ void load(const int8_t* src, const ScanShape& s, const Layout& l, int64_t s0) {
#pragma unroll
        for (int i = 0; i < kChanPrefetch / 4; ++i) w[i] = 0;
#pragma unroll
        for (int i = 0; i < kChanPrefetch; ++i) {
            const int j = threadIdx.x + i * kBlock;
            const int t = j / l.cpb, c = j % l.cpb;
            const int64_t e = l.e0 + c;
            if (src && t < kChunk && s0 + t < s.len && e < s.ch)
                w[i / 4] |= uint32_t{static_cast<uint8_t>(src[row_of(s, l.b, s0 + t) * s.ch + e])}
                            << (8 * (i % 4));
        }
    }
    __device__ __forceinline__ void store(int8_t* dst, const Layout& l) const {
#pragma unroll
        for (int i = 0; i < kChanPrefetch; ++i) {
            const int j = threadIdx.x + i * kBlock;
            if (j < kChunk * l.cpb)
                dst[(j % l.cpb) * kChunk + j / l.cpb] =
                    static_cast<int8_t>(w[i / 4] >> (8 * (i % 4)));  // [channel][step]
        }
    }
};

// A per-state input of a chunk (shared by every channel of the batch item), stored as [state][kChunk].
struct StatePrefetch {
    uint32_t w[kStatePrefetch / 4];
    __device__ __forceinline__ void load(const int8_t* src, const ScanShape& s, int64_t b, int64_t s0) {
        const int n = static_cast<int>(s.state);
#pragma unroll
        for (int i = 0; i < kStatePrefetch / 4; ++i) w[i] = 0;
#pragma unroll
        for (int i = 0; i < kStatePrefetch; ++i) {
            const int j = threadIdx.x + i * kBlock;
            const int t = j / n, k = j % n;
            if (t < kChunk && s0 + t < s.len)
                w[i / 4] |= uint32_t{static_cast<uint8_t>(src[row_of(s, b, s0 + t) * n + k])}
                            << (8 * (i % 4));
        }
    }
    __device__ __forceinline__ void store(int8_t* dst, const ScanShape& s) const {
#pragma unroll
        for (int i = 0; i < kStatePrefetch; ++i) {
            const int j = threadIdx.x + i * kBlock;
            if (j < kChunk * s.state)
                dst[(j % s.state) * kChunk + j / s.state] =
                    static_cast<int8_t>(w[i / 4] >> (8 * (i % 4)));  // [state][step]
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

// y of every output of a chunk: the sum of its chain partials, int64 and exact in any order (four
// independent sums, so the adds do not form one long chain). g is a power of two >= 4.
__device__ __forceinline__ int64_t chunk_sum(const int64_t* part, int o, int g) {
    const int64_t* p = part + o * (g + 1);
    int64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int i = 0; i < g; i += 4) {
        a0 += p[i];
        a1 += p[i + 1];
        a2 += p[i + 2];
        a3 += p[i + 3];
    }
    return (a0 + a1) + (a2 + a3);
}

// A thread's kChunk int8 inputs of one chunk (one row of a [..][kChunk] buffer), as 16-byte words.
struct ChunkBytes {
    uint32_t w[kChunk / 4];
    __device__ __forceinline__ void load(const int8_t* row) {
        const auto* v = reinterpret_cast<const uint4*>(row);
#pragma unroll
        for (int i = 0; i < kChunk / 16; ++i) {
            const uint4 q = v[i];
            w[4 * i] = q.x, w[4 * i + 1] = q.y, w[4 * i + 2] = q.z, w[4 * i + 3] = q.w;
        }
    }
    __device__ __forceinline__ int32_t operator[](int t) const {
        return static_cast<int8_t>(w[t / 4] >> (8 * (t % 4)));
    }
};

// ---- s4d_scan ----------------------------------------------------------------------------------------

template <int S, bool kTail>
__device__ __forceinline__ void s4d_chunk(const int8_t* xs, int n_steps, const Layout& l,
                                          const int32_t (&abar)[S], const int32_t (&bbar15)[S],
                                          const int32_t (&c)[S], int32_t (&h)[S], int64_t* part,
                                          uint32_t& clips) {
    ChunkBytes x;
    x.load(xs + l.c * kChunk);
#pragma unroll
    for (int t = 0; t < kChunk; ++t) {
        if (kTail && t >= n_steps) break;
        int64_t acc = 0;
#pragma unroll
        for (int j = 0; j < S; ++j) {
            // bbar15 = Bbar * 2^15 fits int32 (|Bbar| <= 2^15), so the addend is one multiply-add.
            h[j] = scan_step(abar[j], h[j], int64_t{bbar15[j]} * x[t] + (1 << 14), clips);
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
    int32_t abar[S], bbar15[S], c[S], h[S];
#pragma unroll
    for (int j = 0; j < S; ++j) {
        const int64_t k = l.lane + int64_t{j} * g;
        const bool valid = live && k < n;  // an idle slot keeps h = 0 and adds nothing
        abar[j] = valid ? p.abar[e * n + k] : 0;
        bbar15[j] = valid ? int32_t{p.bbar[e * n + k]} * 32768 : 0;
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
        uint32_t chunk_clips = 0;
        if (n_steps == kChunk)
            s4d_chunk<S, false>(xs, n_steps, l, abar, bbar15, c, h, m.part, chunk_clips);
        else
            s4d_chunk<S, true>(xs, n_steps, l, abar, bbar15, c, h, m.part, chunk_clips);
        local += chunk_clips;
        if (ci + 1 < chunks) xin.store(m.in + ((ci + 1) & 1) * m.in_bytes, l);
        __syncthreads();
        for (int o = threadIdx.x; o < n_steps * l.cpb; o += kBlock) {
            if (out_e >= s.ch) continue;
            const int t = o / l.cpb;
            const int64_t x = xs[out_c * kChunk + t];
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

struct SelInputs {  // one chunk's inputs in shared memory: dt, x, z as [cpb][kChunk]; B, C as [N][kChunk]
    const int8_t *dt, *x, *z, *b, *c;
};
__device__ __forceinline__ SelInputs sel_inputs(const int8_t* buf, int cpb, int64_t n) {
    const int chan = kChunk * cpb;
    return {buf, buf + chan, buf + 2 * chan, buf + 3 * chan, buf + 3 * chan + kChunk * n};
}
__host__ __device__ inline int sel_in_bytes(int cpb, int64_t n) {
    return static_cast<int>(3 * kChunk * cpb + 2 * kChunk * n);
}

// One chain per thread (N <= 64 <= 128 threads per channel).
template <bool kTail>
__device__ __forceinline__ void sel_chunk(const SelInputs& in, int n_steps, const Layout& l, int64_t n,
                                          int32_t a, int32_t& h, const int32_t* table, int64_t table_size,
                                          int exp_shift, int64_t* part, uint32_t& clips) {
    const bool valid = l.lane < n;
    ChunkBytes dt, x, b, c;
    dt.load(in.dt + l.c * kChunk);
    x.load(in.x + l.c * kChunk);
    if (valid) {
        b.load(in.b + l.lane * kChunk);
        c.load(in.c + l.lane * kChunk);
    } else {
#pragma unroll
        for (int i = 0; i < kChunk / 4; ++i) b.w[i] = c.w[i] = 0;
    }
    // The chunk's decays, all looked up before the first step (they depend on dt only).
    int32_t abar[kChunk];
#pragma unroll
    for (int t = 0; t < kChunk; ++t)
        abar[t] = table[fx::table_index(-int64_t{dt[t]} * a, exp_shift, table_size)];
#pragma unroll
    for (int t = 0; t < kChunk; ++t) {
        if (kTail && t >= n_steps) break;
        const int32_t bx = dt[t] * x[t] * b[t];  // |dt x B| <= 2^21
        h = scan_step(abar[t], h, scan_addend(bx), clips);
        part[(t * l.cpb + l.c) * (l.g + 1) + l.lane] = int64_t{c[t]} * h;
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
    // An idle slot (past N, or past the channels) decays nothing and adds nothing: h stays 0.
    const int32_t a = e < s.ch && l.lane < n ? p.a[e * n + l.lane] : 0;
    int32_t h = 0;
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
        uint32_t chunk_clips = 0;
        if (n_steps == kChunk)
            sel_chunk<false>(in, n_steps, l, n, a, h, table, p.table_size, p.exp_shift, m.part, chunk_clips);
        else
            sel_chunk<true>(in, n_steps, l, n, a, h, table, p.table_size, p.exp_shift, m.part, chunk_clips);
        local += chunk_clips;
        if (ci + 1 < chunks) pre.store(m.in + ((ci + 1) & 1) * m.in_bytes, s, l);
        __syncthreads();
        for (int o = threadIdx.x; o < n_steps * l.cpb; o += kBlock) {
            if (out_e >= s.ch) continue;
            const int t = o / l.cpb;
            const int64_t x = in.x[out_c * kChunk + t];
            const int64_t ys = fx::sat32(fx::rshift_round(chunk_sum(m.part, o, g), p.y_shift), local);
            const int64_t with_skip = fx::sat32(ys + d * x, local);
            int8_t out = fx::requant(with_skip, p.out.mult, p.out.shift, local);
            if (p.z)
                out = fx::requant(int64_t{out} * p.silu_lut[fx::lut_index(in.z[out_c * kChunk + t])],
                                  p.gate.mult, p.gate.shift, local);
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
    allow_smem(selective_scan_i8_fast, smem);
    selective_scan_i8_fast<<<geo.grid, kBlock, smem>>>(p, s, geo.g, y, clips);
    check_launch("selective_scan_i8_fast");
}

}  // namespace ssmsim::cuda
