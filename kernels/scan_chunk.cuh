// The chunk machinery the int8 scan kernels share (scan_i8.cu, scan_selective_split.cu): the block's
// chain layout, the prefetch of a chunk's inputs into shared memory, and the decay-table index.
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/common.cuh"
#include "kernels/ops.h"

namespace ssmsim::cuda::scan_chunk {

constexpr int kBlock = 128;
constexpr int kChunk = 32;  // steps per chunk
constexpr int kMinGroup = 4;
constexpr int64_t kMaxStatesS4d = 512;       // 128 threads x 4 states
constexpr int64_t kMaxStatesSelective = 64;  // B and C of a chunk prefetched in registers
constexpr int64_t kSmemTableMax = 4096;      // exp tables up to 16 KiB live in shared memory

// Which chains a thread owns: G threads per channel (a power of two), kCpb channels per block of B chains.
template <int G, int B = kBlock>
struct Layout {
    static constexpr int kCpb = B / G;
    // Per-channel chunk data ([kChunk][kCpb] in time order) is spread over the block so that thread tid
    // handles channel tid % kCpb at steps tid / kCpb + i * G: the same split serves the prefetch and the
    // output stage, and needs no division.
    static constexpr int kChanItems = kChunk / G > 0 ? kChunk / G : 1;
    int lane, c, io_c, io_t;  // this thread's chain slot in its channel, its channel; its prefetch items
    int64_t e0 = int64_t{blockIdx.x} * kCpb, b = blockIdx.y;
    // tid: the thread's index among the B threads that share this layout (a warp-specialized kernel runs
    // several groups of B threads, each with its own view of the same chains).
    __device__ explicit Layout(int tid = static_cast<int>(threadIdx.x))
        : lane(tid % G), c(tid / G), io_c(tid % kCpb), io_t(tid / kCpb) {}
};

__device__ __forceinline__ int64_t row_of(const ScanShape& s, int64_t b, int64_t step) {
    return b * s.len + (s.reverse ? s.len - 1 - step : step);
}

// Where a chunk's rows lie in a [B, L, width] tensor: the row of step s0 + t starts at base + t * stride
// (stride = -width when time runs backwards); steps from `limit` on are past L.
struct ChunkRows {
    int64_t base, stride;
    int limit;
    __device__ ChunkRows(const ScanShape& s, int64_t b, int64_t s0, int64_t width)
        : base(row_of(s, b, s0) * width),
          stride(s.reverse ? -width : width),
          limit(static_cast<int>(s.len - s0 < kChunk ? s.len - s0 : kChunk)) {}
};

// A per-channel input of a chunk, read from global memory (coalesced over channels) into registers, then
// stored to shared memory as [channel][kChunk]. Steps past L read as 0. Every load is issued before any
// loaded byte is used, and the bytes are used only by store(): a kernel loads the chunk after next and
// stores it an iteration later, so the memory latency is paid once, in the background (packing the bytes
// as they arrive made each load wait for the one before).
template <int G, int B = kBlock>
struct ChanPrefetch {
    static constexpr int kItems = Layout<G, B>::kChanItems;
    int8_t v[kItems];
    __device__ __forceinline__ void load(const int8_t* src, const ChunkRows& rows, const Layout<G, B>& l,
                                         bool live) {
        const int8_t* p = src + rows.base + l.e0 + l.io_c;
#pragma unroll
        for (int i = 0; i < kItems; ++i) {
            const int t = l.io_t + i * G;
            v[i] = src && live && t < rows.limit ? p[t * rows.stride] : int8_t{0};
        }
    }
    __device__ __forceinline__ void store(int8_t* dst, const Layout<G, B>& l) const {
#pragma unroll
        for (int i = 0; i < kItems; ++i) {
            const int t = l.io_t + i * G;
            if (t >= kChunk) break;
            dst[l.io_c * kChunk + t] = v[i];
        }
    }
};

// Where a thread's per-state prefetch items fall: item i is element tid + i * block of [kChunk][N], stepped
// without a division per item.
struct StateCursor {
    int t0, k0, dt, dk;  // (step, state) of item 0, and the step between items
    __device__ explicit StateCursor(int n, int tid = static_cast<int>(threadIdx.x), int block = kBlock)
        : t0(tid / n), k0(tid % n), dt(block / n), dk(block % n) {}
};

// Per-state bytes of a chunk a thread prefetches, for N <= G states over B threads (N <= G always: G is
// N rounded up to a power of two).
constexpr int state_items(int g, int b) { return kChunk * g / b > 0 ? kChunk * g / b : 1; }

// A per-state input of a chunk (shared by every channel of the batch item), stored as [state][kChunk];
// loaded and stored as ChanPrefetch is.
template <int kItems>
struct StatePrefetch {
    int8_t v[kItems];
    __device__ __forceinline__ void load(const int8_t* src, const ChunkRows& rows, const StateCursor& cur,
                                         int n) {
        const int8_t* p = src + rows.base;
        int t = cur.t0, k = cur.k0;
#pragma unroll
        for (int i = 0; i < kItems; ++i) {
            v[i] = t < rows.limit ? p[t * rows.stride + k] : int8_t{0};
            t += cur.dt, k += cur.dk;
            if (k >= n) k -= n, ++t;
        }
    }
    __device__ __forceinline__ void store(int8_t* dst, const StateCursor& cur, int n) const {
        int t = cur.t0, k = cur.k0;
#pragma unroll
        for (int i = 0; i < kItems; ++i) {
            if (t >= kChunk) break;
            dst[k * kChunk + t] = v[i];
            t += cur.dt, k += cur.dk;
            if (k >= n) k -= n, ++t;
        }
    }
};

// Shared memory of a block: C·h partials [kChunk][kCpb][G + 1] (the +1 spreads a reduction's reads over
// banks), double-buffered chunk inputs, then the exp table.
template <int G>
__host__ __device__ constexpr size_t part_bytes() {
    return sizeof(int64_t) * kChunk * Layout<G>::kCpb * (G + 1);
}
__host__ __device__ constexpr size_t round16(size_t n) { return (n + 15) / 16 * 16; }

// y of one output of a chunk: the sum of its G chain partials, int64 and exact in any order (four
// independent sums, so the adds do not form one long chain).
template <int G>
__device__ __forceinline__ int64_t chunk_sum(const int64_t* part, int row) {
    const int64_t* p = part + row * (G + 1);
    int64_t a[4] = {0, 0, 0, 0};
#pragma unroll
    for (int i = 0; i < G; ++i) a[i % 4] += p[i];
    return (a[0] + a[1]) + (a[2] + a[3]);
}

// A thread's kChunk int8 inputs of one chunk (one row of a [..][kChunk] buffer), as 16-byte words.
struct ChunkBytes {
    uint32_t w[kChunk / 4];
    __device__ __forceinline__ void load(const int8_t* row) { load_steps<0, kChunk>(row); }
    // Only the 16-byte words that hold steps [kFirst, kFirst + kCount): a thread that uses part of the chunk
    // reads only that part (the other words stay zero, and are never read).
    template <int kFirst, int kCount>
    __device__ __forceinline__ void load_steps(const int8_t* row) {
        if constexpr (kFirst > 0 || kCount < kChunk) zero();
        const auto* v = reinterpret_cast<const uint4*>(row);
#pragma unroll
        for (int i = kFirst / 16; i <= (kFirst + kCount - 1) / 16; ++i) {
            const uint4 q = v[i];
            w[4 * i] = q.x, w[4 * i + 1] = q.y, w[4 * i + 2] = q.z, w[4 * i + 3] = q.w;
        }
    }
    __device__ __forceinline__ void zero() {
#pragma unroll
        for (int i = 0; i < kChunk / 4; ++i) w[i] = 0;
    }
    __device__ __forceinline__ int32_t operator[](int t) const {
        return static_cast<int8_t>(w[t / 4] >> (8 * (t % 4)));
    }
};

// The contract's output stage of one scan output (docs/numerics.md): y = sat32(rshift_round(sum of C·h,
// y_shift)), plus the D skip (saturated), requantized to int8; every kernel's scan outputs go through it.
__device__ __forceinline__ int8_t scan_output(int64_t sum, int y_shift, int64_t d, int64_t x,
                                              const Requant& out, uint64_t& clips) {
    const int64_t ys = fx::sat32(fx::rshift_round(sum, y_shift), clips);
    return fx::requant(fx::sat32(ys + d * x, clips), out.mult, out.shift, clips);
}

// The selective scan's gate on an output: out * SiLU(z), requantized (silu_z: the SiLU table's entry for z).
__device__ __forceinline__ int8_t scan_gate(int8_t out, int8_t silu_z, const Requant& gate, uint64_t& clips) {
    return fx::requant(int64_t{out} * silu_z, gate.mult, gate.shift, clips);
}

// ---- selective_scan inputs ----

// One chunk's inputs in shared memory: dt, x, z as [kCpb][kChunk]; B, C as [N][kChunk].
struct SelInputs {
    const int8_t *dt, *x, *z, *b, *c;
};
__host__ __device__ inline int sel_in_bytes(int cpb, int64_t n) {
    return static_cast<int>(3 * kChunk * cpb + 2 * kChunk * n);
}
__device__ __forceinline__ SelInputs sel_inputs(const int8_t* buf, int cpb, int64_t n) {
    const int chan = kChunk * cpb;
    return {buf, buf + chan, buf + 2 * chan, buf + 3 * chan, buf + 3 * chan + kChunk * n};
}

// table_index(v, exp_shift, T) of the contract for |v| = |dt A| <= 2^22, in 32-bit arithmetic: with
// s = min(exp_shift, 31), (v + 2^(s-1)) >> s cannot overflow and equals the contract's 64-bit value, which
// is 0 (before the clamp) for every shift above 23.
struct DecayIndex {
    int shift, round, last;
    __device__ DecayIndex(int exp_shift, int64_t table_size)
        : shift(exp_shift < 31 ? exp_shift : 31),
          round(shift ? 1 << (shift - 1) : 0),
          last(static_cast<int>(table_size < INT32_MAX ? table_size - 1 : INT32_MAX - 1)) {}
};
__device__ __forceinline__ int decay_index(int32_t v, const DecayIndex& d) {
    return min(max((v + d.round) >> d.shift, 0), d.last);
}

// A chunk's selective-scan inputs moved into shared memory (SelInputs layout) by kGroups groups of B
// threads: channel tensor j (dt, x, z) by group j mod kGroups with the group's chain layout, the per-state
// B and C spread over all B * kGroups threads (cur: a cursor over that many). One group moves everything.
template <int G, int B = kBlock, int kGroups = 1>
struct SelPrefetch {
    static constexpr int kChan = (3 + kGroups - 1) / kGroups;  // channel tensors per group
    ChanPrefetch<G, B> c0, c1, c2;  // this group's channel tensors (the first kChan are used)
    StatePrefetch<state_items(G, B*kGroups)> b, c;
    __device__ __forceinline__ static const int8_t* chan_src(const SelectiveScanI8& p, int j) {
        return j == 0 ? p.delta : j == 1 ? p.u : j == 2 ? p.z : nullptr;
    }
    __device__ __forceinline__ void load(const SelectiveScanI8& p, const ScanShape& s, const Layout<G, B>& l,
                                         const StateCursor& cur, int64_t s0, int group = 0) {
        const ChunkRows chan_rows(s, l.b, s0, s.ch), state_rows(s, l.b, s0, s.state);
        const bool live = l.e0 + l.io_c < s.ch;
        c0.load(chan_src(p, group), chan_rows, l, live);
        if constexpr (kChan > 1) c1.load(chan_src(p, group + kGroups), chan_rows, l, live);
        if constexpr (kChan > 2) c2.load(chan_src(p, group + 2 * kGroups), chan_rows, l, live);
        b.load(p.b, state_rows, cur, static_cast<int>(s.state));
        c.load(p.c, state_rows, cur, static_cast<int>(s.state));
    }
    __device__ __forceinline__ void store(int8_t* buf, const ScanShape& s, const Layout<G, B>& l,
                                          const StateCursor& cur, int group = 0) const {
        const int width = kChunk * Layout<G, B>::kCpb;
        const int n = static_cast<int>(s.state);
        if (group < 3) c0.store(buf + group * width, l);
        if constexpr (kChan > 1)
            if (group + kGroups < 3) c1.store(buf + (group + kGroups) * width, l);
        if constexpr (kChan > 2) c2.store(buf + (group + 2 * kGroups) * width, l);
        b.store(buf + 3 * width, cur, n);
        c.store(buf + 3 * width + kChunk * n, cur, n);
    }
};

// ---- host side ----

template <typename Kernel>
void allow_smem(Kernel kernel, size_t bytes) {
    if (bytes > 48 * 1024)
        check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                   static_cast<int>(bytes)),
              "cudaFuncSetAttribute(scan)");
}

inline dim3 grid_of(const ScanShape& s, int g, int block = kBlock) {
    if (s.batch > 65535) throw std::invalid_argument("scan: batch above 65535");
    const int cpb = block / g;
    return dim3(static_cast<unsigned>((s.ch + cpb - 1) / cpb), static_cast<unsigned>(s.batch));
}

// Threads per channel: the state count rounded up to a power of two, at least kMinGroup, at most kBlock.
inline int group_of(int64_t per_thread) {
    int g = kMinGroup;
    while (g < per_thread && g < kBlock) g *= 2;
    return g;
}

// Calls f(std::integral_constant<int, G>{}) with g as a compile-time group size (4, 8, ..., kMax; any larger
// g gives kMax), so that each scan's launcher is one switch for all its instances.
template <int kMax, typename F>
void with_group(int g, F&& f) {
    switch (g) {
        case 4:
            return f(std::integral_constant<int, 4>{});
        case 8:
            return f(std::integral_constant<int, 8>{});
        case 16:
            return f(std::integral_constant<int, 16>{});
        case 32:
            return f(std::integral_constant<int, 32>{});
        default:
            if constexpr (kMax >= 128) {
                if (g == 64) return f(std::integral_constant<int, 64>{});
            }
            return f(std::integral_constant<int, kMax>{});
    }
}

}  // namespace ssmsim::cuda::scan_chunk
