// The systolic accelerator's parameters, parsed and range-checked from the resolved config before any
// module is configured (parse first, then construct). docs/models/systolic.md lists them with sources.
#pragma once

#include <cstdint>
#include <string>

#include "sim/config/hw_config.h"

namespace ssmsim::systolic {

enum class Dataflow { ws, os };
enum class ScanOrder { automatic, chunk_outer, group_outer };

struct SramSpec {
    int64_t bytes = 0;
    int64_t banks = 0, ports = 0, bank_bytes_per_cycle = 0;
    double read_pj_per_byte = 0, write_pj_per_byte = 0;
    int64_t bytes_per_cycle() const { return banks * ports * bank_bytes_per_cycle; }
};

struct Spec {
    std::string name;
    double clock_hz = 1e9;
    // array
    int64_t rows = 32, cols = 32;
    Dataflow dataflow = Dataflow::ws;
    int64_t accumulator_bytes = 0;
    double mac_pj = 0, idle_pe_pj = 0;
    // scan unit
    std::string scan_unit = "tlm";
    int64_t lanes = 64, scan_depth = 4, scan_output_latency = 6, chunk_len = 256;
    ScanOrder scan_order = ScanOrder::automatic;
    double scan_update_pj = 0;
    // vector unit
    int64_t vector_lanes = 32, vector_depth = 4;
    double vector_op_pj = 0;
    // memories
    SramSpec weights, activations, state;
    double dram_bytes_per_cycle = 0;
    int64_t dram_latency_cycles = 0;
    double dram_pj_per_byte = 0;
    int64_t dma_buffers = 2;
    bool sram_energy_from_size = false;  // sram.cost_model = "cacti-28nm"
    double sram_area_mm2 = 0;            // the three SRAMs, from the 28 nm table
    double static_pj_per_cycle = 0;
};

Spec parse_spec(const HwConfig& config);

const char* dataflow_name(Dataflow d);

}  // namespace ssmsim::systolic
