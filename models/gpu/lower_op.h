// Trace op -> the kernels/ launch it dispatches to (kernels/harness/op_dispatch.cpp, mirrored rule for rule).
#pragma once

#include <cstdint>
#include <vector>

#include "models/gpu/kernels.h"
#include "sim/trace/trace.h"

namespace ssmsim::gpu {

// The L2's id of each tensor of trace.tensors (same positions): its rank among the tensors' names, so that a
// trace gives the same ids, hence the same cycles, in whatever order its tensors were loaded.
std::vector<uint32_t> tensor_ids(const Trace& trace);

// `ids` from tensor_ids(trace).
KernelShape shape_of(const Trace& trace, const std::vector<uint32_t>& ids, const OpDecl& op);

}  // namespace ssmsim::gpu
