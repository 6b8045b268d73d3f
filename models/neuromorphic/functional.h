// The data side of the neuromorphic model: runs the trace op by op on the values the neurons actually
// receive, encodes every op's output with sigma-delta before its consumers see it, and records the spike
// activity (per op, per input, per token) that drives the timing and energy of the SystemC replay (top.h).
// Timing-only runs have no data: their activity is dense (every value sent every timestep).
#pragma once

#include <functional>

#include <cstdint>
#include <string>
#include <vector>

#include "models/neuromorphic/mapper.h"
#include "models/neuromorphic/schedule.h"
#include "models/neuromorphic/spec.h"
#include "sim/trace/trace.h"

namespace ssmsim::neuromorphic {

struct Activity {
    // [op][input]: changes each row of the input brings, in the op's token order (empty for parameters).
    std::vector<std::vector<std::vector<int32_t>>> input_changes;
    std::vector<std::vector<int32_t>> output_spikes;  // [op]: spikes the op's neurons send per output row
    std::vector<uint64_t> saturations;                // [op]
    int64_t encoded_values = 0;  // activation values that crossed between neurons (dense count)
    int64_t spikes = 0;          // spikes that carried them
    int64_t max_payload = 0;     // largest |change| sent
    bool dense = false;          // timing-only: assumed, not measured
};

struct FunctionalResult {
    Activity activity;
    TensorStore outputs;                 // the trace's outputs
    std::vector<std::string> op_sha256;  // with hash_ops: each op's outputs as its consumers read them
};

// Runs the trace on `data` (the graph inputs), every op on the cores `mapping` gives it (datapath.h).
// With `hash_ops`, hashes each op's outputs (op_output_sha256) after the sigma-delta encoder: what the
// consumers read, which at threshold 0 is what the op computed.
// `on_op` (if set) is called with the number of ops done after each op (the progress bar).
FunctionalResult run_functional(const Trace& trace, const Schedule& schedule, const Mapping& mapping,
                                const Spec& spec, TensorStore data, bool hash_ops = false,
                                const std::function<void(size_t)>& on_op = {});

// The activity of a run without data: every input value changes every row, every output value is sent.
Activity dense_activity(const Trace& trace, const Schedule& schedule);

// Does input `k` of `op` carry activations (spikes), rather than parameters held in core memory?
bool is_activation_input(const Trace& trace, const OpDecl& op, size_t k);

}  // namespace ssmsim::neuromorphic
