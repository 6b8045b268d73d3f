// The GPU model's functional side: an op's outputs computed CTA by CTA and chunk by chunk, as its launch
// divides the op (KernelLaunch::geo, read through geometry.h like the timing's `work`), with the contract's
// arithmetic from sim/numerics/contract_ops.h. A missing CTA, a wrong tile edge or a lost chunk of carried
// state changes the output bytes. docs/models/gpu.md ("What the model computes") lists each kernel's walk.
#pragma once

#include <cstdint>

#include "models/gpu/kernels.h"
#include "sim/trace/trace.h"

namespace ssmsim::gpu {

// Checks the op's input values (sim/ops/value_checks.h), computes its output into `store` and returns the
// saturation count.
uint64_t run_datapath(const KernelLaunch& launch, const KernelShape& shape, const Trace& trace,
                      const OpDecl& op, TensorStore& store);

}  // namespace ssmsim::gpu
