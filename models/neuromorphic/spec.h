// The neuromorphic system's parameters, parsed and range-checked from the resolved config before anything
// runs (parse first, then construct). docs/models/neuromorphic.md lists each one with its source.
#pragma once

#include <cstdint>
#include <string>

#include "sim/config/hw_config.h"

namespace ssmsim::neuromorphic {

enum class AttentionFallback { x86, error };

struct Spec {
    std::string name;
    double clock_hz = 1e9;  // nominal: the chip is asynchronous; one cycle = 1 / clock_hz of modelled time
    // chip and system
    int64_t cores_per_chip = 128, mesh_x = 8, mesh_y = 16;
    int64_t neurons_per_core = 8192;
    int64_t synapse_bytes_per_core = 128 * 1024;
    int64_t x86_cores = 6;
    int64_t chips = 1;
    // encoding
    int64_t threshold = 0;  // sigma-delta: send when |x - last_sent| > threshold
    int64_t payload_bits = 24;
    // time per event, in ns
    double synop_ns = 0, neuron_update_ns = 0, spike_ns = 0;
    double hop_ns = 0, chip_link_ns = 0, barrier_ns_per_hop = 0;
    // energy per event, in pJ
    double synop_pj = 0, neuron_update_pj = 0, spike_pj = 0, hop_pj = 0, chip_link_pj = 0;
    double barrier_pj_per_core = 0, buffer_pj_per_byte = 0;
    double static_mw_per_chip = 0;
    // embedded x86 cores (fallback ops)
    double x86_hz = 0, x86_ops_per_cycle = 1, x86_pj_per_op = 0;
    AttentionFallback attention = AttentionFallback::x86;
    bool compare_with_reference = true;

    double cycles_per_ns() const { return clock_hz * 1e-9; }
};

Spec parse_spec(const HwConfig& config);

}  // namespace ssmsim::neuromorphic
