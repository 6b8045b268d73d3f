// The contract's runtime value checks (docs/numerics.md, "Runtime value checks"), with the reference's
// messages, made before an op runs by every implementation that walks ops its own way (the CUDA harness on
// host copies, the models' datapaths): a bad trace fails the same way everywhere.
#pragma once

#include <functional>

#include "sim/trace/trace.h"

namespace ssmsim {

// `input(i)` returns the host value of the op's input i. Throws InputError on the first bad value.
void check_op_values(const Trace& trace, const OpDecl& op, const std::function<const Tensor&(size_t)>& input);

// True when check_op_values reads input i of this op (the harness then needs its host value).
bool op_checks_input(const Trace& trace, const OpDecl& op, size_t i);

}  // namespace ssmsim
