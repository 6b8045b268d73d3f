// Post-training quantization of a float32 trace into the integer contract (docs/workloads.md,
// "Quantization"): per-tensor symmetric int8 weights, activation scales from a calibration run (max |x|),
// and for every op the integer attributes and tables that docs/numerics.md defines.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "sim/trace/trace.h"

namespace ssmsim::workloads {

// max |x| of every activation, from a float32 run (Calibration::observe fills it).
using AbsMax = std::map<std::string, double>;

// Runs the float32 trace on its data and records max |x| of every op output and float32 graph input.
AbsMax calibrate(const Trace& float_trace, const TensorStore& float_data);

// Why the quantizer cannot take `op` of a float32 trace (what it takes, what it found), or nothing when it
// can: `ssmsim quantize` names the op before anything runs.
struct Refusal {
    std::string expected;
    std::string found;
};
std::optional<Refusal> unquantizable(const OpDecl& op);

struct QuantizedTrace {
    Trace trace;
    TensorStore data;
    // The real value of one integer step of each tensor the quantizer scaled (activations and weights), as
    // it chose it: calibrated max |x| / 127 for most outputs, a fixed or derived scale where the op sets it.
    std::map<std::string, double> scales;
};

// `absmax` must hold every activation of `float_trace` (it may come from a shorter calibration trace with
// the same tensor names).
QuantizedTrace quantize(const Trace& float_trace, const TensorStore& float_data, const AbsMax& absmax);

// The int8 trace of `float_trace` (declarations only: float_trace carries no data) without calibrating:
// the same ops, tensors, dtypes, shapes and table sizes as quantize() would give, and therefore the same
// timing, for timing-only runs. The integer attributes (mult, shift, eps, ...) are placeholders: valid for
// the schema, not calibrated; the timing models read them only when they compute (with data).
Trace quantize_shapes(const Trace& float_trace);

// r ~= mult / 2^shift with mult <= max_mult as large as possible (most precision), shift in [0, 62].
struct Multiplier {
    int64_t mult;
    int shift;
};
Multiplier quant_multiplier(double r, int64_t max_mult);

}  // namespace ssmsim::workloads
