// The neuron programs the model runs itself (docs/models/neuromorphic.md, "Neuron microcode"). Each works
// on the values the receiving neurons reconstruct from their sigma-delta spikes, so threshold 0 computes
// the contract's result and a threshold above 0 computes what the chip would with the lossy stream.
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
#pragma once

#include <cstdint>

#include "models/neuromorphic/schedule.h"
#include "reference/op_view.h"

namespace ssmsim::neuromorphic {

// linear / classifier, rows processed in `reverse` token order (any order gives the same integers).
void dense_neurons(reference::OpView& v, const TimeAxis& axis, bool reverse);
void s4d_neurons(reference::OpView& v);
void selective_neurons(reference::OpView& v);

// The contract's runtime value checks of the ops above (docs/numerics.md), with the reference's messages.
void check_native_values(reference::OpView& v);

}  // namespace ssmsim::neuromorphic
