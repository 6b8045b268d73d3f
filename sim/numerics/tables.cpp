#include "sim/numerics/tables.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace ssmsim {

std::string_view lut_fn_name(LutFn f) {
    switch (f) {
        case LutFn::silu:
            return "silu";
        case LutFn::softplus:
            return "softplus";
        case LutFn::exp:
            return "exp";
        case LutFn::gelu:
            return "gelu";
        case LutFn::relu:
            return "relu";
        case LutFn::sigmoid:
            return "sigmoid";
    }
    return "?";
}

double lut_fn_eval(LutFn f, double x) {
    switch (f) {
        case LutFn::silu:
            return x / (1.0 + std::exp(-x));
        case LutFn::softplus:
            return x > 20.0 ? x : std::log1p(std::exp(x));
        case LutFn::exp:
            return std::exp(x);
        case LutFn::gelu: {
            const double c = std::sqrt(2.0 / std::numbers::pi);
            return 0.5 * x * (1.0 + std::tanh(c * (x + 0.044715 * x * x * x)));
        }
        case LutFn::relu:
            return x > 0.0 ? x : 0.0;
        case LutFn::sigmoid:
            return 1.0 / (1.0 + std::exp(-x));
    }
    return 0.0;
}

float lut_fn_eval_f32(LutFn f, float x) {
    switch (f) {
        case LutFn::silu:
            return x / (1.0f + std::exp(-x));
        case LutFn::softplus:
            return x > 20.0f ? x : std::log1p(std::exp(x));
        case LutFn::exp:
            return std::exp(x);
        case LutFn::gelu: {
            const float c = 0.7978845608028654f;  // sqrt(2/pi)
            return 0.5f * x * (1.0f + std::tanh(c * (x + 0.044715f * x * x * x)));
        }
        case LutFn::relu:
            return x > 0.0f ? x : 0.0f;
        case LutFn::sigmoid:
            return 1.0f / (1.0f + std::exp(-x));
    }
    return 0.0f;
}

Tensor make_lut8(LutFn f, double in_scale, double out_scale) {
    if (!(in_scale > 0) || !(out_scale > 0))
        throw std::invalid_argument("make_lut8: scales must be positive");
    Tensor t(DType::int8, {256});
    auto v = t.as<int8_t>();
    for (int i = 0; i < 256; ++i) {
        const double y = std::round(lut_fn_eval(f, (i - 128) * in_scale) / out_scale);
        v[i] = static_cast<int8_t>(std::clamp(y, -128.0, 127.0));
    }
    return t;
}

Tensor make_exp_table(double step, int64_t size) {
    if (!(step > 0) || size < 1)
        throw std::invalid_argument("make_exp_table: step > 0 and size >= 1 required");
    Tensor t(DType::int32, {size});
    auto v = t.as<int32_t>();
    for (int64_t i = 0; i < size; ++i)
        v[i] = static_cast<int32_t>(std::round(32768.0 * std::exp(-static_cast<double>(i) * step)));
    return t;
}

const std::array<int32_t, 256>& rsqrt_table() {
    static const std::array<int32_t, 256> table = [] {
        std::array<int32_t, 256> r{};
        for (int idx = 64; idx < 256; ++idx)
            r[idx] = static_cast<int32_t>(std::round(32768.0 * 8.0 / std::sqrt(double(idx))));
        return r;
    }();
    return table;
}

}  // namespace ssmsim
