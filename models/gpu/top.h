// The GPU as SystemC modules: the SM array, the partitioned L2 and HBM are TLM-2.0 targets (memory.h);
// the controller is an SC_THREAD that runs the stream's kernels one after another. For each launch it
// dispatches CTAs into the SMs' slots (ctas_per_sm each; a freed slot takes the next CTA, so waves and
// their tails follow), and walks the resident CTAs' chunks in the order of their ready times: tile loads
// through the L2 (hits, misses to HBM), then the chunk's issue slots on its SM, the next chunk's loads
// already in flight (double buffering), stores retired into the L2.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>

#include "models/gpu/kernels.h"
#include "models/gpu/memory.h"
#include "models/gpu/spec.h"
#include "sim/sc/job_runner.h"
#include "sim/timing/energy.h"
#include "sim/timing/timeline.h"

namespace ssmsim::gpu {

struct OpItem {
    std::string name, kind;
    KernelShape shape;
    std::function<void(const KernelLaunch&)> functional;  // computes the op's outputs (empty: timing only)
    std::vector<uint32_t> freed;  // tensors dead after this op: their L2 blocks go without write-back
    bool flush_l2 = false;        // empty the L2 first (independent measurements)
    double prefill_dirty = -1;    // >= 0: first fill the L2 with other data, this share dirty
};

struct OpResult {
    double start = 0, cycles = 0;
    KernelLaunch launch;  // work cleared; geometry kept
    int64_t waves = 0;
    double sm_busy = 0, macs = 0, instr = 0;
    L2Stats l2;
    double hbm_read = 0, hbm_write = 0, hbm_busy = 0;
    double energy_pj = 0;
};

struct GpuJob {
    const Spec* spec = nullptr;
    std::vector<OpItem>* items = nullptr;
    std::vector<int64_t> tensor_bytes;  // by tensor id, for the L2's partial blocks
    std::function<void(size_t)> progress;
    Timeline* timeline = nullptr;
    // results
    std::vector<OpResult> results;
    double cycles = 0;
    EnergyLedger energy;
};

class GpuTop : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(GpuTop);
    explicit GpuTop(sc_core::sc_module_name name);
    void run(GpuJob& job);

private:
    void controller();
    void execute(GpuJob& job);
    double run_kernel(const Spec& s, const KernelLaunch& k, double t0, OpResult& r);

    SmArray sms_;
    L2 l2_;
    Hbm hbm_;
    tlm_utils::simple_initiator_socket<GpuTop> to_sms_, to_l2_;
    sc::JobRunner<GpuJob> runner_;
};

}  // namespace ssmsim::gpu
