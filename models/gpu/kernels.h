// Lowering: each trace op becomes the launch that kernels/ makes for it (kernels/harness/op_dispatch.cpp
// picks the entry point): its grid, CTA size, shared memory, registers and hence occupancy, and for every
// CTA its work as a few chunks. A chunk is what one CTA does between two points where it waits: the tile
// loads it issues (L2 transactions), the issue slots it occupies on its SM (service) and the dependent
// latency it adds (latency). docs/models/gpu.md ("Lowering") states every rule here.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/gpu/spec.h"

namespace ssmsim::gpu {

enum class KernelKind {
    gemm_i8,
    gemm_f32,
    lut_i8,
    mul_i8,
    add_i8,
    gate_i8,
    requant_i32,
    map_f32,
    copy,
    conv1d_i8,
    conv1d_f32,
    norm_i8,
    norm_f32,
    selective_scan_i8,
    s4d_scan_i8,
    selective_scan_f32,
    s4d_scan_f32,
    attention_i8,
    attention_f32,
    pool,
    embedding,
    none,  // nothing to launch (an empty tensor)
};

const char* kernel_name(KernelKind k);

// The launch parameters of one op, as the host entry point of kernels/ computes them. Tensor ids name the
// operands for the L2 (one id per tensor of the run); a role a kernel lacks is left at kNoTensor.
inline constexpr uint32_t kNoTensor = UINT32_MAX;
struct KernelShape {
    KernelKind kind = KernelKind::none;
    int64_t m = 0, n = 0, k = 0;                    // linear / classifier: y[m, n] = x[m, k] w[n, k]^T
    int64_t batch = 0, len = 0, ch = 0, state = 0;  // scans, conv1d, pool, attention (ch = width)
    int64_t taps = 0, heads = 0, table = 0;         // conv taps, attention heads, exp table entries
    bool causal = false, gated = false, center = false;
    int64_t elements = 0;                                 // elementwise ops, norms (rows * d), embedding rows
    int64_t d = 0;                                        // norms: row length; embedding: row bytes
    int64_t in_bytes = 1, out_bytes = 1;                  // bytes per element of the data operands
    uint32_t in[3] = {kNoTensor, kNoTensor, kNoTensor};   // main data operands in the kernel's order
    uint32_t aux[3] = {kNoTensor, kNoTensor, kNoTensor};  // scans: B, C, z; attention: v
    uint32_t out = kNoTensor;
};

// A strided set of byte ranges of one tensor: [lo + i * stride, hi + i * stride) for i < count.
struct Access {
    uint32_t tensor = kNoTensor;
    int64_t lo = 0, hi = 0, stride = 0, count = 1;
    bool write = false;
    double fraction = 1;  // share of each range actually moved (a CTA's channels of a whole row)
    double bytes() const { return static_cast<double>((hi - lo) * count) * fraction; }
};

struct ChunkWork {
    std::vector<Access> loads, stores;
    double service = 0;  // SM cycles of issue (shared by the CTAs resident on the SM)
    double latency = 0;  // cycles of dependent latency after the service
    double instr = 0;    // warp instructions (energy, utilisation)
    double macs = 0;     // tensor-core or FMA multiply-accumulates
    // Rounds of loads the CTA waits for one after another inside the chunk (a scan's time steps): each
    // adds the latency of an L2 hit, or of HBM in the share of the chunk's bytes that missed.
    double dependent_loads = 0;
    void clear() {
        loads.clear();
        stores.clear();
        service = latency = instr = macs = dependent_loads = 0;
    }
};

// How a launch divides its op among CTAs and chunks, as the kernel's host code does. The lowering sets it;
// the timing (`work`) and the functional datapath (datapath.h) both read it through geometry.h, so a wrong
// split moves wrong bytes and computes wrong outputs. Fields a kernel does not use stay 0.
struct Geometry {
    int64_t units = 0, per_unit = 0;                     // grid-stride: units of per_unit elements
    int64_t bm = 0, bn = 0, bk = 0, gx = 0, ktiles = 0;  // GEMM: output tiles (gx across N), K tiles
    int64_t cpb = 0, cblocks = 0, lanes = 1;             // scans: channels per CTA, CTAs per batch, lanes
    int64_t step_chunk = 0;  // scans: steps per kernel chunk (0: the steps split evenly over chunks)
    int64_t rows = 0, qtiles = 0, key_tile = 0;  // attention: queries per CTA, CTAs per head, keys per tile
    int64_t items = 0;                           // norm, embedding: rows shared out over the grid
};

struct KernelLaunch {
    KernelKind kind = KernelKind::none;
    Geometry geo;
    int64_t grid = 0;
    int64_t threads = 0, smem = 0, regs = 0;
    int64_t ctas_per_sm = 0;
    std::string occupancy_limit;  // what bounds ctas_per_sm: threads, ctas, smem, registers
    int64_t chunks = 1;           // per CTA
    double fixed_cycles = 0;      // prologue/epilogue of the launch
    bool tensor_cores = false;    // macs are int8 tensor-core MACs (else CUDA-core FMAs)
    std::function<void(int64_t cta, int64_t chunk, ChunkWork&)> work;
};

// Which unit a launch's macs run on, for their energy: tensor cores, int8 multiply-adds on CUDA cores
// (the int8 scans' state updates, conv1d taps), or float FMAs.
enum class MacUnit { tensor, int8_alu, fp32 };
inline MacUnit mac_unit(const KernelLaunch& k) {
    if (k.tensor_cores) return MacUnit::tensor;
    const bool i8 = k.kind == KernelKind::selective_scan_i8 || k.kind == KernelKind::s4d_scan_i8 ||
                    k.kind == KernelKind::conv1d_i8;
    return i8 ? MacUnit::int8_alu : MacUnit::fp32;
}

// Refuses shapes the CUDA kernels refuse (attention beyond its shared memory, too many rows for one
// launch) with InputError, as the harness would.
KernelLaunch lower(const KernelShape& shape, const Spec& spec);

}  // namespace ssmsim::gpu
