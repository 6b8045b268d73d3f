// The systolic accelerator as SystemC modules: the array, the scan unit, the vector unit and the DRAM
// channel are TLM-2.0 targets timed by occupancy (sim/sc/timed_unit.h); the controller is an SC_THREAD
// that walks the trace, asks the mapper for each op's tiles and issues their jobs through its initiator
// sockets: DMA loads into staging buffers (double buffered), compute, DMA stores.
#pragma once

#include <functional>

#include <tlm_utils/simple_initiator_socket.h>

#include "models/systolic/mapper.h"
#include "models/systolic/spec.h"
#include "sim/sc/job_runner.h"
#include "sim/sc/timed_unit.h"
#include "sim/timing/energy.h"
#include "sim/timing/timeline.h"

namespace ssmsim::systolic {

struct OpStats {
    uint64_t start = 0, cycles = 0;
    uint64_t busy[kUnits] = {0, 0, 0};
    uint64_t dram_busy = 0;
    int64_t dram_read = 0, dram_write = 0;
    double energy_pj = 0;
    uint64_t saturations = 0;
    OpPlan plan;  // tiles cleared after the op ran; totals and mapping kept
};

struct RunJob {
    const Spec* spec = nullptr;
    const Trace* trace = nullptr;
    FunctionalState* fn = nullptr;  // null: timing only
    // Functional runs that hash ops: op_output_sha256 of each op, set once its last tile has run.
    std::vector<std::string>* op_hashes = nullptr;
    std::function<void(size_t)> progress;
    // results
    std::vector<OpStats> ops;
    uint64_t cycles = 0;
    EnergyLedger energy;
    int64_t sram_peak = 0;
    Timeline* timeline = nullptr;
};

class SystolicTop : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(SystolicTop);
    explicit SystolicTop(sc_core::sc_module_name name);

    // Simulates the whole trace; returns when the kernel is idle again.
    void run(RunJob& job);

private:
    void controller();
    void execute(RunJob& job);
    uint64_t run_op(RunJob& job, Mapper& mapper, size_t i, uint64_t t0);

    sc::TimedUnit array_, scan_, vector_, dram_;
    tlm_utils::simple_initiator_socket<SystolicTop> to_array_, to_scan_, to_vector_, to_dram_;
    sc::JobRunner<RunJob> runner_;
};

}  // namespace ssmsim::systolic
