// rmsnorm and layernorm (docs/numerics.md, "Norms"): integer mean of squares, a table reciprocal square root
// on a normalised mantissa, then a requantized scale by gamma (and beta).
#include <cmath>

#include "reference/ops/kernels.h"
#include "sim/numerics/contract_ops.h"
#include "sim/numerics/tables.h"
#include "sim/ops/op_schema.h"

namespace ssmsim::reference {

namespace {

void norm_int(OpView& v, bool center) {
    const auto x = v.in_as<int8_t>(0);
    const auto gamma = v.in_as<int8_t>(1);
    const auto beta = center ? v.in_as<int32_t>(2) : std::span<const int32_t>();
    if (center) {
        for (size_t i = 0; i < beta.size(); ++i) {
            if (beta[i] > limits::kMaxBiasMagnitude || beta[i] < -limits::kMaxBiasMagnitude) {
                v.bad_value(2, i, "a beta within +-(2^30 - 1)", beta[i]);
            }
        }
    }
    const int64_t d = static_cast<int64_t>(gamma.size());
    const uint64_t eps = static_cast<uint64_t>(v.attr_int("eps"));
    const int64_t mult = v.attr_int("mult");
    const int shift = v.attr_shift("shift");
    const auto& rsqrt = rsqrt_table();
    auto out = v.out(0).as<int8_t>();
    std::vector<int64_t> xc(d);
    const int64_t rows = static_cast<int64_t>(x.size()) / d;
    for (int64_t r = 0; r < rows; ++r)
        fx::norm_row_i8(&x[r * d], gamma.data(), center ? beta.data() : nullptr, d, eps, mult, shift,
                        rsqrt.data(), xc.data(), &out[r * d], v.saturations);
}

void norm_float(OpView& v, bool center) {
    const auto x = v.in_as<float>(0);
    const auto gamma = v.in_as<float>(1);
    const auto beta = center ? v.in_as<float>(2) : std::span<const float>();
    const int64_t d = static_cast<int64_t>(gamma.size());
    const float eps = static_cast<float>(v.attr_number("eps"));
    auto out = v.out(0).as<float>();
    const int64_t rows = static_cast<int64_t>(x.size()) / d;
    for (int64_t r = 0; r < rows; ++r)
        fx::norm_row_f32(&x[r * d], gamma.data(), center ? beta.data() : nullptr, d, eps, &out[r * d]);
}

}  // namespace

void rmsnorm(OpView& v) { v.int_mode() ? norm_int(v, false) : norm_float(v, false); }
void layernorm(OpView& v) { v.int_mode() ? norm_int(v, true) : norm_float(v, true); }

}  // namespace ssmsim::reference
