// Lowering of the kernels of generations "67eb621" and "34fa29c" (docs/gpu-kernels.md): the chain-bound int8
// scans (kernels/scan_i8.cu), the key-split tensor-core attention (attention_mma.cu) and the mma GEMM
// (gemm_mma.cu). Each function mirrors its kernel's host code: the same choice of CTA shape, grid and
// shared memory; registers as ptxas reports them for sm_90 (`nvcc -Xptxas -v`).
#include "models/gpu/kernels_chain.h"

#include <algorithm>
#include <cmath>

#include "models/gpu/lowering_util.h"

namespace ssmsim::gpu {

namespace {

constexpr int64_t kScanBlock = 128, kScanChunk = 32;  // scan_i8.cu: kBlock, kChunk
constexpr int64_t kScanMinGroup = 4;

int64_t scan_group(int64_t per_thread) {
    int64_t g = kScanMinGroup;
    while (g < per_thread && g < kScanBlock) g *= 2;
    return g;
}

int64_t round16(int64_t n) { return (n + 15) / 16 * 16; }

// scan_i8.cu, s4d_states_per_thread (without the SSMSIM_SCAN_STATES override).
int64_t s4d_chains_per_thread(const KernelShape& sh) {
    if (sh.state > 256) return 4;
    if (sh.state > 128) return 2;
    constexpr int64_t kManyChains = int64_t{132} * 512;
    return sh.batch * sh.ch * sh.state >= kManyChains && sh.state >= 16 ? 4 : 1;
}

// Registers per thread of attention_mma_kernel<DH, NW, NS, lookup>, ptxas -v (sm_90, nvcc 13.0): the exp
// table in shared memory with the short index form (every LRA op) and through __ldg (T > 8192). Columns are
// the CTA shapes (NW, NS) = (1, 4), (2, 4), (4, 2), (4, 1); rows dh = 4, 8, 16, 32, 64, 128. Narrow heads
// take far fewer than dh = 32, so more of their CTAs fit an SM.
int64_t attention_regs(int64_t dh, int64_t nw, int64_t ns, bool global_table) {
    static constexpr int64_t kSmem[6][4] = {{63, 64, 71, 72}, {63, 64, 64, 72},     {64, 71, 72, 80},
                                            {93, 80, 79, 95}, {128, 120, 112, 128}, {250, 210, 190, 250}};
    static constexpr int64_t kGlobal[6][4] = {{72, 80, 80, 80}, {72, 72, 76, 80},     {80, 80, 77, 92},
                                              {96, 96, 96, 96}, {128, 128, 124, 128}, {252, 216, 196, 250}};
    const int row = dh <= 4 ? 0 : dh <= 8 ? 1 : dh <= 16 ? 2 : dh <= 32 ? 3 : dh <= 64 ? 4 : 5;
    const int col = ns == 4 ? (nw == 1 ? 0 : 1) : (ns == 2 ? 2 : 3);
    return (global_table ? kGlobal : kSmem)[row][col];
}

// Tensor-core instructions of one query warp over one 32-key chunk (attention_mma.cu): Q·K^T in each of the
// three passes, four n-tiles of 8 keys each with max(1, dh / 32) k-steps (narrow heads run as dh = 32), and
// P·V as a high and a low half for each of the ceil(dh / 8) output n-tiles.
double attention_mmas(int64_t dh) {
    return static_cast<double>(3 * 4 * std::max<int64_t>(1, dh / 32) + 2 * ceil_div(dh, 8));
}

// attention_mma.cu, cta_shape_for: (query warps, split warps).
std::pair<int64_t, int64_t> attention_cta(const KernelShape& sh, const Spec& s) {
    const int64_t groups = ceil_div(sh.len, 16) * sh.heads * sh.batch;
    if (groups >= 12 * s.sms) return {4, 1};
    if (2 * groups >= 12 * s.sms) return {4, 2};
    return {groups >= 4 * s.sms ? 2 : 1, 4};
}

}  // namespace

bool chain_kernel_fits(const KernelShape& sh) {
    switch (sh.kind) {
        case KernelKind::s4d_scan_i8:
            return sh.state <= 512;
        case KernelKind::selective_scan_i8:
            return sh.state <= 64;
        case KernelKind::attention_i8: {
            if (sh.heads <= 0 || sh.ch % sh.heads != 0) return false;
            const int64_t dh = sh.ch / sh.heads;
            return (dh == 4 || dh == 8 || dh == 16 || dh == 32 || dh == 64 || dh == 128) && sh.len <= 65536;
        }
        case KernelKind::gemm_i8:
            return sh.k >= 16 && sh.k % 16 == 0;
        default:
            return false;
    }
}

// A scan CTA's chunk c: its time steps [t0, t1), channels, and the whole 32-step chunks the kernel runs over
// them (the last one on zero inputs past L: the kernel's code does not shorten it); the chunk's rows of every
// operand go into w's loads and its output rows into w's stores.
struct ScanChunkSpan {
    int64_t t0 = 0, t1 = 0, channels = 0, kernel_chunks = 0;
};
ScanChunkSpan scan_chunk_traffic(const KernelShape& sh, const Geometry& geo, int64_t chunks, int64_t cta,
                                 int64_t c, bool selective, ChunkWork& w) {
    const ChannelBlock blk = channel_block(geo, sh.ch, cta);
    const auto [t0, t1] = scan_steps(geo, sh.len, chunks, c);
    if (t1 <= t0) return {};
    const double frac = static_cast<double>(blk.channels) / static_cast<double>(sh.ch);
    const int64_t r0 = blk.b * sh.len + t0, r1 = blk.b * sh.len + t1;
    auto rows = [&](uint32_t t, int64_t width, bool write, bool share) {
        if (t == kNoTensor) return;
        const int64_t bytes = write ? sh.out_bytes : sh.in_bytes;
        Access a{t, r0 * width * bytes, r1 * width * bytes, 0, 1, write};
        if (share) a.fraction = frac;
        (write ? w.stores : w.loads).push_back(a);
    };
    rows(sh.in[0], sh.ch, false, true);
    if (selective) {
        rows(sh.in[1], sh.ch, false, true);
        rows(sh.aux[0], sh.state, false, false);
        rows(sh.aux[1], sh.state, false, false);
        if (sh.gated) rows(sh.aux[2], sh.ch, false, true);
    }
    rows(sh.out, sh.ch, true, true);
    return {t0, t1, blk.channels, ceil_div(t1 - t0, kScanChunk)};
}

// scan_selective_split.cu: blocks of B chains (64 when those fit one wave, else 128), whose first B / 32
// warps step h and whose H helper groups (4 at B = 64, 2 at B = 128) prepare the next chunk's decays and
// input terms and reduce the previous chunk's outputs. Taken when blocks of 128 chains fit one wave
// (selective_scan_split_fits).
bool split_selective_fits(const KernelShape& sh, const Spec& s) {
    if (!s.split_selective || sh.kind != KernelKind::selective_scan_i8 || sh.state > 64) return false;
    const int64_t g = scan_group(sh.state);
    return sh.batch * ceil_div(sh.ch, kScanBlock / g) <= s.sms;
}

// Costs per 32-step chunk: the chain stage takes 32 x step_latency, the helper stage 32 / H x (helper_latency
// + channel_latency x channels of the block + state_latency x N) (each group a share of the steps); the stage
// that moves the inputs (the helpers at B = 64, the chain warps at B = 128) adds 32 x move_latency; a chunk
// takes the slower stage plus chunk_latency. The pipeline holds three chunks (terms, steps, outputs), so the
// launch pays two more periods to fill and drain it.
KernelLaunch selective_split_chain(const KernelShape& sh, const Spec& s) {
    const SplitScanCost& cost = s.selective_i8_split;
    const int64_t g = scan_group(sh.state);
    const int64_t block = sh.batch * ceil_div(sh.ch, 64 / g) <= s.sms ? 64 : 128;
    const int64_t helpers = block == 64 ? 4 : 2, cpb = block / g;
    KernelLaunch k;
    k.kind = sh.kind;
    k.threads = block * (1 + helpers);
    // ptxas -v (sm_90) for the group size g: B = 64 and B = 128.
    const int64_t regs64 = g == 64 ? 144 : g == 32 ? 103 : g == 4 ? 84 : g == 8 ? 80 : 86;
    const int64_t regs128 = g == 64 ? 168 : g == 32 ? 160 : g == 4 ? 152 : 136;
    k.regs = block == 64 ? regs64 : regs128;
    const int64_t cblocks = ceil_div(sh.ch, cpb);
    k.grid = cblocks * sh.batch;
    const int64_t rows = 6 * 4 * block * (kScanChunk + 4),
                  raw = round16(3 * kScanChunk * cpb + 2 * kScanChunk * sh.state);
    k.smem = rows + 8 * (block / kScanMinGroup) + 256 + 4 * raw + (sh.table <= 4096 ? 4 * sh.table : 0);
    occupancy(k, s);
    const int64_t lchunks = ceil_div(sh.len, kScanChunk);
    k.chunks = std::clamp<int64_t>(lchunks, 1, 8);
    k.fixed_cycles = s.cycles_of_ns(cost.fixed_ns);
    const double steps_per_chunk = static_cast<double>(kScanChunk);
    const double move = steps_per_chunk * cost.move_latency;
    const double chain_stage = steps_per_chunk * cost.step_latency + (block == 128 ? move : 0.0);
    const double helper_step = cost.helper_latency + cost.channel_latency * static_cast<double>(cpb) +
                               cost.state_latency * static_cast<double>(sh.state);
    const double helper_stage =
        steps_per_chunk / static_cast<double>(helpers) * helper_step + (block == 64 ? move : 0.0);
    const double period = std::max(chain_stage, helper_stage) + cost.chunk_latency;
    const double warps = static_cast<double>(k.threads / 32);
    const int64_t chunks = k.chunks;
    k.geo.cpb = cpb;
    k.geo.cblocks = cblocks;
    k.geo.lanes = g;
    k.geo.step_chunk = kScanChunk;
    k.work = [=, &s, geo = k.geo](int64_t cta, int64_t c, ChunkWork& w) {
        const ScanChunkSpan span = scan_chunk_traffic(sh, geo, chunks, cta, c, true, w);
        if (span.kernel_chunks == 0) return;
        const double kernel_chunks = static_cast<double>(span.kernel_chunks);
        const double steps = kernel_chunks * static_cast<double>(kScanChunk);
        w.instr = steps * warps * cost.step_instr;
        w.service = issue(s, w.instr);
        w.latency = (kernel_chunks + (c == 0 ? 2.0 : 0.0)) * period;
        w.dependent_loads = 1;  // the first chunk's inputs; later ones arrive two chunks ahead
        w.macs = static_cast<double>((span.t1 - span.t0) * span.channels * sh.state) * 3;
    };
    return k;
}

// One thread per chain (S chains per thread for s4d at large batches), G threads per channel, 128-thread
// CTAs of cpb = 128 / G channels per (channel block, batch); time in chunks of 32 steps, each chunk's inputs
// prefetched one chunk ahead (so no load sits on the chain). Costs: per step of one warp, step_instr issue
// slots (plus state_instr per further chain); per step of the chain, step_latency (s4d: plus state_latency
// per further chain); per 32-step chunk, its barrier and output stage: level_latency per channel of the CTA
// (the chunk's cpb x 32 outputs are reduced and requantized by the block), and for the selective scan
// state_latency per state (the chunk's B and C rows, 2 x 32 x N bytes, staged and looked up first).
KernelLaunch scan_chain(const KernelShape& sh, const Spec& s) {
    if (split_selective_fits(sh, s)) return selective_split_chain(sh, s);
    const bool selective = sh.kind == KernelKind::selective_scan_i8;
    const ScanCost& cost = selective ? s.selective_i8_fast : s.s4d_i8_fast;
    if (sh.batch > 65535) throw InputError("gpu: scan", "a batch of at most 65535", std::to_string(sh.batch));
    const int64_t chains = selective ? 1 : s4d_chains_per_thread(sh);
    const int64_t g = scan_group(ceil_div(sh.state, chains)), cpb = kScanBlock / g;
    KernelLaunch k;
    k.kind = sh.kind;
    k.threads = kScanBlock;
    k.regs = selective ? 228 : (chains == 4 ? 70 : 56);
    const int64_t cblocks = ceil_div(sh.ch, cpb);
    k.grid = cblocks * sh.batch;
    const int64_t partials = 8 * kScanChunk * cpb * (g + 1);
    k.smem = selective ? partials + round16(2 * (3 * kScanChunk * cpb + 2 * kScanChunk * sh.state)) +
                             (sh.table <= 4096 ? 4 * sh.table : 0)
                       : partials + 2 * round16(kScanChunk * cpb);
    occupancy(k, s);
    const int64_t lchunks = ceil_div(sh.len, kScanChunk);  // the kernel's 32-step chunks
    k.chunks = std::clamp<int64_t>(lchunks, 1, 8);
    k.fixed_cycles = s.cycles_of_ns(cost.fixed_ns);
    const double extra = static_cast<double>(chains - 1);
    const double step_latency = cost.step_latency + (selective ? 0.0 : cost.state_latency * extra);
    const double chunk_latency = cost.level_latency * static_cast<double>(cpb) +
                                 (selective ? cost.state_latency * static_cast<double>(sh.state) : 0.0);
    const double step_instr = cost.step_instr + cost.state_instr * extra;
    const int64_t chunks = k.chunks;
    k.geo.cpb = cpb;
    k.geo.cblocks = cblocks;
    k.geo.lanes = g;
    k.geo.step_chunk = kScanChunk;
    k.work = [=, &s, geo = k.geo](int64_t cta, int64_t c, ChunkWork& w) {
        const ScanChunkSpan span = scan_chunk_traffic(sh, geo, chunks, cta, c, selective, w);
        if (span.kernel_chunks == 0) return;
        const int64_t kernel_chunks = span.kernel_chunks;
        const double steps = static_cast<double>(kernel_chunks * kScanChunk);
        const double warps = static_cast<double>(kScanBlock / 32);
        w.instr = steps * warps * step_instr;
        w.service = issue(s, w.instr);
        w.latency = steps * step_latency + static_cast<double>(kernel_chunks) * chunk_latency;
        w.dependent_loads = 1;  // the first chunk's inputs; later ones arrive a chunk ahead
        w.macs = static_cast<double>((span.t1 - span.t0) * span.channels * sh.state) * (selective ? 3 : 2);
    };
    return k;
}

// 16 * NW queries per CTA, NS warps splitting each 16 rows' keys; keys in tiles of 32 * max(2, NS), swept
// three times (row maximum, exponential sums, probabilities and P·V). Cost unit: one warp's pass set over
// one 16-row x 32-key chunk (instr issue slots for the three passes, latency along the warp's path).
KernelLaunch attention_chain(const KernelShape& sh, const Spec& s) {
    const auto [nw, ns] = attention_cta(sh, s);
    const int64_t dh = sh.ch / sh.heads, keys_per_tile = 32 * std::max<int64_t>(2, ns);
    const double mmas = attention_mmas(dh);
    KernelLaunch k;
    k.kind = sh.kind;
    k.threads = 32 * nw * ns;
    k.regs = attention_regs(dh, nw, ns, sh.table > 8192);
    const int64_t rows = 16 * nw, qtiles = ceil_div(sh.len, rows);
    k.grid = qtiles * sh.heads * sh.batch;
    const int64_t kstride = dh < 32 ? dh : dh + 16;
    k.smem = 4 * keys_per_tile * kstride + dh * (keys_per_tile + 16) + 1024 +
             (sh.table <= 8192 ? 4 * sh.table : 0);
    occupancy(k, s);
    const int64_t max_tiles = ceil_div(sh.len, keys_per_tile);
    k.chunks = std::clamp<int64_t>(max_tiles, 1, 8);
    k.fixed_cycles = s.cycles_of_ns(s.attention_mma.fixed_ns);
    const int64_t chunks = k.chunks;
    k.geo.rows = rows;
    k.geo.qtiles = qtiles;
    k.geo.key_tile = keys_per_tile;
    k.work = [=, &s, geo = k.geo](int64_t cta, int64_t c, ChunkWork& w) {
        const QueryBlock qb = query_block(geo, sh, cta);
        const int64_t hd = qb.head, b = qb.b, q0 = qb.q0, q1 = qb.q1;
        const KeySpan ks = key_span(geo, sh, qb, chunks, c);
        if (ks.tiles == 0) return;
        const int64_t k0 = ks.k0, k1 = ks.k1;
        const double frac = static_cast<double>(dh) / static_cast<double>(sh.ch);
        const int64_t row0 = b * sh.len;
        // K three times (once per pass), V once; Q and Y once, with the first and last chunk.
        for (int pass = 0; pass < 3; ++pass) {
            Access key{sh.in[1], (row0 + k0) * sh.ch * sh.in_bytes, (row0 + k1) * sh.ch * sh.in_bytes};
            key.fraction = frac;
            w.loads.push_back(key);
        }
        Access v{sh.aux[0], (row0 + k0) * sh.ch * sh.in_bytes, (row0 + k1) * sh.ch * sh.in_bytes};
        v.fraction = frac;
        w.loads.push_back(v);
        const int64_t qa = (row0 + q0) * sh.ch + hd * dh;
        if (c == 0)
            w.loads.push_back(
                {sh.in[0], qa * sh.in_bytes, (qa + dh) * sh.in_bytes, sh.ch * sh.in_bytes, q1 - q0});
        if (c == chunks - 1)
            w.stores.push_back(
                {sh.out, qa * sh.out_bytes, (qa + dh) * sh.out_bytes, sh.ch * sh.out_bytes, q1 - q0, true});
        // Each 32-key chunk of the range is one unit for each of the CTA's query warps.
        const double units = static_cast<double>(nw * ceil_div(k1 - k0, 32));
        w.instr = units * (s.attention_mma.instr + mmas * s.attention_mma_instr_per_mma);
        w.service = issue(s, w.instr);
        // A warp takes one chunk per tile (two when NS = 1), three passes per tile.
        const double per_tile = static_cast<double>(keys_per_tile / 32 / ns);
        w.latency = static_cast<double>(ks.tiles) * per_tile *
                    (s.attention_mma.latency + mmas * s.attention_mma_latency_per_mma);
        w.macs = 5.0 * static_cast<double>((q1 - q0) * (k1 - k0) * dh);  // QK^T in each pass, P·V as hi + lo
    };
    return k;
}

// 128 x BN output tiles (BN 16..128 by N, halved while the grid leaves SMs idle), 8 warps, K in stages of
// 64 through a 4-stage cp.async ring; requantization in the epilogue. Cost unit: MACs of whole tiles at
// `efficiency` of the SM's int8 rate, latency per K stage, epilogue instr per 32 outputs.
KernelLaunch gemm_chain(const KernelShape& sh, const Spec& s) {
    constexpr int64_t bm = 128, bk = 64;
    int64_t bn = sh.n <= 16 ? 16 : (sh.n <= 32 ? 32 : (sh.n <= 64 ? 64 : 128));
    const int64_t tiles_m = ceil_div(sh.m, bm);
    while (bn > 32 && tiles_m * ceil_div(sh.n, bn) < s.sms) bn /= 2;
    KernelLaunch k;
    k.kind = sh.kind;
    k.threads = 256;
    k.tensor_cores = true;
    const int64_t gx = ceil_div(sh.n, bn);
    k.grid = gx * tiles_m;
    const int64_t out_stride = (bn / 16) % 2 == 0 ? bn + 16 : bn + 32;
    k.smem = std::max<int64_t>(4 * (bm * bk + bn * bk), bm * out_stride);
    k.regs = bn == 128 ? 122 : bn == 64 ? 80 : 60;
    occupancy(k, s);
    const int64_t ktiles = ceil_div(sh.k, bk);
    k.chunks = std::clamp<int64_t>(ktiles, 1, 8);
    k.fixed_cycles = s.cycles_of_ns(s.gemm_mma.fixed_ns);
    const double rate = s.int8_macs_per_cycle * s.gemm_mma_efficiency;
    // One m16n8k32 per 4096 MACs.
    k.geo.bm = bm;
    k.geo.bn = bn;
    k.geo.bk = bk;
    k.geo.gx = gx;
    k.geo.ktiles = ktiles;
    const GemmTiles tiles{k.geo, k.chunks, rate, s.gemm_mma.latency, s.gemm_mma.instr, 4096.0};
    k.work = [=, &s](int64_t cta, int64_t c, ChunkWork& w) { gemm_tile_chunk(sh, s, tiles, cta, c, w); };
    return k;
}

}  // namespace ssmsim::gpu
