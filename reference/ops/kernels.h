// The reference kernels, one per op kind. Each reads its inputs from an OpView and writes its outputs,
// following docs/numerics.md literally: plain loops, the contract's reduction order, no shortcuts.
#pragma once

#include <string>

#include "reference/op_view.h"

namespace ssmsim::reference {

std::string fmt_range(int64_t lo, int64_t hi);

void embedding(OpView& v);
void linear(OpView& v);
void conv1d_causal_depthwise(OpView& v);
void pool(OpView& v);
void classifier(OpView& v);
void reshape(OpView& v);
void lut_silu(OpView& v);
void lut_softplus(OpView& v);
void lut_exp(OpView& v);
void lut_gelu(OpView& v);
void lut_relu(OpView& v);
void lut_sigmoid(OpView& v);
void mul(OpView& v);
void add(OpView& v);
void gate(OpView& v);
void rmsnorm(OpView& v);
void layernorm(OpView& v);
void selective_scan(OpView& v);
void s4d_scan(OpView& v);
void attention(OpView& v);

}  // namespace ssmsim::reference
