#include "sim/numerics/tables.h"

#include <algorithm>
#include <cmath>
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

namespace {

// One definition for both precisions, so the float32 mode and the tables cannot drift apart.
template <typename T>
T eval(LutFn f, T x) {
    switch (f) {
        case LutFn::silu:
            return x / (T(1) + std::exp(-x));
        case LutFn::softplus:
            return x > T(20) ? x : std::log1p(std::exp(x));
        case LutFn::exp:
            return std::exp(x);
        case LutFn::gelu: {
            const T c = static_cast<T>(0.7978845608028654);  // sqrt(2 / pi)
            return T(0.5) * x * (T(1) + std::tanh(c * (x + static_cast<T>(0.044715) * x * x * x)));
        }
        case LutFn::relu:
            return x > T(0) ? x : T(0);
        case LutFn::sigmoid:
            return T(1) / (T(1) + std::exp(-x));
    }
    return T(0);
}

}  // namespace

double lut_fn_eval(LutFn f, double x) { return eval<double>(f, x); }
float lut_fn_eval_f32(LutFn f, float x) { return eval<float>(f, x); }

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
