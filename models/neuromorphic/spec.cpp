#include "models/neuromorphic/spec.h"

#include "sim/util/error.h"

namespace ssmsim::neuromorphic {

Spec parse_spec(const HwConfig& c) {
    Spec s;
    s.name = c.name();
    s.clock_hz = c.number("clock_hz", 1e6, 1e11);
    s.cores_per_chip = c.integer("chip.cores", 1, 1 << 16);
    s.mesh_x = c.integer("chip.mesh_x", 1, 1 << 10);
    s.mesh_y = c.integer("chip.mesh_y", 1, 1 << 10);
    if (s.mesh_x * s.mesh_y < s.cores_per_chip) {
        throw InputError("config '" + s.name + "': chip.mesh_x * chip.mesh_y",
                         "at least chip.cores = " + std::to_string(s.cores_per_chip),
                         std::to_string(s.mesh_x * s.mesh_y));
    }
    s.neurons_per_core = c.integer("chip.neurons_per_core", 1, 1 << 24);
    s.synapse_bytes_per_core = c.integer("chip.synapse_kib_per_core", 1, 1 << 20) * 1024;
    s.x86_cores = c.integer("chip.x86_cores", 0, 1024);
    s.chips = c.integer("system.chips", 1, 1 << 14);
    s.threshold = c.integer("sigma_delta.threshold", 0, 255);
    s.payload_bits = c.integer("spike.payload_bits", 9, 32);  // an int8 delta needs 9 bits
    s.synop_ns = c.number("core.synop_ns", 0, 1e6);
    s.neuron_update_ns = c.number("core.neuron_update_ns", 0, 1e6);
    s.spike_ns = c.number("core.spike_ns", 0, 1e6);
    s.hop_ns = c.number("noc.hop_ns", 0, 1e6);
    s.chip_link_ns = c.number("noc.chip_link_ns", 0, 1e9);
    s.barrier_ns_per_hop = c.number("noc.barrier_ns_per_hop", 0, 1e6);
    s.synop_pj = c.number("energy.synop_pj", 0, 1e6);
    s.neuron_update_pj = c.number("energy.neuron_update_pj", 0, 1e6);
    s.spike_pj = c.number("energy.spike_pj", 0, 1e6);
    s.hop_pj = c.number("energy.hop_pj", 0, 1e6);
    s.chip_link_pj = c.number("energy.chip_link_pj", 0, 1e9);
    s.barrier_pj_per_core = c.number("energy.barrier_pj_per_core", 0, 1e6);
    s.buffer_pj_per_byte = c.number("energy.buffer_pj_per_byte", 0, 1e6);
    s.static_mw_per_chip = c.number("energy.static_mw_per_chip", 0, 1e6);
    s.x86_hz = c.number("x86.clock_mhz", 1, 1e5) * 1e6;
    s.x86_ops_per_cycle = c.number("x86.ops_per_cycle", 1e-3, 1e4);
    s.x86_pj_per_op = c.number("x86.pj_per_op", 0, 1e6);
    s.attention = c.choice("fallback.attention", {"x86", "error"}) == "x86" ? AttentionFallback::x86
                                                                            : AttentionFallback::error;
    s.compare_with_reference = c.boolean("report.compare_with_reference");
    return s;
}

}  // namespace ssmsim::neuromorphic
