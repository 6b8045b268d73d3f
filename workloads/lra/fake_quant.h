// The per-op sensitivity of int8 post-training quantization (docs/accuracy.md, "Quantization quality"):
// a float32 run in which only the chosen op kinds are put on the int8 grid the quantizer gives them, so that
// each kind's share of the int8 accuracy loss can be measured on its own.
#pragma once

#include <set>
#include <string>

#include "sim/trace/trace.h"
#include "workloads/lra/quantize.h"

namespace ssmsim::workloads {

// Op kinds whose int8 weight (input 1) the quantizer scales per tensor to max |w| / 127.
bool has_int8_weight(const std::string& kind);

// Rounds, in `data`, the int8 weights of every op of `kinds` to their int8 grid (per-tensor max |w| / 127,
// as the quantizer's weight8). A weight shared with an op of another kind is rounded too.
void fake_quantize_weights(const Trace& float_trace, TensorStore& data, const std::set<std::string>& kinds);

// Runs the float32 trace with the outputs of every op of `kinds` rounded to their int8 activation grid:
// max |x| / 127 from `absmax` (calibrate() on the calibration example, as quantize() uses it), saturating
// at +-127. Outputs that stay wider than int8 in the contract (the classifier's int32 logits) are left as
// they are. Returns the trace's outputs.
TensorStore run_fake_quant(const Trace& float_trace, TensorStore data, const std::set<std::string>& kinds,
                           const AbsMax& absmax);

}  // namespace ssmsim::workloads
