// The neuron programs the model runs itself (docs/models/neuromorphic.md, "What the neurons compute"). Each
// works on the values the receiving neurons reconstruct from their sigma-delta spikes, so threshold 0
// computes the contract's result and a threshold above 0 computes what the chip would with the lossy stream.
// Every program walks its op the way the mapper and the schedule place it: timestep by timestep in the
// segment's token order, and within a timestep core by core over the output channels each core holds
// (Placement::on). A wrong range, a skipped timestep or a wrong direction therefore changes bytes.
//
// - dense (linear, classifier): one neuron per output. Synapses fire only on a graded spike: a change d of
//   input i adds w[o, i] * d to every output's accumulator, which therefore always holds sum_i w[o,i] x_i;
//   the neuron then requantizes (or reads out the int32 logit).
// - s4d_scan: one state neuron per (channel, state) pair with a self-connection of weight Abar (the decay)
//   and an input synapse of weight Bbar; one readout neuron per channel sums C h over its state neurons
//   (synapses inside the core), adds D x and requantizes.
// - selective_scan: the same state neurons, but Abar is not a weight: each update the neuron program looks
//   up exp(dt A) from the exp table in core memory with its own A and the channel's current dt, and adds
//   dt B_t x (three graded inputs multiplied in microcode). The readout uses C_t, a graded input too.
// - LUT ops, mul, add, gate: one neuron per channel, a program over the values that arrived this timestep.
// - conv1d_causal_depthwise: one neuron per channel with a delay line of its last `taps` inputs.
// - pool: one accumulating neuron per channel that fires once, after a sample's last token.
// - rmsnorm, layernorm: per timestep, each core sends the partial moments of its channels to the
//   reduction neuron, which broadcasts the row's scale back to the channel neurons.
// - embedding: the host injects each token; the output neurons read their column of the table.
// - reshape: no neurons; the spikes are relabelled (a copy).
#pragma once

#include <cstdint>
#include <vector>

#include "models/neuromorphic/mapper.h"
#include "models/neuromorphic/schedule.h"
#include "reference/op_view.h"

namespace ssmsim::neuromorphic {

// Where and in which order an op's neurons run.
struct OpPlan {
    const std::vector<CoreShare>& cores;  // each holds the output channels [lo, hi)
    TimeAxis axis;                        // the rows the neurons update, one per timestep (op_axis)
    bool reverse = false;                 // the segment feeds its tokens last to first
};

// Calls f(row, step) for every row of `a` in the order its segment feeds them: sample by sample, the tokens
// first to last, or last to first in a reverse segment. Step 0 is a sample's first timestep (state resets).
template <typename F>
void each_timestep(const TimeAxis& a, bool reverse, F&& f) {
    for (int64_t b = 0; b < a.batch; ++b) {
        for (int64_t s = 0; s < a.steps; ++s) f(b * a.steps + (reverse ? a.steps - 1 - s : s), s);
    }
}

// Calls f(row, channel) for every neuron of every core, timestep by timestep. (The programs read a core's
// range into locals, `end = core.hi`: an int8 store may alias it, which would stop the loop vectorizing.)
template <typename F>
void each_neuron(const OpPlan& p, F&& f) {
    each_timestep(p.axis, p.reverse, [&](int64_t row, int64_t) {
        for (const CoreShare& core : p.cores) {
            for (int64_t c = core.lo, end = core.hi; c < end; ++c) f(row, c);
        }
    });
}

void dense_neurons(reference::OpView& v, const OpPlan& p);
void s4d_neurons(reference::OpView& v, const OpPlan& p);
void selective_neurons(reference::OpView& v, const OpPlan& p);
void elementwise_neurons(reference::OpView& v, const OpPlan& p);  // LUT ops, mul, add, gate
void conv_neurons(reference::OpView& v, const OpPlan& p);
void pool_neurons(reference::OpView& v, const OpPlan& p);
void norm_neurons(reference::OpView& v, const OpPlan& p);  // rmsnorm, layernorm
void embedding_injection(reference::OpView& v, const OpPlan& p);
void relabel_spikes(reference::OpView& v);  // reshape

}  // namespace ssmsim::neuromorphic
