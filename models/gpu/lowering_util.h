// Internal to models/gpu: the arithmetic every lowering shares (kernels.cpp, kernels_chain.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "models/gpu/geometry.h"
#include "models/gpu/kernels.h"
#include "models/gpu/spec.h"
#include "sim/util/error.h"

namespace ssmsim::gpu {

// kernels/common.cuh, blocks_for(): grid-stride kernels cap their grid at 132 * 32 CTAs on every GPU.
constexpr int64_t kGridCap = 132 * 32;

inline int64_t blocks_for(int64_t n, int64_t threads) {
    return std::clamp<int64_t>(ceil_div(n, threads), 1, kGridCap);
}

// CTAs per SM: the tightest of threads, the CTA limit, shared memory (with the per-CTA reservation) and
// registers (allocated per warp in units of 256).
inline void occupancy(KernelLaunch& k, const Spec& s) {
    if (k.smem > s.smem_per_cta) {
        throw InputError("gpu: kernel " + std::string(kernel_name(k.kind)),
                         "at most " + std::to_string(s.smem_per_cta) + " bytes of shared memory per CTA",
                         std::to_string(k.smem) + " bytes");
    }
    struct Limit {
        int64_t n;
        const char* what;
    };
    const int64_t warps = ceil_div(k.threads, 32);
    const int64_t regs_per_warp = ceil_div(k.regs * 32, 256) * 256;
    // A resource a CTA does not use (no shared memory and no reservation, no registers) sets no limit.
    const auto per_sm = [&](int64_t have, int64_t per_cta) {
        return per_cta > 0 ? have / per_cta : s.max_ctas_per_sm;
    };
    const Limit limits[] = {
        {per_sm(s.max_threads_per_sm, warps * 32), "threads"},
        {s.max_ctas_per_sm, "ctas"},
        {per_sm(s.smem_per_sm, k.smem + s.smem_reserved_per_cta), "smem"},
        {per_sm(s.registers_per_sm, regs_per_warp * warps), "registers"},
    };
    const Limit* best = &limits[0];
    for (const Limit& l : limits) {
        if (l.n < best->n) best = &l;
    }
    k.ctas_per_sm = std::max<int64_t>(1, best->n);
    k.occupancy_limit = best->what;
}

inline double issue(const Spec& s, double warp_instr) { return warp_instr / s.issue_per_cycle; }

// One chunk of one CTA of a K-tiled GEMM (both int8 GEMM kernels and the float one): the CTA's A row panel
// and B column panel sliced along K tiles [t0, t1) of the chunk, MACs of whole bm x bn tiles (padding is
// computed too) at `rate` per cycle, `latency` per K tile, one warp instruction per `macs_per_instr`, and on
// the last chunk the epilogue (`epi_instr` per 32 outputs) and the store of the output tile. CTAs run
// blockIdx.x (columns of y, gx of them) fastest.
struct GemmTiles {
    Geometry geo;
    int64_t chunks;
    double rate, latency, epi_instr, macs_per_instr;
};
inline void gemm_tile_chunk(const KernelShape& sh, const Spec& s, const GemmTiles& gt, int64_t cta, int64_t c,
                            ChunkWork& w) {
    const Geometry& g = gt.geo;
    const GemmTile tile = gemm_tile(g, sh, cta);
    const int64_t bx = tile.bx, by = tile.by, rows = tile.rows, cols = tile.cols;
    const KSpan ks = gemm_ktiles(g, gt.chunks, sh.k, c);
    if (ks.tiles == 0) return;
    const int64_t k0 = ks.k0, k1 = ks.k1;
    const int64_t a0 = by * g.bm * sh.k * sh.in_bytes, b0 = bx * g.bn * sh.k * sh.in_bytes;
    w.loads.push_back({sh.in[0], a0 + rows * k0 * sh.in_bytes, a0 + rows * k1 * sh.in_bytes});
    w.loads.push_back({sh.in[1], b0 + cols * k0 * sh.in_bytes, b0 + cols * k1 * sh.in_bytes});
    w.macs = static_cast<double>(g.bm * g.bn * g.bk * ks.tiles);
    w.service = w.macs / gt.rate;
    w.latency = static_cast<double>(ks.tiles) * gt.latency;
    w.instr = w.macs / gt.macs_per_instr;
    if (c == gt.chunks - 1) {
        const double epi = static_cast<double>(rows * cols) / 32.0 * gt.epi_instr;
        w.instr += epi;
        w.service += issue(s, epi);
        const int64_t y0 = (by * g.bm * sh.n + bx * g.bn) * sh.out_bytes;
        w.stores.push_back({sh.out, y0, y0 + cols * sh.out_bytes, sh.n * sh.out_bytes, rows, true});
    }
}

}  // namespace ssmsim::gpu
