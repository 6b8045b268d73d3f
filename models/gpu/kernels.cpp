#include "models/gpu/kernels.h"

#include <algorithm>
#include <cmath>

#include "models/gpu/kernels_chain.h"
#include "models/gpu/lowering_util.h"
#include "sim/util/error.h"

namespace ssmsim::gpu {

namespace {

// Grid-stride kernels (elementwise, requant, conv1d, copy): `units` thread-iterations of `per_unit`
// elements; the kernel's CTAs of 256 threads each take a contiguous share (the interleaving of a
// grid-stride loop moves the same bytes). Cost unit: one iteration of one warp.
KernelLaunch streaming(const KernelShape& sh, const Spec& s, const KernelCost& cost, int64_t per_unit,
                       int n_inputs) {
    KernelLaunch k;
    k.kind = sh.kind;
    k.threads = 256;
    k.regs = 32;
    const int64_t n = sh.elements;
    const int64_t units = ceil_div(n, per_unit);
    k.grid = blocks_for(units, k.threads);
    occupancy(k, s);
    const int64_t iters_max = ceil_div(units, k.grid * k.threads);
    k.chunks = std::clamp<int64_t>(iters_max, 1, 8);
    k.fixed_cycles = s.cycles_of_ns(cost.fixed_ns);
    k.geo.units = units;
    k.geo.per_unit = per_unit;
    k.work = [=, &s, launch = k](int64_t cta, int64_t c, ChunkWork& w) {
        const int64_t iters = stream_iters(launch, cta, c);
        if (iters <= 0) return;
        const auto [e0, e1] = stream_span(launch, n, cta, c);
        for (int i = 0; i < n_inputs; ++i) {
            if (sh.in[i] != kNoTensor) w.loads.push_back({sh.in[i], e0 * sh.in_bytes, e1 * sh.in_bytes});
        }
        w.stores.push_back({sh.out, e0 * sh.out_bytes, e1 * sh.out_bytes, 0, 1, true});
        const double warp_iters = static_cast<double>(iters) * 8;
        w.instr = warp_iters * cost.instr;
        w.service = issue(s, w.instr);
        w.latency = static_cast<double>(iters) * cost.latency;
    };
    return k;
}

// kernels/gemm.cu: int8 tensor cores, CTA tile 128 x 128 x 64, 256 threads, two shared stages; float32:
// 64 x 64 tiles, K steps of 16, 4 x 4 outputs per thread. Cost unit: latency per K step of one CTA; instr
// per 32 outputs of the epilogue. CTAs run blockIdx.x (columns of y) fastest.
KernelLaunch gemm(const KernelShape& sh, const Spec& s) {
    const bool i8 = sh.kind == KernelKind::gemm_i8;
    const KernelCost& cost = i8 ? s.gemm_i8 : s.gemm_f32;
    const int64_t bm = i8 ? 128 : 64, bk = i8 ? 64 : 16;
    KernelLaunch k;
    k.kind = sh.kind;
    k.threads = 256;
    k.tensor_cores = i8;
    const int64_t gx = ceil_div(sh.n, bm), gy = ceil_div(sh.m, bm);
    if (gy > 65535) throw InputError("gpu: linear", "at most 65535 row tiles per launch", std::to_string(gy));
    k.grid = gx * gy;
    // Shared stages: 2 x (A, B) x 4 planes of (128 rows x 16 bytes + 32) for int8; 2 x 16 x 68 floats.
    k.smem = i8 ? 2 * 2 * 4 * (128 * 16 + 32) : 2 * 16 * 68 * 4;
    k.regs = i8 ? 128 : 64;  // estimates: 64 accumulator registers per thread (int8), 16 (float32) + staging
    occupancy(k, s);
    const int64_t ktiles = ceil_div(sh.k, bk);
    k.chunks = std::clamp<int64_t>(ktiles, 1, 8);
    k.fixed_cycles = s.cycles_of_ns(cost.fixed_ns);
    const double rate =
        i8 ? s.int8_macs_per_cycle * s.gemm_i8_efficiency : s.fp32_fmas_per_cycle * s.gemm_f32_efficiency;
    // One mma per 16x16x16 tile (int8); one FMA per thread (float32).
    k.geo.bm = k.geo.bn = bm;
    k.geo.bk = bk;
    k.geo.gx = gx;
    k.geo.ktiles = ktiles;
    const GemmTiles tiles{k.geo, k.chunks, rate, cost.latency, cost.instr, i8 ? 4096.0 : 32.0};
    k.work = [=, &s](int64_t cta, int64_t c, ChunkWork& w) { gemm_tile_chunk(sh, s, tiles, cta, c, w); };
    return k;
}

// kernels/scan.cu: a group of g lanes (N rounded up to a power of two, at most 32) per channel, S states
// per lane, 64 threads per CTA (64 / g channels), time sequential. Cost unit: one time step.
KernelLaunch scan(const KernelShape& sh, const Spec& s) {
    const ScanCost& cost = sh.kind == KernelKind::selective_scan_i8    ? s.selective_i8
                           : sh.kind == KernelKind::s4d_scan_i8        ? s.s4d_i8
                           : sh.kind == KernelKind::selective_scan_f32 ? s.selective_f32
                                                                       : s.s4d_f32;
    const bool selective =
        sh.kind == KernelKind::selective_scan_i8 || sh.kind == KernelKind::selective_scan_f32;
    if (sh.batch > 65535) throw InputError("gpu: scan", "a batch of at most 65535", std::to_string(sh.batch));
    int64_t g = 1, levels = 0;
    while (g < sh.state && g < 32) {
        g *= 2;
        ++levels;
    }
    const int64_t per_lane = ceil_div(sh.state, g);
    int64_t states = 1;
    while (states < per_lane && states < 8) states *= 2;
    if (per_lane > 8) states = 128;  // arrays spill to local memory
    KernelLaunch k;
    k.kind = sh.kind;
    k.threads = 64;
    k.regs = 32 + 8 * std::min<int64_t>(states, 8);
    const int64_t cpb = 64 / g, cblocks = ceil_div(sh.ch, cpb);
    k.grid = cblocks * sh.batch;
    k.smem = sh.kind == KernelKind::selective_scan_i8 && sh.table <= 8192 ? 4 * sh.table : 0;
    occupancy(k, s);
    k.chunks = std::clamp<int64_t>(sh.len, 1, 8);
    k.fixed_cycles = s.cycles_of_ns(cost.fixed_ns);
    k.geo.cpb = cpb;
    k.geo.cblocks = cblocks;
    k.geo.lanes = g;
    const double step_latency = cost.step_latency + cost.state_latency * static_cast<double>(states - 1) +
                                cost.level_latency * static_cast<double>(levels);
    const double step_instr = 2 * (cost.step_instr + cost.state_instr * static_cast<double>(states - 1));
    const int64_t chunks = k.chunks;
    k.work = [=, &s, geo = k.geo](int64_t cta, int64_t c, ChunkWork& w) {
        const ChannelBlock blk = channel_block(geo, sh.ch, cta);
        const int64_t b = blk.b;
        const double frac = static_cast<double>(blk.channels) / static_cast<double>(sh.ch);
        const auto [t0, t1] = scan_steps(geo, sh.len, chunks, c);
        if (t1 <= t0) return;
        const int64_t r0 = b * sh.len + t0, r1 = b * sh.len + t1;
        // Per step: x (and delta, z) for the CTA's channels, B and C rows whole; y for its channels.
        auto rows = [&](uint32_t t, int64_t width, int64_t bytes, bool write, std::vector<Access>& v) {
            if (t == kNoTensor) return;
            Access a{t, r0 * width * bytes, r1 * width * bytes, 0, 1, write};
            v.push_back(a);
        };
        rows(sh.in[0], sh.ch, sh.in_bytes, false, w.loads);
        if (selective) {
            rows(sh.in[1], sh.ch, sh.in_bytes, false, w.loads);
            rows(sh.aux[0], sh.state, sh.in_bytes, false, w.loads);
            rows(sh.aux[1], sh.state, sh.in_bytes, false, w.loads);
            if (sh.gated) rows(sh.aux[2], sh.ch, sh.in_bytes, false, w.loads);
        }
        rows(sh.out, sh.ch, sh.out_bytes, true, w.stores);
        // Channel-major operands move only the CTA's share of each row.
        for (auto* v : {&w.loads, &w.stores}) {
            for (Access& a : *v) {
                if (a.tensor == sh.aux[0] || a.tensor == sh.aux[1]) continue;
                a.fraction = frac;
            }
        }
        const double steps = static_cast<double>(t1 - t0);
        w.instr = steps * step_instr;
        w.service = issue(s, w.instr);
        w.latency = steps * step_latency;
        w.dependent_loads = steps;  // step t + 1's inputs are loaded during step t: one round per step
        w.macs = steps * static_cast<double>(blk.channels * sh.state) * (selective ? 3 : 2);
    };
    return k;
}

// kernels/attention.cu: one CTA of 256 threads per (query, head, batch); the score row in shared memory.
// Cost unit: one thread's share of keys x head dimension / 256 (scores by dp4a, P.V in int64).
KernelLaunch attention(const KernelShape& sh, const Spec& s) {
    const bool i8 = sh.kind == KernelKind::attention_i8;
    KernelLaunch k;
    k.kind = sh.kind;
    k.threads = 256;
    k.regs = 64;
    if (sh.heads <= 0 || sh.ch % sh.heads != 0)
        throw InputError("gpu: attention", "heads dividing the width", std::to_string(sh.heads));
    const int64_t max_len = (227 * 1024 - 8 * 256) / 4;
    if (sh.len > max_len) {
        throw InputError("gpu: attention",
                         "a sequence of at most " + std::to_string(max_len) +
                             " (the CUDA kernel keeps a score row in shared memory)",
                         std::to_string(sh.len));
    }
    k.smem = (i8 ? 8 : 4) * 256 + 4 * sh.len + 8 * 8;
    k.grid = sh.len * sh.heads * sh.batch;
    occupancy(k, s);
    k.chunks = 1;
    k.fixed_cycles = s.cycles_of_ns(s.attention.fixed_ns);
    k.geo.rows = 1;  // one query per CTA, all keys as one tile
    k.geo.qtiles = sh.len;
    k.geo.key_tile = sh.len;
    const int64_t dh = sh.ch / sh.heads;
    k.work = [=, &s, geo = k.geo](int64_t cta, int64_t, ChunkWork& w) {
        const QueryBlock qb = query_block(geo, sh, cta);
        const int64_t i = qb.q0, hd = qb.head, b = qb.b;
        const int64_t keys = key_span(geo, sh, qb, 1, 0).k1;
        const double frac = static_cast<double>(dh) / static_cast<double>(sh.ch);
        const int64_t row0 = b * sh.len * sh.ch * sh.in_bytes;
        Access q{sh.in[0], (row0 / sh.in_bytes + i * sh.ch + hd * dh) * sh.in_bytes, 0};
        q.hi = q.lo + dh * sh.in_bytes;
        w.loads.push_back(q);
        for (uint32_t t : {sh.in[1], sh.aux[0]}) {
            Access a{t, row0, row0 + keys * sh.ch * sh.in_bytes};
            a.fraction = frac;
            w.loads.push_back(a);
        }
        Access y{sh.out, q.lo / sh.in_bytes * sh.out_bytes, 0, 0, 1, true};
        y.hi = y.lo + dh * sh.out_bytes;
        w.stores.push_back(y);
        // Per thread: keys / 256 scores of dh / 4 dp4a each, then keys / (256 / dh) terms of P.V: both
        // scale with keys x dh / 256, whatever the number of heads.
        const double work = static_cast<double>(keys * dh) / 256.0;
        w.macs = 2.0 * static_cast<double>(keys * dh);
        w.instr = 8 * work * s.attention.instr;
        w.service = issue(s, w.instr);
        w.latency = work * s.attention.latency;
    };
    return k;
}

// kernels/norm.cu: one warp per row, 256-thread CTAs over a capped grid. Cost unit: one 32-element step
// of one pass of one warp (rmsnorm makes 2 passes, layernorm 3), plus one per row for what does not
// scale with d (the warp reductions, the reciprocal square root).
KernelLaunch norm(const KernelShape& sh, const Spec& s) {
    KernelLaunch k;
    k.kind = sh.kind;
    k.threads = 256;
    k.regs = 40;
    const int64_t rows = sh.elements / std::max<int64_t>(1, sh.d);
    k.grid = blocks_for(rows * 32, 256);
    occupancy(k, s);
    const int64_t rows_max = ceil_div(rows, k.grid);
    k.chunks = std::clamp<int64_t>(ceil_div(rows_max, 8), 1, 8);
    k.fixed_cycles = s.cycles_of_ns(s.norm.fixed_ns);
    k.geo.items = rows;
    const double steps = static_cast<double>((sh.center ? 3 : 2) * ceil_div(sh.d, 32));
    k.work = [=, &s, launch = k](int64_t cta, int64_t c, ChunkWork& w) {
        const auto [r0, r1] = row_span(launch, cta, c);
        if (r1 <= r0) return;
        w.loads.push_back({sh.in[0], r0 * sh.d * sh.in_bytes, r1 * sh.d * sh.in_bytes});
        w.stores.push_back({sh.out, r0 * sh.d * sh.out_bytes, r1 * sh.d * sh.out_bytes, 0, 1, true});
        w.instr = static_cast<double>(r1 - r0) * (steps * s.norm.instr + s.norm_row_instr);
        w.service = issue(s, w.instr);
        w.latency = static_cast<double>(ceil_div(r1 - r0, 8)) * (steps * s.norm.latency + s.norm_row_latency);
    };
    return k;
}

// kernels/sequence.cu pool: CTAs of 32 channels x 8 time slices per (channel block, batch). Cost unit: one
// element summed by one warp lane group (per warp and step).
KernelLaunch pool(const KernelShape& sh, const Spec& s) {
    KernelLaunch k;
    k.kind = sh.kind;
    k.threads = 256;
    k.regs = 32;
    const int64_t cblocks = ceil_div(sh.ch, 32);
    k.grid = cblocks * sh.batch;
    k.smem = 8 * 32 * (sh.in_bytes == 1 ? 8 : 4);
    occupancy(k, s);
    k.chunks = 1;
    k.fixed_cycles = s.cycles_of_ns(s.pool.fixed_ns);
    k.geo.cpb = 32;
    k.geo.cblocks = cblocks;
    k.work = [=, &s, geo = k.geo](int64_t cta, int64_t, ChunkWork& w) {
        const int64_t b = channel_block(geo, sh.ch, cta).b;
        const int64_t lo = b * sh.len * sh.ch * sh.in_bytes;
        Access a{sh.in[0], lo, lo + sh.len * sh.ch * sh.in_bytes};
        a.fraction = std::min(1.0, 32.0 / static_cast<double>(sh.ch));
        w.loads.push_back(a);
        w.stores.push_back({sh.out, b * sh.ch * sh.out_bytes, (b + 1) * sh.ch * sh.out_bytes, 0, 1, true});
        w.stores.back().fraction = a.fraction;
        const double steps = static_cast<double>(ceil_div(sh.len, 8));
        w.instr = 8 * steps * s.pool.instr;
        w.service = issue(s, w.instr);
        w.latency = steps * s.pool.latency;
    };
    return k;
}

// kernels/sequence.cu embedding: one warp per token row, byte copies. Cost unit: 32 bytes of a row.
KernelLaunch embedding(const KernelShape& sh, const Spec& s) {
    KernelLaunch k;
    k.kind = sh.kind;
    k.threads = 256;
    k.regs = 32;
    const int64_t rows = sh.elements, rb = sh.d;
    k.grid = blocks_for(rows * 32, 256);
    occupancy(k, s);
    k.chunks = 1;
    k.fixed_cycles = s.cycles_of_ns(s.embedding.fixed_ns);
    k.geo.items = rows;
    const int64_t table_bytes = sh.n * rb;
    k.work = [=, &s, launch = k](int64_t cta, int64_t, ChunkWork& w) {
        const auto [r0, r1] = row_span(launch, cta, 0);
        if (r1 <= r0) return;
        w.loads.push_back({sh.in[0], r0 * 4, r1 * 4});
        // Rows of the table at random: the table's bytes, as far as these rows can cover them.
        w.loads.push_back({sh.in[1], 0, std::min(table_bytes, (r1 - r0) * rb)});
        w.stores.push_back({sh.out, r0 * rb, r1 * rb, 0, 1, true});
        const double steps = static_cast<double>(ceil_div(rb, 32));
        w.instr = static_cast<double>(r1 - r0) * steps * s.embedding.instr;
        w.service = issue(s, w.instr);
        w.latency = static_cast<double>(ceil_div(r1 - r0, 8)) * steps * s.embedding.latency;
    };
    return k;
}

}  // namespace

const char* kernel_name(KernelKind k) {
    switch (k) {
        case KernelKind::gemm_i8:
            return "gemm_i8_kernel";
        case KernelKind::gemm_f32:
            return "gemm_f32_kernel";
        case KernelKind::lut_i8:
            return "lut_i8_kernel";
        case KernelKind::mul_i8:
            return "mul_i8_kernel";
        case KernelKind::add_i8:
            return "add_i8_kernel";
        case KernelKind::gate_i8:
            return "gate_i8_kernel";
        case KernelKind::requant_i32:
            return "requant_kernel";
        case KernelKind::map_f32:
            return "map_f32_kernel";
        case KernelKind::copy:
            return "memcpy_d2d";
        case KernelKind::conv1d_i8:
            return "conv1d_i8_kernel";
        case KernelKind::conv1d_f32:
            return "conv1d_f32_kernel";
        case KernelKind::norm_i8:
            return "norm_i8_kernel";
        case KernelKind::norm_f32:
            return "norm_f32_kernel";
        case KernelKind::selective_scan_i8:
            return "selective_scan_i8_kernel";
        case KernelKind::s4d_scan_i8:
            return "s4d_scan_i8_kernel";
        case KernelKind::selective_scan_f32:
            return "selective_scan_f32_kernel";
        case KernelKind::s4d_scan_f32:
            return "s4d_scan_f32_kernel";
        case KernelKind::attention_i8:
            return "attention_i8_kernel";
        case KernelKind::attention_f32:
            return "attention_f32_kernel";
        case KernelKind::pool:
            return "pool_kernel";
        case KernelKind::embedding:
            return "embedding_kernel";
        case KernelKind::none:
            return "none";
    }
    return "none";
}

KernelLaunch lower(const KernelShape& sh, const Spec& s) {
    if (s.chain_kernels && chain_kernel_fits(sh)) {
        if (sh.kind == KernelKind::gemm_i8) return gemm_chain(sh, s);
        if (sh.kind == KernelKind::attention_i8) return attention_chain(sh, s);
        return scan_chain(sh, s);
    }
    switch (sh.kind) {
        case KernelKind::gemm_i8:
        case KernelKind::gemm_f32:
            return gemm(sh, s);
        case KernelKind::lut_i8:
            return streaming(sh, s, s.lut_i8, 16, 1);
        case KernelKind::mul_i8:
            return streaming(sh, s, s.mul_i8, 16, 2);
        case KernelKind::add_i8:
            return streaming(sh, s, s.add_i8, 16, 2);
        case KernelKind::gate_i8:
            return streaming(sh, s, s.gate_i8, 16, 2);
        case KernelKind::requant_i32:
            return streaming(sh, s, s.requant_i32, 1, 1);
        case KernelKind::map_f32:
            return streaming(sh, s, s.map_f32, 1, 2);
        case KernelKind::copy:
            return streaming(sh, s, s.copy, 16, 1);
        case KernelKind::conv1d_i8:
        case KernelKind::conv1d_f32:
            return streaming(sh, s, s.conv1d, 1, 1);
        case KernelKind::norm_i8:
        case KernelKind::norm_f32:
            return norm(sh, s);
        case KernelKind::selective_scan_i8:
        case KernelKind::s4d_scan_i8:
        case KernelKind::selective_scan_f32:
        case KernelKind::s4d_scan_f32:
            return scan(sh, s);
        case KernelKind::attention_i8:
        case KernelKind::attention_f32:
            return attention(sh, s);
        case KernelKind::pool:
            return pool(sh, s);
        case KernelKind::embedding:
            return embedding(sh, s);
        case KernelKind::none:
            break;
    }
    KernelLaunch k;
    k.kind = KernelKind::none;
    return k;
}

}  // namespace ssmsim::gpu
