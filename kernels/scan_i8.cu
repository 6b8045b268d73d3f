// The int8 scans (selective_scan, s4d_scan) built around the recurrence's dependency chain.
//
// The contract fixes the time order of every (batch, channel, state) chain, so a scan takes at least
// L x (the latency of one step of h = sat32(rshift_round(abar * h, 15) + bx)). Everything else in a step
// depends only on inputs, and this kernel keeps it off that chain:
//   - one thread owns one chain (S chains when N is large), so nothing in the step waits on another lane;
//   - the step itself is one wide multiply-add and a saturation (scan_step.cuh); the selective scan and the
//     many-chains s4d variant first run a chunk speculatively without the saturation (scan_step_unchecked:
//     a shift, and one compare off the chain that records whether any step left int32), and only a chunk
//     where one did runs again, checked, from its saved state, so outputs and saturation counts are the
//     contract's either way;
//   - the group size G (threads per channel) is a template parameter, so every index is a shift;
//   - the block stages a chunk of kChunk steps of its inputs in shared memory, loaded one chunk ahead
//     into registers, so global latency never stalls a step; each thread then reads its chunk of inputs
//     (stored per channel / per state, time contiguous) as 16-byte words before the chunk's first step,
//     and looks up the chunk's decays (selective_scan) before it too, so no shared-memory load sits
//     between two steps;
//   - the last chunk runs whole: its steps past L read zero inputs (zero-filled by the prefetch), which only
//     decay h (|abar h| / 2^15 <= |h| cannot saturate) and write partials no output reads, so no tail copy
//     of the chunk code is needed (code size matters: the chunk is fully unrolled);
//   - each step's contribution C·h is written to shared memory, and y = sum over states is reduced for the
//     whole chunk afterwards (int64 sums are exact, so any order gives the contract's value), followed by
//     the output stage (y_shift, D skip, requant, gate) for the chunk's outputs.
// Shapes outside the fast path (N above kMaxStatesS4d / kMaxStatesSelective) use the generic kernels.
#include <cstdlib>

#include "kernels/common.cuh"
#include "kernels/scan_chunk.cuh"
#include "kernels/scan_generic.h"
#include "kernels/scan_selective_split.h"
#include "kernels/scan_step.cuh"

namespace ssmsim::cuda {

namespace {

using namespace scan_chunk;

// ---- s4d_scan ----------------------------------------------------------------------------------------

// kChecked: the contract's step with its saturation and clip count; else speculative (scan_step_unchecked),
// `bad` set when some step left int32 and the chunk must run again checked.
template <int G, int S, bool kChecked>
__device__ __forceinline__ void s4d_chunk(const int8_t* xs, const Layout<G>& l, const int32_t (&abar)[S],
                                          const int32_t (&bbar15)[S], const int32_t (&c)[S], int32_t (&h)[S],
                                          int64_t* part, uint32_t& clips, bool& bad) {
    ChunkBytes x;
    x.load(xs + l.c * kChunk);
#pragma unroll
    for (int t = 0; t < kChunk; ++t) {
        int64_t acc = 0;
#pragma unroll
        for (int j = 0; j < S; ++j) {
            // bbar15 = Bbar * 2^15 fits int32 (|Bbar| <= 2^15), so the addend is one multiply-add.
            const int64_t addend = mad_wide(bbar15[j], x[t], 1 << 14);
            h[j] = kChecked ? scan_step(abar[j], h[j], addend, clips)
                            : scan_step_unchecked(abar[j], h[j], addend, bad);
            acc = mad_wide(c[j], h[j], acc);
        }
        part[(t * Layout<G>::kCpb + l.c) * (G + 1) + l.lane] = acc;
    }
}

template <int G, int S>
__global__ void __launch_bounds__(kBlock)
    s4d_scan_i8_fast(S4dScanI8 p, ScanShape s, int8_t* __restrict__ y, Clips clips) {
    constexpr int kCpb = Layout<G>::kCpb;
    constexpr int kIn = kChunk * kCpb;  // bytes of one input buffer
    // Speculative steps pay off when issue slots are the limit (many chains: the four-chains-per-thread
    // variant); with one warp of chains per scheduler (batch 1) the checked step was faster on an H200
    // (pathx:s4d 72.3 against 78.6 cycles per step).
    constexpr bool kSpeculate = S == 4;
    extern __shared__ __align__(16) unsigned char smem_raw[];
    int64_t* part = reinterpret_cast<int64_t*>(smem_raw);
    int8_t* in = reinterpret_cast<int8_t*>(smem_raw + part_bytes<G>());
    const Layout<G> l;
    const int64_t n = s.state;
    const int64_t e = l.e0 + l.c;
    const bool live = e < s.ch;
    int32_t abar[S], bbar15[S], c[S], h[S];
#pragma unroll
    for (int j = 0; j < S; ++j) {
        const int64_t k = l.lane + int64_t{j} * G;
        const bool valid = live && k < n;  // an idle slot keeps h = 0 and adds nothing
        abar[j] = valid ? p.abar[e * n + k] : 0;
        bbar15[j] = valid ? int32_t{p.bbar[e * n + k]} * 32768 : 0;
        c[j] = valid ? p.c[e * n + k] : 0;
        h[j] = 0;
    }
    const int64_t out_e = l.e0 + l.io_c;  // the output stage's channel
    const int64_t d = out_e < s.ch ? p.d[out_e] : 0;
    uint64_t local = 0;

    const int64_t chunks = (s.len + kChunk - 1) / kChunk;
    const bool live_out = out_e < s.ch;
    ChanPrefetch<G> xin;
    xin.load(p.u, ChunkRows(s, l.b, 0, s.ch), l, live_out);
    xin.store(in, l);
    if (chunks > 1) xin.load(p.u, ChunkRows(s, l.b, kChunk, s.ch), l, live_out);
    __syncthreads();
    for (int64_t ci = 0; ci < chunks; ++ci) {
        const int64_t s0 = ci * kChunk;
        const int n_steps = static_cast<int>(s.len - s0 < kChunk ? s.len - s0 : kChunk);
        const int8_t* xs = in + (ci & 1) * kIn;
        uint32_t chunk_clips = 0;
        bool bad = false;
        if constexpr (kSpeculate) {
            int32_t h_start[S];
#pragma unroll
            for (int j = 0; j < S; ++j) h_start[j] = h[j];
            s4d_chunk<G, S, false>(xs, l, abar, bbar15, c, h, part, chunk_clips, bad);
            if (bad) {  // a state saturated in this chunk: run it again from its start, checked (rare)
#pragma unroll
                for (int j = 0; j < S; ++j) h[j] = h_start[j];
                s4d_chunk<G, S, true>(xs, l, abar, bbar15, c, h, part, chunk_clips, bad);
            }
        } else {
            s4d_chunk<G, S, true>(xs, l, abar, bbar15, c, h, part, chunk_clips, bad);
        }
        local += chunk_clips;
        if (ci + 1 < chunks) xin.store(in + ((ci + 1) & 1) * kIn, l);
        __syncthreads();
        if (out_e < s.ch) {
#pragma unroll
            for (int i = 0; i < Layout<G>::kChanItems; ++i) {
                const int t = l.io_t + i * G;
                if (t >= n_steps) break;
                y[row_of(s, l.b, s0 + t) * s.ch + out_e] =
                    scan_output(chunk_sum<G>(part, t * kCpb + l.io_c), p.y_shift, d, xs[l.io_c * kChunk + t],
                                p.out, local);
            }
        }
        if (ci + 2 < chunks) xin.load(p.u, ChunkRows(s, l.b, s0 + 2 * kChunk, s.ch), l, live_out);
        __syncthreads();
    }
    add_clips(clips, local);
}

// ---- selective_scan ----------------------------------------------------------------------------------

// One chain per thread (N <= 64 <= G). kChecked as for s4d_chunk.
template <int G, bool kChecked>
__device__ __forceinline__ void sel_chunk(const SelInputs& in, const Layout<G>& l, int64_t n, int32_t a,
                                          int32_t& h, const int32_t* table, const DecayIndex& idx,
                                          int64_t* part, uint32_t& clips, bool& bad) {
    ChunkBytes dt, x, b, c;
    dt.load(in.dt + l.c * kChunk);
    x.load(in.x + l.c * kChunk);
    if (l.lane < n) {
        b.load(in.b + l.lane * kChunk);
        c.load(in.c + l.lane * kChunk);
    } else {
        b.zero();
        c.zero();
    }
    // The chunk's decays, all looked up before the first step (they depend on dt only).
    int32_t abar[kChunk];
#pragma unroll
    for (int t = 0; t < kChunk; ++t) abar[t] = table[decay_index(-dt[t] * a, idx)];
#pragma unroll
    for (int t = 0; t < kChunk; ++t) {
        const int32_t bx = dt[t] * x[t] * b[t];  // |dt x B| <= 2^21
        h = kChecked ? scan_step(abar[t], h, scan_addend(bx), clips)
                     : scan_step_unchecked(abar[t], h, scan_addend(bx), bad);
        part[(t * Layout<G>::kCpb + l.c) * (G + 1) + l.lane] = mad_wide(c[t], h, 0);
    }
}

template <int G>
__global__ void __launch_bounds__(kBlock)
    selective_scan_i8_fast(SelectiveScanI8 p, ScanShape s, int8_t* __restrict__ y, Clips clips) {
    constexpr int kCpb = Layout<G>::kCpb;
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int64_t n = s.state;
    const int in_bytes = sel_in_bytes(kCpb, n);
    int64_t* part = reinterpret_cast<int64_t*>(smem_raw);
    int8_t* in = reinterpret_cast<int8_t*>(smem_raw + part_bytes<G>());
    int32_t* table_s = reinterpret_cast<int32_t*>(smem_raw + part_bytes<G>() + round16(2 * in_bytes));
    const bool smem_table = p.table_size <= kSmemTableMax;
    if (smem_table)
        for (int64_t i = threadIdx.x; i < p.table_size; i += kBlock) table_s[i] = p.exp_table[i];
    const int32_t* table = smem_table ? table_s : p.exp_table;
    const DecayIndex idx(p.exp_shift, p.table_size);
    const Layout<G> l;
    const StateCursor cur(static_cast<int>(n));
    const int64_t e = l.e0 + l.c;
    // An idle slot (past N, or past the channels) decays nothing and adds nothing: h stays 0.
    const int32_t a = e < s.ch && l.lane < n ? p.a[e * n + l.lane] : 0;
    int32_t h = 0;
    const int64_t out_e = l.e0 + l.io_c;
    const int64_t d = out_e < s.ch ? p.d[out_e] : 0;
    uint64_t local = 0;

    const int64_t chunks = (s.len + kChunk - 1) / kChunk;
    SelPrefetch<G> pre;
    pre.load(p, s, l, cur, 0);
    pre.store(in, s, l, cur);
    if (chunks > 1) pre.load(p, s, l, cur, kChunk);
    __syncthreads();
    for (int64_t ci = 0; ci < chunks; ++ci) {
        const int64_t s0 = ci * kChunk;
        const int n_steps = static_cast<int>(s.len - s0 < kChunk ? s.len - s0 : kChunk);
        const SelInputs sin = sel_inputs(in + (ci & 1) * in_bytes, kCpb, n);
        uint32_t chunk_clips = 0;
        const int32_t h_start = h;
        bool bad = false;
        sel_chunk<G, false>(sin, l, n, a, h, table, idx, part, chunk_clips, bad);
        if (bad) {  // a state saturated in this chunk: run it again from its start, checked (rare)
            h = h_start;
            sel_chunk<G, true>(sin, l, n, a, h, table, idx, part, chunk_clips, bad);
        }
        local += chunk_clips;
        if (ci + 1 < chunks) pre.store(in + ((ci + 1) & 1) * in_bytes, s, l, cur);
        __syncthreads();
        if (out_e < s.ch) {
#pragma unroll
            for (int i = 0; i < Layout<G>::kChanItems; ++i) {
                const int t = l.io_t + i * G;
                if (t >= n_steps) break;
                int8_t out = scan_output(chunk_sum<G>(part, t * kCpb + l.io_c), p.y_shift, d,
                                         sin.x[l.io_c * kChunk + t], p.out, local);
                if (p.z)
                    out =
                        scan_gate(out, p.silu_lut[fx::lut_index(sin.z[l.io_c * kChunk + t])], p.gate, local);
                y[row_of(s, l.b, s0 + t) * s.ch + out_e] = out;
            }
        }
        if (ci + 2 < chunks) pre.load(p, s, l, cur, s0 + 2 * kChunk);
        __syncthreads();
    }
    add_clips(clips, local);
}

// ---- host side ---------------------------------------------------------------------------------------

template <int G, int S>
void launch_s4d(const S4dScanI8& p, const ScanShape& s, int8_t* y, Clips clips) {
    const size_t smem = part_bytes<G>() + 2 * round16(kChunk * Layout<G>::kCpb);
    allow_smem(s4d_scan_i8_fast<G, S>, smem);
    s4d_scan_i8_fast<G, S><<<grid_of(s, G), kBlock, smem>>>(p, s, y, clips);
}

template <int G>
void launch_selective(const SelectiveScanI8& p, const ScanShape& s, int8_t* y, Clips clips) {
    const size_t table = p.table_size <= kSmemTableMax ? sizeof(int32_t) * p.table_size : 0;
    const size_t smem = part_bytes<G>() + round16(2 * sel_in_bytes(Layout<G>::kCpb, s.state)) + table;
    allow_smem(selective_scan_i8_fast<G>, smem);
    selective_scan_i8_fast<G><<<grid_of(s, G), kBlock, smem>>>(p, s, y, clips);
}

// Chains per thread for s4d_scan. One (S = 1) gives the shortest step while few chains share each SM;
// with more chains (larger batches) the scan is bound by issue slots and by the shared-memory traffic of
// the C·h partials (8 bytes per chain and step), and four chains per thread (summed before they are stored)
// cut both; that variant also runs its steps speculatively (scan_step_unchecked), which cuts the issue
// slots of a step from about 15 to 10. The crossover, measured on an H200 (docs/gpu-kernels.md, "Chains
// per thread"), lies at about 512 chains per SM: lra:text:s4d at batch 4 (65,536 chains) ran alike both
// ways, at batch 6 (98,304) four per thread took 0.87 of the time, at batch 8 (131,072) 0.70.
// SSMSIM_SCAN_STATES=1|2|4 forces a choice, so that a test can run every variant on any shape.
int s4d_states_per_thread(const ScanShape& s) {
    static const int forced = [] {
        const char* e = std::getenv("SSMSIM_SCAN_STATES");
        return e ? std::atoi(e) : 0;
    }();
    if (s.state > 256) return 4;
    if (s.state > 128) return forced == 4 ? 4 : 2;
    if (forced == 1 || forced == 2 || forced == 4) return forced;
    constexpr int64_t kManyChains = int64_t{132} * 512;  // 512 chains per SM of an H200
    return s.batch * s.ch * s.state >= kManyChains && s.state >= 16 ? 4 : 1;
}

template <int S>
void launch_s4d_states(const S4dScanI8& p, const ScanShape& s, int8_t* y, Clips clips) {
    with_group<128>(group_of((s.state + S - 1) / S),
                    [&](auto g) { launch_s4d<decltype(g)::value, S>(p, s, y, clips); });
}

}  // namespace

void s4d_scan_i8(const S4dScanI8& p, const ScanShape& s, int8_t* y, Clips clips) {
    if (s.len == 0 || s.ch == 0 || s.batch == 0) return;
    if (s.state > kMaxStatesS4d) return s4d_scan_i8_generic(p, s, y, clips);
    switch (s4d_states_per_thread(s)) {
        case 1:
            launch_s4d_states<1>(p, s, y, clips);
            break;
        case 2:
            launch_s4d_states<2>(p, s, y, clips);
            break;
        default:
            launch_s4d_states<4>(p, s, y, clips);
            break;
    }
    check_launch("s4d_scan_i8_fast");
}

void selective_scan_i8(const SelectiveScanI8& p, const ScanShape& s, int8_t* y, Clips clips) {
    if (s.len == 0 || s.ch == 0 || s.batch == 0) return;
    if (s.state > kMaxStatesSelective) return selective_scan_i8_generic(p, s, y, clips);
    // Few chains (one wave of blocks): the warp-specialized kernel, whose chain warps only step h. Many
    // chains: this file's kernel, whose threads do all of a chain's work (more chains share each SM, and
    // issue slots, not one thread's step, are the limit). SSMSIM_SELECTIVE_SPLIT=0|1 forces a choice, and
    // =64|128 the split kernel with that block size, so that a test can run each on any shape.
    static const int forced = [] {
        const char* e = std::getenv("SSMSIM_SELECTIVE_SPLIT");
        return e ? std::atoi(e) : -1;
    }();
    if (forced > 0 || (forced != 0 && selective_scan_split_fits(s)))
        return selective_scan_i8_split_launch(p, s, y, clips, forced);
    with_group<64>(group_of(s.state), [&](auto g) { launch_selective<decltype(g)::value>(p, s, y, clips); });
    check_launch("selective_scan_i8_fast");
}

}  // namespace ssmsim::cuda
