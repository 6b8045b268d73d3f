// The int8 selective scan with warps that do nothing but the recurrence (warp specialization), for the
// latency-bound case: few chains (batch 1), at most one block per SM.
//
// In the one-group kernel (scan_i8.cu) each chain's thread also extracts dt, x, B and C from packed bytes,
// looks up its decays and writes C·h: about 70 instructions per step around a 7-instruction chain, so with
// one warp per scheduler the thread's instruction count, not the chain, sets the step (~280 SM cycles
// against a chain of 43). Here a block of B chains (128, or 64 when that still fits one wave: twice the
// SMs) runs one group of chain threads and H groups of helper threads (H = 2 for B = 128, 4 for B = 64),
// B threads each, over the same B chains:
//   - chain threads (the first B / 32 warps) step h through a chunk; the step's decay abar and input term bx
//     come from shared memory, four steps to a 16-byte word (the next word loaded while the current one
//     steps), and h goes back four steps to a word;
//   - helper threads compute the next chunk's abar and bx (each group 1/H of the steps), and reduce the
//     previous chunk's y = sum over states of C·h (int64, exact in any order; a channel's states split over
//     the lanes of several warps when there are more helper warps than channels) with its output stage;
//   - the chain threads (B = 128) or the helpers (B = 64) also move the inputs from global memory into
//     shared memory, whichever stage is the faster one without them (kHelpersMove).
// The stages work on three consecutive chunks and meet at one barrier per chunk. The arithmetic is
// the one-group kernel's (the same speculative and checked steps, the same decay index and output stage),
// so outputs and saturation counts are identical; `ssmsim-cuda selftest` forces both kernels on random
// shapes (SSMSIM_SELECTIVE_SPLIT).
#include "kernels/scan_chunk.cuh"
#include "kernels/scan_selective_split.h"
#include "kernels/scan_step.cuh"

namespace ssmsim::cuda {

namespace {

using namespace scan_chunk;

constexpr int kRowWords = kChunk + 4;  // a chain's row of a chunk: +4 words, so 16-byte accesses by a
                                       // warp's consecutive chains hit distinct banks
constexpr int kQuads = kChunk / 4;     // 16-byte words of a chain's row

// Helper groups per block of B chains: two helper warps per scheduler at B = 128 (their registers fill the
// SM), four at B = 64.
template <int B>
constexpr int kHelpers = B == 64 ? 4 : 2;
template <int B>
constexpr int kThreads = B*(1 + kHelpers<B>);
// Who moves the inputs: at B = 64 the chain warps would be the slower stage (their steps plus the moves:
// about 1,200 instructions per chunk against the four helper groups' 220), so the helpers move them; at
// B = 128 two helper groups are the slower stage already, and the chain warps move them.
template <int B>
constexpr bool kHelpersMove = B == 64;

// The block's barrier, written out because the groups reach it from different code: bar.sync counts
// arriving warps, and every branch is warp-uniform (B is a multiple of 32).
template <int B>
__device__ __forceinline__ void block_barrier() {
    asm volatile("bar.sync 0, %0;" ::"n"(kThreads<B>) : "memory");
}

__host__ __device__ constexpr size_t rows_bytes(int b) { return sizeof(int32_t) * b * kRowWords; }
__host__ __device__ inline int raw_stride_of(int cpb, int64_t n) {
    return static_cast<int>(round16(static_cast<size_t>(sel_in_bytes(cpb, n))));
}

// Shared memory: abar, bx and h rows ([B][kRowWords] int32) for two chunk parities each, the block's
// D (int64, at most B / kMinGroup channels) and SiLU table, four chunks of raw inputs (SelInputs
// layout), then the exp table. Pointers are computed, not kept in arrays, so that
// nothing indexed by a chunk's parity lands in local memory.
template <int B>
struct SplitSmem {
    unsigned char* base;
    int raw_stride;
    __device__ int32_t* abar(int64_t ci) const { return rows(0, ci); }
    __device__ int32_t* bx(int64_t ci) const { return rows(2, ci); }
    __device__ int32_t* h(int64_t ci) const { return rows(4, ci); }
    __device__ int64_t* d() const { return reinterpret_cast<int64_t*>(base + 6 * rows_bytes(B)); }
    __device__ int8_t* silu() const { return reinterpret_cast<int8_t*>(d() + B / kMinGroup); }
    __device__ int8_t* raw(int64_t ci) const { return silu() + 256 + (ci & 3) * raw_stride; }
    __device__ int32_t* table() const { return reinterpret_cast<int32_t*>(raw(0) + 4 * raw_stride); }
    __device__ int32_t* rows(int kind, int64_t ci) const {
        return reinterpret_cast<int32_t*>(base + (kind + (ci & 1)) * rows_bytes(B));
    }
};

// A chain thread's chunk: kChunk steps of h from its rows of abar and bx; h of every step written back. The
// next quad's abar and bx are loaded while this quad steps, so no load latency sits on the chain.
template <bool kChecked>
__device__ __forceinline__ void chain_chunk(const int4* __restrict__ ar, const int4* __restrict__ br,
                                            int32_t& h, int4* __restrict__ hr, uint32_t& clips, bool& bad) {
    int4 a_next = ar[0], b_next = br[0];
#pragma unroll
    for (int q = 0; q < kQuads; ++q) {
        const int4 a = a_next, b = b_next;
        if (q + 1 < kQuads) a_next = ar[q + 1], b_next = br[q + 1];
        const int32_t av[4] = {a.x, a.y, a.z, a.w};
        const int32_t bv[4] = {b.x, b.y, b.z, b.w};
        int32_t hv[4];
#pragma unroll
        for (int u = 0; u < 4; ++u) {
            h = kChecked ? scan_step(av[u], h, scan_addend(bv[u]), clips)
                         : scan_step_unchecked(av[u], h, scan_addend(bv[u]), bad);
            hv[u] = h;
        }
        hr[q] = make_int4(hv[0], hv[1], hv[2], hv[3]);
    }
}

// A helper thread's share of the next chunk: abar and bx of the chain it mirrors (same Layout), for the
// steps of quads [Q0, Q0 + NQ), as the one-group kernel computes them. Q0 is a template parameter so that
// every byte index is a constant (a computed one would put the bytes in local memory).
template <int G, int B, int Q0, int NQ>
__device__ __forceinline__ void helper_terms(const SelInputs& in, const Layout<G, B>& l, int64_t n, int32_t a,
                                             const int32_t* table, const DecayIndex& idx, int4* abar_row,
                                             int4* bx_row) {
    ChunkBytes dt, x, b;
    dt.load_steps<4 * Q0, 4 * NQ>(in.dt + l.c * kChunk);
    x.load_steps<4 * Q0, 4 * NQ>(in.x + l.c * kChunk);
    if (l.lane < n)
        b.load_steps<4 * Q0, 4 * NQ>(in.b + l.lane * kChunk);
    else
        b.zero();  // an idle slot adds nothing: h stays 0
#pragma unroll
    for (int qi = 0; qi < NQ; ++qi) {
        const int q = Q0 + qi;
        int32_t av[4], bv[4];
#pragma unroll
        for (int u = 0; u < 4; ++u) {
            const int t = 4 * q + u;
            av[u] = table[decay_index(-dt[t] * a, idx)];
            bv[u] = dt[t] * x[t] * b[t];  // |dt x B| <= 2^21
        }
        abar_row[q] = make_int4(av[0], av[1], av[2], av[3]);
        bx_row[q] = make_int4(bv[0], bv[1], bv[2], bv[3]);
    }
}

// Helper group hg's quads: a switch, so that each group's first quad is a template argument.
template <int G, int B>
__device__ __forceinline__ void helper_terms_of(int hg, const SelInputs& in, const Layout<G, B>& l, int64_t n,
                                                int32_t a, const int32_t* table, const DecayIndex& idx,
                                                int4* abar_row, int4* bx_row) {
    constexpr int kH = kHelpers<B>, kNq = kQuads / kH;
    static_assert(kH == 2 || kH == 4, "helper groups: 2 or 4");
    switch (hg) {
        case 0:
            return helper_terms<G, B, 0, kNq>(in, l, n, a, table, idx, abar_row, bx_row);
        case 1:
            return helper_terms<G, B, kNq, kNq>(in, l, n, a, table, idx, abar_row, bx_row);
        case 2:
            if constexpr (kH == 4)
                return helper_terms<G, B, 2 * kNq, kNq>(in, l, n, a, table, idx, abar_row, bx_row);
            return;
        default:
            if constexpr (kH == 4)
                return helper_terms<G, B, 3 * kNq, kNq>(in, l, n, a, table, idx, abar_row, bx_row);
            return;
    }
}

// A helper warp's share of a finished chunk's outputs, y = sum_k C[k] h[k] (int64, exact in any order), then
// the contract's output stage; D and the SiLU table come from shared memory. With at least as many helper
// warps as channels, kW warps share a channel: each takes kChunk / kW steps, and its lanes split the states
// into kW parts, summed across lanes by shuffles (kW = 1: lane t takes step t, and a warp walks channels
// w, w + helper warps, ...).
template <int G, int B>
__device__ __forceinline__ void helper_outputs(const SelectiveScanI8& p, const ScanShape& s,
                                               const SelInputs& in, const int32_t* h, const int64_t* d,
                                               const int8_t* silu, int64_t s0, int n_steps, int64_t b_item,
                                               int64_t e0, int warp, int lane, int8_t* __restrict__ y,
                                               uint64_t& local) {
    constexpr int kCpb = Layout<G, B>::kCpb;
    constexpr int kWarps = kHelpers<B> * B / 32;
    constexpr int kW = kWarps >= kCpb ? kWarps / kCpb : 1;  // warps per channel (a power of two, <= G)
    constexpr int kSteps = kChunk / kW;                     // steps per warp
    constexpr int kPart = G / kW;                           // states per lane
    static_assert(kW <= G && kSteps * kW == 32, "a warp's lanes cover its steps times the state parts");
    const int64_t n = s.state;
    const int t = (warp % kW) * kSteps + lane % kSteps;  // the step of this lane
    const int k0 = (lane / kSteps) * kPart;              // its first state
#pragma unroll
    for (int c = warp / kW; c < kCpb; c += kWarps / kW) {
        const int64_t e = e0 + c;
        if (e >= s.ch) break;
        // Constant offsets from two bases, so each term is two loads and one multiply-add. A group wider than
        // N (N not a power of two, or below kMinGroup) runs the checked loop: C has only N rows.
        const int32_t* hk = h + (c * G + k0) * kRowWords + t;
        const int8_t* ck = in.c + k0 * kChunk + t;
        int64_t acc[4] = {0, 0, 0, 0};
        if (n == G) {
#pragma unroll
            for (int k = 0; k < kPart; ++k)
                acc[k % 4] = mad_wide(ck[k * kChunk], hk[k * kRowWords], acc[k % 4]);
        } else {
            for (int k = 0; k < kPart && k0 + k < n; ++k)
                acc[k % 4] = mad_wide(ck[k * kChunk], hk[k * kRowWords], acc[k % 4]);
        }
        int64_t sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
#pragma unroll
        for (int m = kSteps; m < 32; m *= 2) sum += __shfl_xor_sync(0xffffffffu, sum, m);
        if (lane >= kSteps || t >= n_steps) continue;
        int8_t out = scan_output(sum, p.y_shift, d[c], in.x[c * kChunk + t], p.out, local);
        if (p.z) out = scan_gate(out, silu[fx::lut_index(in.z[c * kChunk + t])], p.gate, local);
        y[row_of(s, b_item, s0 + t) * s.ch + e] = out;
    }
}

// Moving the inputs, for whichever threads do it (kHelpersMove): chunks 0 and 1 before the first barrier
// (and chunk 2's loads issued), then in iteration ci the chunk after next is stored (its loads were issued
// an iteration earlier) and the one after that loaded, behind the iteration's work.
template <int G, int B, int kGroups>
__device__ __forceinline__ void inputs_start(SelPrefetch<G, B, kGroups>& pre, const SelectiveScanI8& p,
                                             const ScanShape& s, const Layout<G, B>& l,
                                             const StateCursor& cur, int group, const SplitSmem<B>& m,
                                             int64_t chunks) {
    pre.load(p, s, l, cur, 0, group);
    pre.store(m.raw(0), s, l, cur, group);
    if (chunks > 1) {
        pre.load(p, s, l, cur, kChunk, group);
        pre.store(m.raw(1), s, l, cur, group);
    }
    if (chunks > 2) pre.load(p, s, l, cur, 2 * kChunk, group);
}
template <int G, int B, int kGroups>
__device__ __forceinline__ void inputs_step(SelPrefetch<G, B, kGroups>& pre, const SelectiveScanI8& p,
                                            const ScanShape& s, const Layout<G, B>& l, const StateCursor& cur,
                                            int group, const SplitSmem<B>& m, int64_t chunks, int64_t ci) {
    if (ci + 2 >= chunks) return;
    pre.store(m.raw(ci + 2), s, l, cur, group);
    if (ci + 3 < chunks) pre.load(p, s, l, cur, (ci + 3) * kChunk, group);
}

template <int G, int B>
__global__ void __launch_bounds__(kThreads<B>, 1)
    selective_scan_i8_split(SelectiveScanI8 p, ScanShape s, int8_t* __restrict__ y, Clips clips) {
    constexpr int kCpb = Layout<G, B>::kCpb;
    constexpr int kT = kThreads<B>;
    static_assert(kT >= 256, "the SiLU table is copied one entry per thread");
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int64_t n = s.state;
    const SplitSmem<B> m{smem_raw, raw_stride_of(kCpb, n)};
    const bool smem_table = p.table_size <= kSmemTableMax;
    if (smem_table)
        for (int64_t i = threadIdx.x; i < p.table_size; i += kT) m.table()[i] = p.exp_table[i];
    if (threadIdx.x < kCpb) {
        const int64_t e = int64_t{blockIdx.x} * kCpb + threadIdx.x;
        m.d()[threadIdx.x] = e < s.ch ? p.d[e] : 0;
    }
    if (p.z && threadIdx.x < 256) m.silu()[threadIdx.x] = p.silu_lut[threadIdx.x];
    const int32_t* table = smem_table ? m.table() : p.exp_table;
    const int64_t chunks = (s.len + kChunk - 1) / kChunk;
    const bool chain_thread = threadIdx.x < B;
    const int ht = static_cast<int>(threadIdx.x) - B;  // a helper's index among the helpers
    const int hg = ht / B, hl = ht % B;                // its group, and the chain it mirrors
    uint64_t local = 0;

    if (chain_thread) {
        // Moving the inputs (B = 128): the loads, issued after a chunk's steps, are not used before the next
        // chunk's.
        const Layout<G, B> l;
        const StateCursor cur(static_cast<int>(n), static_cast<int>(threadIdx.x), B);
        SelPrefetch<G, B> pre;
        if constexpr (!kHelpersMove<B>) inputs_start(pre, p, s, l, cur, 0, m, chunks);
        block_barrier<B>();  // the first two chunks of inputs
        block_barrier<B>();  // chunk 0's terms
        const int j = static_cast<int>(threadIdx.x);
        int32_t h = 0;
        for (int64_t ci = 0; ci <= chunks; ++ci) {
            if (ci < chunks) {
                const int4* ar = reinterpret_cast<const int4*>(m.abar(ci) + j * kRowWords);
                const int4* br = reinterpret_cast<const int4*>(m.bx(ci) + j * kRowWords);
                int4* hr = reinterpret_cast<int4*>(m.h(ci) + j * kRowWords);
                uint32_t chunk_clips = 0;
                bool bad = false;
                const int32_t h_start = h;
                chain_chunk<false>(ar, br, h, hr, chunk_clips, bad);
                if (bad) {  // a state saturated in this chunk: run it again from its start, checked (rare)
                    h = h_start;
                    chain_chunk<true>(ar, br, h, hr, chunk_clips, bad);
                }
                local += chunk_clips;
            }
            if constexpr (!kHelpersMove<B>) inputs_step(pre, p, s, l, cur, 0, m, chunks, ci);
            block_barrier<B>();
        }
    } else {
        const Layout<G, B> l(hl);
        const DecayIndex idx(p.exp_shift, p.table_size);
        const int64_t e = l.e0 + l.c;
        const int32_t a = e < s.ch && l.lane < n ? p.a[e * n + l.lane] : 0;
        auto terms = [&](int64_t ci) {
            int4* ar = reinterpret_cast<int4*>(m.abar(ci) + hl * kRowWords);
            int4* br = reinterpret_cast<int4*>(m.bx(ci) + hl * kRowWords);
            helper_terms_of<G, B>(hg, sel_inputs(m.raw(ci), kCpb, n), l, n, a, table, idx, ar, br);
        };
        // Moving the inputs (B = 64), split over the helper groups.
        const StateCursor cur(static_cast<int>(n), ht, kHelpers<B> * B);
        SelPrefetch<G, B, kHelpers<B>> pre;
        if constexpr (kHelpersMove<B>) inputs_start(pre, p, s, l, cur, hg, m, chunks);
        block_barrier<B>();
        terms(0);
        block_barrier<B>();
        const int warp = ht / 32, lane = ht % 32;
        for (int64_t ci = 0; ci <= chunks; ++ci) {
            if constexpr (kHelpersMove<B>) inputs_step(pre, p, s, l, cur, hg, m, chunks, ci);
            if (ci + 1 < chunks) terms(ci + 1);
            if (ci >= 1) {
                const int64_t s0 = (ci - 1) * kChunk;
                const int n_steps = static_cast<int>(s.len - s0 < kChunk ? s.len - s0 : kChunk);
                helper_outputs<G, B>(p, s, sel_inputs(m.raw(ci - 1), kCpb, n), m.h(ci - 1), m.d(), m.silu(),
                                     s0, n_steps, l.b, l.e0, warp, lane, y, local);
            }
            block_barrier<B>();
        }
    }
    add_clips(clips, local);
}

template <int G, int B>
void launch_split(const SelectiveScanI8& p, const ScanShape& s, int8_t* y, Clips clips) {
    const size_t table = p.table_size <= kSmemTableMax ? sizeof(int32_t) * p.table_size : 0;
    const size_t smem = 6 * rows_bytes(B) + sizeof(int64_t) * (B / kMinGroup) + 256 +
                        4 * static_cast<size_t>(raw_stride_of(Layout<G, B>::kCpb, s.state)) + table;
    allow_smem(selective_scan_i8_split<G, B>, smem);
    selective_scan_i8_split<G, B><<<grid_of(s, G, B), kThreads<B>, smem>>>(p, s, y, clips);
}

// Blocks of `block` chains the scan needs.
int64_t blocks_of(const ScanShape& s, int block) {
    const int64_t cpb = block / group_of(s.state);
    return s.batch * ((s.ch + cpb - 1) / cpb);
}

}  // namespace

bool selective_scan_split_fits(const ScanShape& s) {
    return s.state <= kMaxStatesSelective && blocks_of(s, kBlock) <= sm_count();
}

void selective_scan_i8_split_launch(const SelectiveScanI8& p, const ScanShape& s, int8_t* y, Clips clips,
                                    int block) {
    if (block != 64 && block != 128) block = blocks_of(s, 64) <= sm_count() ? 64 : 128;
    with_group<64>(group_of(s.state), [&](auto g) {
        constexpr int kG = decltype(g)::value;
        if (block == 64) return launch_split<kG, 64>(p, s, y, clips);
        launch_split<kG, 128>(p, s, y, clips);
    });
    check_launch("selective_scan_i8_split");
}

}  // namespace ssmsim::cuda
