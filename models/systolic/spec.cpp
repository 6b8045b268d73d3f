#include "models/systolic/spec.h"

#include <cmath>

#include "sim/cost/sram_cost.h"

#include "models/systolic/scan_engine.h"
#include "sim/util/error.h"
#if SSMSIM_HAVE_RTL
#include "rtl/scan_unit_config.h"
#endif

namespace ssmsim::systolic {

namespace {

SramSpec parse_sram(const HwConfig& c, const std::string& which) {
    const std::string p = "sram." + which + ".";
    SramSpec s;
    s.bytes = c.integer(p + "kib", 1, int64_t{1} << 22) * 1024;  // up to 4 GiB
    s.banks = c.integer(p + "banks", 1, 1024);
    s.ports = c.integer(p + "ports", 1, 4);
    s.bank_bytes_per_cycle = c.integer(p + "bank_bytes_per_cycle", 1, 1024);
    s.read_pj_per_byte = c.number(p + "read_pj_per_byte", 0, 1e4);
    s.write_pj_per_byte = c.number(p + "write_pj_per_byte", 0, 1e4);
    return s;
}

// The Verilated unit is one fixed design: the config must describe it, so that the model's timing
// (scan_timing.h) is the RTL's; the RTL engine checks every chunk's cycles against that timing.
void check_rtl_scan_unit(const HwConfig& c) {
    if (const RtlScanOverride* o = rtl_scan_override()) {  // a user's unit (ssmsim rtl verify)
        try {
            c.integer("scan.lanes", o->lanes, o->lanes);
            c.integer("scan.pipeline_depth", o->depth, o->depth);
            c.integer("scan.output_latency", o->output_latency, o->output_latency);
        } catch (const InputError& e) {
            throw InputError(std::string(e.what()) + " (scan.unit \"rtl\" is the design under test: " +
                             std::to_string(o->lanes) + " lanes, pipeline depth " + std::to_string(o->depth) +
                             ", output latency " + std::to_string(o->output_latency) + ")");
        }
        return;
    }
#if SSMSIM_HAVE_RTL
    using namespace rtl;
    try {
        c.integer("scan.lanes", kScanUnit.lanes, kScanUnit.lanes);
        c.integer("scan.pipeline_depth", kScanDepth, kScanDepth);
        c.integer("scan.output_latency", kScanOutputLatency, kScanOutputLatency);
    } catch (const InputError& e) {
        throw InputError(std::string(e.what()) +
                         " (scan.unit \"rtl\" is the Verilated unit: " + std::to_string(kScanUnit.lanes) +
                         " lanes, pipeline depth " + std::to_string(kScanDepth) + ", output latency " +
                         std::to_string(kScanOutputLatency) + ")");
    }
#else
    (void)c;
    make_rtl_scan_engine();  // throws: this build has no Verilator
#endif
}

}  // namespace

const char* dataflow_name(Dataflow d) { return d == Dataflow::ws ? "ws" : "os"; }

Spec parse_spec(const HwConfig& c) {
    Spec s;
    s.name = c.name();
    s.clock_hz = c.number("clock_hz", 1e6, 1e11);
    s.rows = c.integer("array.rows", 1, 4096);
    s.cols = c.integer("array.cols", 1, 4096);
    s.dataflow = c.choice("array.dataflow", {"ws", "os"}) == "ws" ? Dataflow::ws : Dataflow::os;
    s.accumulator_bytes = c.integer("array.accumulator_kib", 1, int64_t{1} << 20) * 1024;
    s.mac_pj = c.number("array.mac_pj", 0, 1e3);
    s.idle_pe_pj = c.number("array.idle_pe_pj", 0, 1e3);

    s.scan_unit = c.choice("scan.unit", {"tlm", "rtl"});
    if (s.scan_unit == "rtl") check_rtl_scan_unit(c);
    s.lanes = c.integer("scan.lanes", 1, 65536);
    s.scan_depth = c.integer("scan.pipeline_depth", 1, 64);
    s.scan_output_latency = c.integer("scan.output_latency", 0, 256);
    s.chunk_len = c.integer("scan.chunk_len", 1, int64_t{1} << 22);
    const std::string order = c.choice("scan.order", {"auto", "chunk_outer", "group_outer"});
    s.scan_order = order == "auto"          ? ScanOrder::automatic
                   : order == "chunk_outer" ? ScanOrder::chunk_outer
                                            : ScanOrder::group_outer;
    s.scan_update_pj = c.number("scan.update_pj", 0, 1e3);

    s.vector_lanes = c.integer("vector.lanes", 1, 65536);
    s.vector_depth = c.integer("vector.pipeline_depth", 1, 256);
    s.vector_op_pj = c.number("vector.op_pj", 0, 1e3);

    s.weights = parse_sram(c, "weights");
    s.activations = parse_sram(c, "activations");
    s.state = parse_sram(c, "state");
    // "config": the pJ/byte in the config; "cacti-28nm": from each SRAM's size (sim/cost/sram_cost.h), so
    // that sizing sweeps see a bigger SRAM cost more per access.
    s.sram_energy_from_size = c.choice("sram.cost_model", {"config", "cacti-28nm"}) == "cacti-28nm";
    const SramTechnology& tech = sram_technology_28nm();
    for (SramSpec* m : {&s.weights, &s.activations, &s.state}) {
        s.sram_area_mm2 += sram_area_mm2(tech, m->bytes);
        if (s.sram_energy_from_size) {
            m->read_pj_per_byte = sram_read_pj_per_byte(tech, m->bytes);
            m->write_pj_per_byte = sram_write_pj_per_byte(tech, m->bytes);
        }
    }

    const double gbps = c.number("dram.bandwidth_gb_s", 0.001, 1e5);
    s.dram_bytes_per_cycle = gbps * 1e9 / s.clock_hz;
    s.dram_latency_cycles =
        static_cast<int64_t>(std::ceil(c.number("dram.latency_ns", 0, 1e6) * 1e-9 * s.clock_hz));
    s.dram_pj_per_byte = c.number("dram.pj_per_byte", 0, 1e5);
    s.dma_buffers = c.integer("dma.buffers", 1, 2);
    s.static_pj_per_cycle = c.number("static_mw", 0, 1e6) * 1e-3 / s.clock_hz * 1e12;
    return s;
}

}  // namespace ssmsim::systolic
