// Trace op -> the kernels/ launch it dispatches to (kernels/harness/op_dispatch.cpp, mirrored rule for rule).
#pragma once

#include "models/gpu/kernels.h"
#include "sim/trace/trace.h"

namespace ssmsim::gpu {

// Tensor ids are indices into trace.tensors.
KernelShape shape_of(const Trace& trace, const OpDecl& op);

}  // namespace ssmsim::gpu
