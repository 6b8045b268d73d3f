// The neuromorphic system as SystemC modules: the neurocore mesh, the network on chip, the barrier and the
// embedded x86 cores are TLM-2.0 targets timed by occupancy (sim/sc/timed_unit.h). The controller thread
// replays the run timestep by timestep: every core integrates the spikes that arrived and updates its
// neurons (the slowest core sets the pace), the spikes cross the mesh, and a barrier closes the timestep.
// Event counts come from the functional run's activity (functional.h); docs/models/neuromorphic.md
// ("Timing" and "Energy") gives every formula.
#pragma once

#include <functional>

#include <tlm_utils/simple_initiator_socket.h>

#include "models/neuromorphic/functional.h"
#include "models/neuromorphic/mapper.h"
#include "models/neuromorphic/schedule.h"
#include "models/neuromorphic/spec.h"
#include "sim/sc/job_runner.h"
#include "sim/sc/timed_unit.h"
#include "sim/timing/energy.h"
#include "sim/timing/timeline.h"

namespace ssmsim::neuromorphic {

struct OpStats {
    uint64_t start = 0, end = 0;  // cycles of its first and last timestep
    double busy_ns = 0;           // its busiest core's compute time, summed over timesteps
    int64_t rows = 0;
    double synops = 0, updates = 0, spikes_in = 0, spikes_out = 0, messages = 0, hop_messages = 0;
    double chip_messages = 0, x86_ops = 0;
    double energy_pj = 0;
};

// Where the spikes on one input of an op come from, and how long they travel.
struct InputRoute {
    Route route;
    double latency_ns = 0;
};

struct SegmentStats {
    uint64_t start = 0, end = 0;
    int64_t timesteps = 0;
};

struct RunJob {
    const Spec* spec = nullptr;
    const Trace* trace = nullptr;
    const Schedule* schedule = nullptr;
    const Mapping* mapping = nullptr;
    const Activity* activity = nullptr;
    std::function<void(size_t)> progress;  // segments done
    Timeline* timeline = nullptr;
    // results
    std::vector<OpStats> ops;
    std::vector<SegmentStats> segments;
    uint64_t cycles = 0;
    int64_t timesteps = 0;
    int64_t buffer_bytes = 0;
    EnergyLedger energy;
};

class NeuromorphicTop : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(NeuromorphicTop);
    explicit NeuromorphicTop(sc_core::sc_module_name name);

    void run(RunJob& job);

private:
    void controller();
    void execute(RunJob& job);
    uint64_t run_stream(RunJob& job, size_t seg, uint64_t t0);
    uint64_t run_host(RunJob& job, size_t seg, uint64_t t0);

    sc::TimedUnit cores_, noc_, barrier_, x86_;
    tlm_utils::simple_initiator_socket<NeuromorphicTop> to_cores_, to_noc_, to_barrier_, to_x86_;
    sc::JobRunner<RunJob> runner_;
    std::vector<std::vector<InputRoute>> routes_;  // [op][input], for the run in progress
};

}  // namespace ssmsim::neuromorphic
