// The mapper: which neurons and synapses each op needs, how they are partitioned onto neurocores and
// chips, and the event counts each timestep costs (docs/models/neuromorphic.md, "Mapping"). Each layer
// gets its own cores, as many as its neurons and synapse memory need, in trace order across the mesh and on
// to the next chip; the spare cores of the chips in use then go to the layers with the most work per core.
// A layer whose smallest indivisible unit (one neuron's synapses, one channel's state neurons) exceeds a
// core, or a trace that needs more chips than the system has, is refused with the numbers and the config
// key to change.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/neuromorphic/schedule.h"
#include "models/neuromorphic/spec.h"
#include "sim/trace/trace.h"

namespace ssmsim::neuromorphic {

enum class Unit { neurocores, x86, none };

// Events per timestep (row) of an op as functions of the changes (spikes) arriving on each input.
struct EventModel {
    std::vector<int64_t> synops_per_change;  // per input
    std::vector<int64_t> input_cores;        // per input: cores a spike must reach (messages per spike)
    int64_t dense_synops = 0;                // every row (readout synapses inside a core)
    int64_t updates_always = 0;              // neuron updates every row (stateful neurons decay)
    int64_t updates_per_change = 0;          // neurons woken per arriving change
    int64_t updates_on_any = 0;              // neurons updated when anything arrives (dense layers, norms)
    bool emits_at_end = false;               // pool: sends once, after the last token of a sample
};

struct CoreShare {
    int64_t core = 0;  // global index: chip * cores_per_chip + local
    double share = 0;  // fraction of the op's neurons and events on this core (the timing's)
    // The op's output channels whose neurons this core holds, [lo, hi): whole indivisible units, split as
    // evenly as they go. The data side (datapath.h) computes each channel on the core that holds it.
    int64_t lo = 0, hi = 0;
};

struct Placement {
    Unit unit = Unit::neurocores;
    int64_t neurons = 0, synapse_bytes = 0, replicated_bytes = 0, cores = 0;
    std::vector<CoreShare> on;
    EventModel events;
    TimeAxis axis;  // the op's rows (timesteps of data)
};

struct Mapping {
    std::vector<Placement> ops;
    int64_t cores_used = 0, chips_used = 0, neurons = 0, synapse_bytes = 0;
};

Mapping map_trace(const Trace& trace, const Spec& spec);

// The rows an op runs: embedding by its output, pool by its input, every other op by its output.
TimeAxis op_axis(const Trace& trace, const OpDecl& op);

struct Route {
    int64_t hops = 0, chip_crossings = 0;
};
Route route(const Spec& spec, int64_t from_core, int64_t to_core);

const char* unit_name(Unit u);

}  // namespace ssmsim::neuromorphic
