// One op of the trace computed the way the model places it (docs/models/neuromorphic.md, "What the neurons
// compute"): on the neurons of its cores (neurons.h), in its segment's token order, with the contract's
// runtime value checks first; attention on the embedded x86 cores.
#pragma once

#include <cstdint>

#include "models/neuromorphic/mapper.h"
#include "models/neuromorphic/schedule.h"
#include "sim/trace/trace.h"

namespace ssmsim::neuromorphic {

// Computes op `i` of `trace` from the values in `store` and puts its outputs there; returns the op's
// saturation count. Throws InputError on a value the contract refuses, with the reference's message.
uint64_t run_op(const Trace& trace, size_t i, const Schedule& schedule, const Placement& place,
                TensorStore& store);

}  // namespace ssmsim::neuromorphic
