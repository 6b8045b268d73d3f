// The GPU's parameters, parsed and range-checked from the resolved config before anything runs (parse
// first, then construct). docs/models/gpu.md lists every key with its source; the `kernels` section holds
// the per-kernel costs calibrated on half of reference/gpu-timings/h100.csv.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "sim/config/hw_config.h"

namespace ssmsim::gpu {

// Costs of one kernel of kernels/ that its code fixes but the hardware description cannot: warp
// instructions per unit of work (issue slots) and dependent latency per unit of work (cycles).
struct KernelCost {
    double instr = 0;     // warp instructions per unit (see the kernel's lowering for its unit)
    double latency = 0;   // cycles of dependent latency per unit along one CTA's critical path
    double fixed_ns = 0;  // prologue and epilogue of the whole launch (first loads, tail stores, drain)
};

struct ScanCost {
    double step_latency = 0;   // cycles per time step of one channel group, S = 1 state per lane
    double state_latency = 0;  // extra cycles per step for each further state per lane
    double level_latency = 0;  // extra cycles per step for each shuffle level (log2 of the group width)
    double step_instr = 0;     // warp instructions per step and warp, S = 1
    double state_instr = 0;    // extra warp instructions per step and warp for each further state
    double fixed_ns = 0;
};

// Costs of the warp-specialized selective scan (kernels/scan_selective_split.cu, generation "34fa29c"): chain
// warps that only step h, helper groups that prepare the next chunk's terms and reduce the last chunk's
// outputs; the stages meet at one barrier per 32-step chunk, so a chunk takes the slower of the two.
struct SplitScanCost {
    double step_latency = 0;     // cycles per step of the chain warps (the chain, reading its terms)
    double move_latency = 0;     // cycles per step added to the stage that moves the inputs from memory
    double helper_latency = 0;   // helper cycles per step of one group's share (a group takes 1/H of them)
    double channel_latency = 0;  // ... plus this per channel of the block (its outputs and channel inputs)
    double state_latency = 0;    // ... plus this per state (its B and C, and the reduction over the states)
    double chunk_latency = 0;    // cycles per chunk: the barrier and the stages' turnaround
    double step_instr = 0;       // warp instructions per step and warp of the block (issue slots)
    double fixed_ns = 0;
};
// Its config keys under kernels.selective_scan_i8_split, in the order the calibration fits them.
inline constexpr std::array<std::pair<const char*, double SplitScanCost::*>, 8> kSplitScanKeys{{
    {"step_latency", &SplitScanCost::step_latency},
    {"move_latency", &SplitScanCost::move_latency},
    {"helper_latency", &SplitScanCost::helper_latency},
    {"channel_latency", &SplitScanCost::channel_latency},
    {"state_latency", &SplitScanCost::state_latency},
    {"chunk_latency", &SplitScanCost::chunk_latency},
    {"step_instr", &SplitScanCost::step_instr},
    {"fixed_ns", &SplitScanCost::fixed_ns},
}};

struct Spec {
    std::string name;
    double clock_hz = 1.98e9;
    // streaming multiprocessors
    int64_t sms = 132;
    int64_t max_threads_per_sm = 2048, max_ctas_per_sm = 32, registers_per_sm = 65536;
    int64_t smem_per_sm = 0, smem_per_cta = 0, smem_reserved_per_cta = 0;
    double issue_per_cycle = 4;  // warp instructions per cycle and SM (one per scheduler)
    double int8_macs_per_cycle = 0, bf16_macs_per_cycle = 0, fp32_fmas_per_cycle = 0;  // per SM
    // L2
    int64_t l2_bytes = 0, l2_partitions = 2, l2_block_bytes = 4096;
    double l2_bytes_per_cycle = 0;                  // all partitions together
    double l2_hit_latency = 0, l2_far_latency = 0;  // cycles; far: extra for the other partition
    // HBM
    double hbm_bytes_per_cycle = 0;
    double hbm_latency = 0;  // cycles
    // launches
    // The gap the model charges before each kernel: a CUDA Graph node's (a whole trace, as `ssmsim-cuda run
    // --graph` and users run it). The other two are how the calibration data were taken: the kernel grid back
    // to back in one stream, per-op times with an event pair around each op (h200-launch.json).
    double launch_cycles = 0;
    double stream_launch_cycles = 0, event_launch_cycles = 0;
    double cta_launch_cycles = 0;  // from a slot freeing to the next CTA starting in it
    // energy
    double int8_mac_pj = 0, fp32_fma_pj = 0, instr_pj = 0, l2_pj_per_byte = 0, hbm_pj_per_byte = 0;
    double static_pj_per_cycle = 0;
    double cuda_core_mac_pj = 0;  // an int8 multiply-add of a CUDA-core kernel with the instructions around
                                  // it: a scan state update, a conv1d tap
    double sm_active_pj_per_cycle = 0;  // per SM-cycle with a CTA's work in service (idle SMs are gated)
    // per-kernel costs (calibrated)
    KernelCost gemm_i8, gemm_f32, lut_i8, mul_i8, add_i8, gate_i8, requant_i32, map_f32, copy, conv1d, norm,
        attention, pool, embedding;
    double gemm_i8_efficiency = 1, gemm_f32_efficiency = 1;  // fraction of the SM's peak MAC rate reached
    // The norm kernel's cost per row of one warp, beside its cost per 32-element step: the warp reductions
    // and the reciprocal square root, which do not shrink with the row (kernels/norm.cu).
    double norm_row_instr = 0, norm_row_latency = 0;
    ScanCost selective_i8, s4d_i8, selective_f32, s4d_f32;
    // Which kernels of kernels/ the lowering describes (kernels.generation): "441b718", the kernels of the
    // H100 run (scans walking time in one block, one CTA per attention query, wmma GEMMs), or "67eb621" and
    // "34fa29c", the chain-bound scans, key-split mma attention and mma GEMMs (docs/gpu-kernels.md). The
    // *_fast and *_mma costs belong to those two: chain_kernels.
    bool chain_kernels = false;
    // Generation "34fa29c" (the kernels as of that commit) adds the warp-specialized selective scan that
    // scan_i8.cu takes when its blocks fit one wave; "67eb621" lowers every int8 selective scan to the
    // one-group kernel.
    bool split_selective = false;
    ScanCost s4d_i8_fast, selective_i8_fast;
    SplitScanCost selective_i8_split;
    KernelCost attention_mma, gemm_mma;
    // The mma attention's cost per unit grows with the tensor-core instructions the head width gives it
    // (models/gpu/kernels_chain.cpp, attention_mmas): instr + instr_per_mma · mmas, likewise latency.
    double attention_mma_instr_per_mma = 0, attention_mma_latency_per_mma = 0;
    double gemm_mma_efficiency = 1;

    double cycles_of_ns(double ns) const { return ns * 1e-9 * clock_hz; }
};

Spec parse_spec(const HwConfig& config);

}  // namespace ssmsim::gpu
