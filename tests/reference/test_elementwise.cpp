// Lookup-table ops (silu, softplus, exp, gelu, relu, sigmoid), mul, add and gate on the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "sim/numerics/tables.h"
#include "tests/support/op_harness.h"

namespace ssmsim::testing {
namespace {

// A table whose every entry differs from its neighbours, so an off-by-one index shows: entry i = 127 - i
// for i < 128, else i - 200 (wrapped into int8 by construction).
Tensor scrambled_lut() {
    std::vector<int8_t> v(256);
    for (int i = 0; i < 256; ++i) v[i] = static_cast<int8_t>(i < 128 ? 127 - i : i - 200);
    return i8({256}, v);
}

class LutOp : public ::testing::TestWithParam<const char*> {};

TEST_P(LutOp, IndexesByXPlus128) {
    // x = -128, -1, 0, 1, 127 -> entries 0, 127, 128, 129, 255 -> 127, 0, -72, -71, 55.
    const auto r = run_op({.kind = GetParam(),
                           .inputs = {{"x", i8({1, 5}, {-128, -1, 0, 1, 127})}, {"lut", scrambled_lut()}},
                           .out_shape = {1, 5}});
    EXPECT_EQ(r.ints(), Ints({127, 0, -72, -71, 55}));
    EXPECT_EQ(r.saturations, 0u);
}

TEST_P(LutOp, Float32EvaluatesTheFunction) {
    const std::string kind = GetParam();
    const std::vector<float> xs = {-3.f, -0.5f, 0.f, 0.75f, 4.f};
    const auto r = run_op(
        {.kind = kind, .inputs = {{"x", f32({5}, xs)}}, .out_shape = {5}, .numerics = Numerics::float32});
    for (size_t i = 0; i < xs.size(); ++i) {
        const double x = xs[i];
        double want = 0;  // independent double-precision definitions
        if (kind == "silu") want = x / (1 + std::exp(-x));
        if (kind == "softplus") want = std::log(1 + std::exp(x));
        if (kind == "exp") want = std::exp(x);
        if (kind == "gelu")
            want = 0.5 * x * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (x + 0.044715 * x * x * x)));
        if (kind == "relu") want = x > 0 ? x : 0;
        if (kind == "sigmoid") want = 1 / (1 + std::exp(-x));
        EXPECT_NEAR(r.floats()[i], want, 1e-5 * std::max(1.0, std::abs(want))) << kind << "(" << x << ")";
    }
}

INSTANTIATE_TEST_SUITE_P(AllKinds, LutOp,
                         ::testing::Values("silu", "softplus", "exp", "gelu", "relu", "sigmoid"));

TEST(Lut, RealReluTable) {
    // With make_lut8(relu, s, s) the op is max(x, 0) exactly.
    const auto r = run_op(
        {.kind = "relu",
         .inputs = {{"x", i8({6}, {-128, -5, -1, 0, 9, 127})}, {"lut", make_lut8(LutFn::relu, 0.05, 0.05)}},
         .out_shape = {6}});
    EXPECT_EQ(r.ints(), Ints({0, 0, 0, 0, 9, 127}));
}

// ---- mul -------------------------------------------------------------------------------------------------

TEST(Mul, RequantizesProduct) {
    // a * b = 30, -30, 10000, -15; >> 2: 7.5 -> 8, -7.5 -> -7, 2500 -> 127 (clip), -3.75 -> -4.
    const auto r = run_op({.kind = "mul",
                           .inputs = {{"a", i8({4}, {10, -10, 100, -3})}, {"b", i8({4}, {3, 3, 100, 5})}},
                           .attrs = {{"mult", 1}, {"shift", 2}},
                           .out_shape = {4}});
    EXPECT_EQ(r.ints(), Ints({8, -7, 127, -4}));
    EXPECT_EQ(r.saturations, 1u);
}

TEST(Mul, Float) {
    const auto r = run_op({.kind = "mul",
                           .inputs = {{"a", f32({2}, {1.5f, -2.f})}, {"b", f32({2}, {4.f, 0.25f})}},
                           .out_shape = {2},
                           .numerics = Numerics::float32});
    EXPECT_EQ(r.floats(), Floats({6.f, -0.5f}));
}

// ---- add -------------------------------------------------------------------------------------------------

TEST(Add, NegativeMultiplierSubtracts) {
    // 2a - b >> 1: 20 - 5 = 15 -> 7.5 -> 8; -20 - 5 = -25 -> -12.5 -> -12; 200 - 100 = 100 -> 50;
    // -200 + 100 = -100 -> -50.
    const auto r =
        run_op({.kind = "add",
                .inputs = {{"a", i8({4}, {10, -10, 100, -100})}, {"b", i8({4}, {5, 5, 100, -100})}},
                .attrs = {{"mult_a", 2}, {"mult_b", -1}, {"shift", 1}},
                .out_shape = {4}});
    EXPECT_EQ(r.ints(), Ints({8, -12, 50, -50}));
    EXPECT_EQ(r.saturations, 0u);
}

TEST(Add, Saturates) {
    // 100 + 100 = 200 -> 127; -128 + -128 = -256 -> -128; 127 - 128 = -1.
    const auto r = run_op({.kind = "add",
                           .inputs = {{"a", i8({3}, {100, -128, 127})}, {"b", i8({3}, {100, -128, -128})}},
                           .attrs = {{"mult_a", 1}, {"mult_b", 1}, {"shift", 0}},
                           .out_shape = {3}});
    EXPECT_EQ(r.ints(), Ints({127, -128, -1}));
    EXPECT_EQ(r.saturations, 2u);
}

TEST(Add, LargeMultipliersStayInInt64) {
    // (2^31 - 1) * 127 - (2^31 - 1) * (-128) = (2^31 - 1) * 255; >> 31 = 254.99999988 -> 255 -> clip 127.
    const int64_t m = (int64_t{1} << 31) - 1;
    const auto r = run_op({.kind = "add",
                           .inputs = {{"a", i8({1}, {127})}, {"b", i8({1}, {-128})}},
                           .attrs = {{"mult_a", m}, {"mult_b", -m}, {"shift", 31}},
                           .out_shape = {1}});
    EXPECT_EQ(r.ints(), Ints({127}));
    EXPECT_EQ(r.saturations, 1u);
}

TEST(Add, Float) {
    const auto r = run_op({.kind = "add",
                           .inputs = {{"a", f32({2}, {1.5f, -2.f})}, {"b", f32({2}, {4.f, 0.25f})}},
                           .out_shape = {2},
                           .numerics = Numerics::float32});
    EXPECT_EQ(r.floats(), Floats({5.5f, -1.75f}));
}

// ---- gate ------------------------------------------------------------------------------------------------

TEST(Gate, MultipliesByLutOfZ) {
    // Identity LUT: a * z = 0, -100, -6400, 889; >> 3: 0; -12.5 -> -12; -800 -> -128 (clip); 111.125 -> 111.
    const auto r = run_op({.kind = "gate",
                           .inputs = {{"a", i8({4}, {10, -20, 50, 7})},
                                      {"z", i8({4}, {0, 5, -128, 127})},
                                      {"lut", identity_lut()}},
                           .attrs = {{"mult", 1}, {"shift", 3}},
                           .out_shape = {4}});
    EXPECT_EQ(r.ints(), Ints({0, -12, -128, 111}));
    EXPECT_EQ(r.saturations, 1u);
}

TEST(Gate, UsesTheTableNotTheFnAttribute) {
    // In int8 mode the table decides; fn only names the function the table was built from.
    // scrambled entries for z = 0, 1: -72, -71; a = 2: -144 >> 1 = -72, -142 >> 1 = -71.
    const auto r =
        run_op({.kind = "gate",
                .inputs = {{"a", i8({2}, {2, 2})}, {"z", i8({2}, {0, 1})}, {"lut", scrambled_lut()}},
                .attrs = {{"fn", "sigmoid"}, {"mult", 1}, {"shift", 1}},
                .out_shape = {2}});
    EXPECT_EQ(r.ints(), Ints({-72, -71}));
}

TEST(Gate, FloatSiluAndSigmoid) {
    const std::vector<float> a = {2.f, -1.f}, z = {1.f, -2.f};
    for (const char* fn : {"silu", "sigmoid"}) {
        const auto r = run_op({.kind = "gate",
                               .inputs = {{"a", f32({2}, a)}, {"z", f32({2}, z)}},
                               .attrs = {{"fn", fn}},
                               .out_shape = {2},
                               .numerics = Numerics::float32});
        for (int i = 0; i < 2; ++i) {
            const double s = 1 / (1 + std::exp(-double(z[i])));
            const double want = a[i] * (std::string(fn) == "silu" ? z[i] * s : s);
            EXPECT_NEAR(r.floats()[i], want, 1e-6) << fn;
        }
    }
    // fn defaults to silu: a * z * sigmoid(z)
    const auto d = run_op({.kind = "gate",
                           .inputs = {{"a", f32({1}, {3.f})}, {"z", f32({1}, {0.5f})}},
                           .out_shape = {1},
                           .numerics = Numerics::float32});
    EXPECT_NEAR(d.floats()[0], 3 * 0.5 / (1 + std::exp(-0.5)), 1e-6);
}

}  // namespace
}  // namespace ssmsim::testing
