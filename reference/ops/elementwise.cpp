// silu, softplus, exp, gelu, relu, sigmoid (lookup tables), mul, add, gate (docs/numerics.md).
#include "reference/ops/kernels.h"
#include "sim/numerics/contract_ops.h"
#include "sim/numerics/tables.h"

namespace ssmsim::reference {

namespace {

void lut_op(OpView& v, LutFn f) {
    if (v.int_mode()) {
        const auto x = v.in_as<int8_t>(0);
        const auto lut = v.in_as<int8_t>(1);
        auto out = v.out(0).as<int8_t>();
        for (size_t i = 0; i < x.size(); ++i) out[i] = lut[fx::lut_index(x[i])];
    } else {
        const auto x = v.in_as<float>(0);
        auto out = v.out(0).as<float>();
        for (size_t i = 0; i < x.size(); ++i) out[i] = lut_fn_eval_f32(f, x[i]);
    }
}

}  // namespace

void lut_silu(OpView& v) { lut_op(v, LutFn::silu); }
void lut_softplus(OpView& v) { lut_op(v, LutFn::softplus); }
void lut_exp(OpView& v) { lut_op(v, LutFn::exp); }
void lut_gelu(OpView& v) { lut_op(v, LutFn::gelu); }
void lut_relu(OpView& v) { lut_op(v, LutFn::relu); }
void lut_sigmoid(OpView& v) { lut_op(v, LutFn::sigmoid); }

void mul(OpView& v) {
    if (v.int_mode()) {
        const auto a = v.in_as<int8_t>(0);
        const auto b = v.in_as<int8_t>(1);
        const int64_t mult = v.attr_int("mult");
        const int shift = v.attr_shift("shift");
        auto out = v.out(0).as<int8_t>();
        for (size_t i = 0; i < a.size(); ++i) out[i] = fx::mul_i8(a[i], b[i], mult, shift, v.saturations);
    } else {
        const auto a = v.in_as<float>(0);
        const auto b = v.in_as<float>(1);
        auto out = v.out(0).as<float>();
        for (size_t i = 0; i < a.size(); ++i) out[i] = a[i] * b[i];
    }
}

void add(OpView& v) {
    if (v.int_mode()) {
        const auto a = v.in_as<int8_t>(0);
        const auto b = v.in_as<int8_t>(1);
        const int64_t ma = v.attr_int("mult_a");
        const int64_t mb = v.attr_int("mult_b");
        const int shift = v.attr_shift("shift");
        auto out = v.out(0).as<int8_t>();
        for (size_t i = 0; i < a.size(); ++i) out[i] = fx::add_i8(a[i], b[i], ma, mb, shift, v.saturations);
    } else {
        const auto a = v.in_as<float>(0);
        const auto b = v.in_as<float>(1);
        auto out = v.out(0).as<float>();
        for (size_t i = 0; i < a.size(); ++i) out[i] = a[i] + b[i];
    }
}

void gate(OpView& v) {
    if (v.int_mode()) {
        const auto a = v.in_as<int8_t>(0);
        const auto z = v.in_as<int8_t>(1);
        const auto lut = v.in_as<int8_t>(2);
        const int64_t mult = v.attr_int("mult");
        const int shift = v.attr_shift("shift");
        auto out = v.out(0).as<int8_t>();
        for (size_t i = 0; i < a.size(); ++i) {
            out[i] = fx::mul_i8(a[i], lut[fx::lut_index(z[i])], mult, shift, v.saturations);
        }
    } else {
        const auto a = v.in_as<float>(0);
        const auto z = v.in_as<float>(1);
        const LutFn fn =
            v.op().attrs.value("fn", std::string("silu")) == "sigmoid" ? LutFn::sigmoid : LutFn::silu;
        auto out = v.out(0).as<float>();
        for (size_t i = 0; i < a.size(); ++i) out[i] = a[i] * lut_fn_eval_f32(fn, z[i]);
    }
}

}  // namespace ssmsim::reference
