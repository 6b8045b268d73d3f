// Maps one trace op onto its CUDA kernel: reads shapes and attributes as the reference does (OpView),
// passes device pointers. Asynchronous; `clips` is the op's device saturation counter.
#pragma once

#include "kernels/harness/device_store.h"
#include "kernels/ops.h"

namespace ssmsim::cuda {

void launch_op(const Trace& trace, const OpDecl& op, const DeviceStore& store, DeviceTensor& out,
               Clips clips);

}  // namespace ssmsim::cuda
