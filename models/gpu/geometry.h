// Internal to models/gpu: which part of an op one CTA (and one of its chunks) owns, from the launch's
// Geometry. The timing's `work` (kernels.cpp, kernels_chain.cpp) and the functional datapath (datapath.cpp)
// both call these, so the bytes a CTA moves and the outputs it computes come from one rule.
#pragma once

#include <algorithm>
#include <cstdint>

#include "models/gpu/kernels.h"

namespace ssmsim::gpu {

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
// Part i of `parts` near-equal contiguous parts of [0, total).
inline int64_t part_lo(int64_t total, int64_t parts, int64_t i) { return total * i / parts; }

struct Span {
    int64_t lo = 0, hi = 0;
    bool empty() const { return hi <= lo; }
    int64_t size() const { return hi - lo; }
};

// Grid-stride kernels: the elements [lo, hi) of `n` that chunk c of CTA `cta` handles. The CTAs take
// contiguous shares of the units (a grid-stride loop's interleaving moves the same bytes), each thread
// iteration per_unit elements.
inline Span stream_span(const KernelLaunch& k, int64_t n, int64_t cta, int64_t c) {
    const Geometry& g = k.geo;
    const int64_t u0 = part_lo(g.units, k.grid, cta), u1 = part_lo(g.units, k.grid, cta + 1);
    const int64_t iters = ceil_div(u1 - u0, k.threads);
    const int64_t i0 = part_lo(iters, k.chunks, c), i1 = part_lo(iters, k.chunks, c + 1);
    if (i1 <= i0) return {};
    return {std::min(n, (u0 + i0 * k.threads) * g.per_unit),
            std::min(n, std::min(u1, u0 + i1 * k.threads) * g.per_unit)};
}
// Thread iterations of that chunk (the cost unit of the grid-stride kernels).
inline int64_t stream_iters(const KernelLaunch& k, int64_t cta, int64_t c) {
    const int64_t u0 = part_lo(k.geo.units, k.grid, cta), u1 = part_lo(k.geo.units, k.grid, cta + 1);
    const int64_t iters = ceil_div(u1 - u0, k.threads);
    return part_lo(iters, k.chunks, c + 1) - part_lo(iters, k.chunks, c);
}

// GEMM: CTA `cta`'s output tile (blockIdx.x, the column tile, runs fastest) and chunk c's K range.
struct GemmTile {
    int64_t bx, by, row0, rows, col0, cols;
};
inline GemmTile gemm_tile(const Geometry& g, const KernelShape& sh, int64_t cta) {
    const int64_t bx = cta % g.gx, by = cta / g.gx;
    return {bx, by, by * g.bm, std::min(g.bm, sh.m - by * g.bm), bx * g.bn, std::min(g.bn, sh.n - bx * g.bn)};
}
struct KSpan {
    int64_t tiles;   // K tiles of the chunk
    int64_t k0, k1;  // the elements of K they cover
};
inline KSpan gemm_ktiles(const Geometry& g, int64_t chunks, int64_t k, int64_t c) {
    const int64_t t0 = part_lo(g.ktiles, chunks, c), t1 = part_lo(g.ktiles, chunks, c + 1);
    if (t1 <= t0) return {0, 0, 0};
    return {t1 - t0, t0 * g.bk, std::min(k, t1 * g.bk)};
}

// Scans (and pool): CTA `cta` holds channels [e0, e0 + channels) of batch row b.
struct ChannelBlock {
    int64_t b, e0, channels;
};
inline ChannelBlock channel_block(const Geometry& g, int64_t ch, int64_t cta) {
    const int64_t e0 = (cta % g.cblocks) * g.cpb;
    return {cta / g.cblocks, e0, std::min(g.cpb, ch - e0)};
}
// The time steps [lo, hi) of chunk c: whole kernel chunks of step_chunk steps, or an even split.
inline Span scan_steps(const Geometry& g, int64_t len, int64_t chunks, int64_t c) {
    if (g.step_chunk == 0) return {part_lo(len, chunks, c), part_lo(len, chunks, c + 1)};
    const int64_t lchunks = ceil_div(len, g.step_chunk);
    const int64_t q0 = part_lo(lchunks, chunks, c), q1 = part_lo(lchunks, chunks, c + 1);
    if (q1 <= q0) return {};
    return {q0 * g.step_chunk, std::min(len, q1 * g.step_chunk)};
}

// Attention: CTA `cta`'s queries [q0, q1) of head hd of batch row b, and chunk c's keys [k0, k1) in whole
// key tiles up to the CTA's last key.
struct QueryBlock {
    int64_t b, head, q0, q1;
};
inline QueryBlock query_block(const Geometry& g, const KernelShape& sh, int64_t cta) {
    const int64_t qt = cta % g.qtiles, hd = (cta / g.qtiles) % sh.heads, b = cta / (g.qtiles * sh.heads);
    const int64_t q0 = qt * g.rows;
    return {b, hd, q0, std::min(sh.len, q0 + g.rows)};
}
struct KeySpan {
    int64_t tiles, k0, k1;
};
inline KeySpan key_span(const Geometry& g, const KernelShape& sh, const QueryBlock& q, int64_t chunks,
                        int64_t c) {
    const int64_t last_key = sh.causal ? q.q1 - 1 : sh.len - 1;
    const int64_t tiles = last_key / g.key_tile + 1;
    const int64_t t0 = part_lo(tiles, chunks, c), t1 = part_lo(tiles, chunks, c + 1);
    if (t1 <= t0) return {0, 0, 0};
    return {t1 - t0, t0 * g.key_tile, std::min(last_key + 1, t1 * g.key_tile)};
}

// Norms and embedding: the rows [lo, hi) of chunk c of CTA `cta`.
inline Span row_span(const KernelLaunch& k, int64_t cta, int64_t c) {
    const int64_t q0 = part_lo(k.geo.items, k.grid, cta), q1 = part_lo(k.geo.items, k.grid, cta + 1);
    return {q0 + part_lo(q1 - q0, k.chunks, c), q0 + part_lo(q1 - q0, k.chunks, c + 1)};
}

}  // namespace ssmsim::gpu
