// Lookup-table generators of the numerics contract (docs/numerics.md, "Tables"). Traces carry the tables
// they use as tensors, so every implementation indexes the same bytes; these generators make them.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "sim/trace/tensor.h"

namespace ssmsim {

enum class LutFn { silu, softplus, exp, gelu, relu, sigmoid };

std::string_view lut_fn_name(LutFn f);
// The real function in double precision (the generators' definition).
double lut_fn_eval(LutFn f, double x);
// The same function in float32, for float32-mode traces.
float lut_fn_eval_f32(LutFn f, float x);

// int8[256]: entry i holds sat8(round_half_away(f((i - 128) * in_scale) / out_scale)).
Tensor make_lut8(LutFn f, double in_scale, double out_scale);

// int32[size], Q1.15: entry i holds round_half_away(32768 * exp(-i * step)). Entry 0 is 32768 (= 1.0).
Tensor make_exp_table(double step, int64_t size);

// Q1.15 reciprocal square roots of idx / 64 for idx in [64, 256): round(32768 * 8 / sqrt(idx)).
// Entries below 64 are unused and zero. Exact: sqrt is correctly rounded in IEEE 754.
const std::array<int32_t, 256>& rsqrt_table();

}  // namespace ssmsim
