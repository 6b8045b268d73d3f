#include "models/gpu/spec.h"

namespace ssmsim::gpu {

namespace {

KernelCost parse_cost(const HwConfig& c, const std::string& k) {
    const std::string p = "kernels." + k + ".";
    KernelCost kc;
    kc.instr = c.number(p + "instr", 0, 1e9);
    kc.latency = c.number(p + "latency", 0, 1e9);
    kc.fixed_ns = c.number(p + "fixed_ns", 0, 1e9);
    return kc;
}

ScanCost parse_scan(const HwConfig& c, const std::string& k) {
    const std::string p = "kernels." + k + ".";
    ScanCost s;
    s.step_latency = c.number(p + "step_latency", 0, 1e9);
    s.state_latency = c.number(p + "state_latency", 0, 1e9);
    s.level_latency = c.number(p + "level_latency", 0, 1e9);
    s.step_instr = c.number(p + "step_instr", 0, 1e9);
    s.state_instr = c.number(p + "state_instr", 0, 1e9);
    s.fixed_ns = c.number(p + "fixed_ns", 0, 1e9);
    return s;
}

SplitScanCost parse_split(const HwConfig& c, const std::string& k) {
    SplitScanCost s;
    for (const auto& [key, field] : kSplitScanKeys) s.*field = c.number("kernels." + k + "." + key, 0, 1e9);
    return s;
}

}  // namespace

Spec parse_spec(const HwConfig& c) {
    Spec s;
    s.name = c.name();
    s.clock_hz = c.number("clock_hz", 1e6, 1e11);
    s.sms = c.integer("sm.count", 1, 4096);
    s.max_threads_per_sm = c.integer("sm.max_threads", 32, 1 << 16);
    s.max_ctas_per_sm = c.integer("sm.max_ctas", 1, 1024);
    s.registers_per_sm = c.integer("sm.registers", 1024, int64_t{1} << 24);
    s.smem_per_sm = c.integer("sm.smem_kib", 1, 1 << 20) * 1024;
    s.smem_per_cta = c.integer("sm.smem_per_cta_kib", 1, 1 << 20) * 1024;
    s.smem_reserved_per_cta = c.integer("sm.smem_reserved_per_cta_bytes", 0, 1 << 20);
    s.issue_per_cycle = c.number("sm.issue_per_cycle", 0.125, 64);
    s.int8_macs_per_cycle = c.number("sm.int8_macs_per_cycle", 1, 1e6);
    s.bf16_macs_per_cycle = c.number("sm.bf16_macs_per_cycle", 1, 1e6);
    s.fp32_fmas_per_cycle = c.number("sm.fp32_fmas_per_cycle", 1, 1e6);

    s.l2_bytes = c.integer("l2.kib", 1, int64_t{1} << 30) * 1024;
    s.l2_partitions = c.integer("l2.partitions", 1, 64);
    s.l2_block_bytes = c.integer("l2.block_bytes", 128, int64_t{1} << 24);
    s.l2_bytes_per_cycle = c.number("l2.bandwidth_gb_s", 0.001, 1e6) * 1e9 / s.clock_hz;
    s.l2_hit_latency = c.number("l2.hit_latency_cycles", 0, 1e6);
    s.l2_far_latency = c.number("l2.far_latency_cycles", 0, 1e6);

    s.hbm_bytes_per_cycle = c.number("hbm.bandwidth_gb_s", 0.001, 1e6) * 1e9 / s.clock_hz;
    s.hbm_latency = s.cycles_of_ns(c.number("hbm.latency_ns", 0, 1e6));

    s.launch_cycles = s.cycles_of_ns(c.number("launch.kernel_ns", 0, 1e7));
    s.stream_launch_cycles = s.cycles_of_ns(c.number("launch.stream_kernel_ns", 0, 1e7));
    s.event_launch_cycles = s.cycles_of_ns(c.number("launch.event_kernel_ns", 0, 1e7));
    s.cta_launch_cycles = c.number("launch.cta_cycles", 0, 1e6);

    s.int8_mac_pj = c.number("energy.int8_mac_pj", 0, 1e3);
    s.fp32_fma_pj = c.number("energy.fp32_fma_pj", 0, 1e3);
    s.instr_pj = c.number("energy.warp_instr_pj", 0, 1e4);
    s.l2_pj_per_byte = c.number("energy.l2_pj_per_byte", 0, 1e4);
    s.hbm_pj_per_byte = c.number("energy.hbm_pj_per_byte", 0, 1e4);
    s.sm_active_pj_per_cycle = c.number("energy.sm_active_pj_per_cycle", 0, 1e6);
    s.cuda_core_mac_pj = c.number("energy.cuda_core_mac_pj", 0, 1e3);
    s.static_pj_per_cycle = c.number("energy.static_w", 0, 1e5) / s.clock_hz * 1e12;

    s.gemm_i8 = parse_cost(c, "gemm_i8");
    s.gemm_i8_efficiency = c.number("kernels.gemm_i8.efficiency", 1e-3, 1);
    s.gemm_f32 = parse_cost(c, "gemm_f32");
    s.gemm_f32_efficiency = c.number("kernels.gemm_f32.efficiency", 1e-3, 1);
    s.lut_i8 = parse_cost(c, "lut_i8");
    s.mul_i8 = parse_cost(c, "mul_i8");
    s.add_i8 = parse_cost(c, "add_i8");
    s.gate_i8 = parse_cost(c, "gate_i8");
    s.requant_i32 = parse_cost(c, "requant_i32");
    s.map_f32 = parse_cost(c, "map_f32");
    s.copy = parse_cost(c, "copy");
    s.conv1d = parse_cost(c, "conv1d");
    s.norm = parse_cost(c, "norm");
    s.norm_row_instr = c.number("kernels.norm.row_instr", 0, 1e9);
    s.norm_row_latency = c.number("kernels.norm.row_latency", 0, 1e9);
    s.attention = parse_cost(c, "attention");
    s.pool = parse_cost(c, "pool");
    s.embedding = parse_cost(c, "embedding");
    s.selective_i8 = parse_scan(c, "selective_scan_i8");
    s.s4d_i8 = parse_scan(c, "s4d_scan_i8");
    s.selective_f32 = parse_scan(c, "selective_scan_f32");
    s.s4d_f32 = parse_scan(c, "s4d_scan_f32");
    const std::string generation = c.choice("kernels.generation", {"441b718", "67eb621", "34fa29c"});
    s.chain_kernels = generation != "441b718";
    s.split_selective = generation == "34fa29c";
    if (s.split_selective) s.selective_i8_split = parse_split(c, "selective_scan_i8_split");
    s.s4d_i8_fast = parse_scan(c, "s4d_scan_i8_fast");
    s.selective_i8_fast = parse_scan(c, "selective_scan_i8_fast");
    s.attention_mma = parse_cost(c, "attention_mma");
    s.attention_mma_instr_per_mma = c.number("kernels.attention_mma.instr_per_mma", 0, 1e9);
    s.attention_mma_latency_per_mma = c.number("kernels.attention_mma.latency_per_mma", 0, 1e9);
    s.gemm_mma = parse_cost(c, "gemm_mma");
    s.gemm_mma_efficiency = c.number("kernels.gemm_mma.efficiency", 1e-3, 1);
    return s;
}

}  // namespace ssmsim::gpu
