// rmsnorm and layernorm on the reference: one row by hand (D = 4), then a property against real arithmetic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "sim/util/error.h"
#include "tests/support/op_harness.h"

namespace ssmsim::testing {
namespace {

TEST(RmsNorm, ByHand) {
    // Row 0, x = (1, 2, 3, 4): ss = 1 + 4 + 9 + 16 = 30; ss / D = 7 (integer division); + eps 1 -> m = 8.
    // rsqrt_split(8): k = 3, e = 2, idx = (8 << 6) >> 2 = 128, half_exp = 1; table[128] = 23170.
    // z = rshift_round(x * 23170, 15 + 1 - 10 = 6): 23170/64 = 362.03 -> 362; 724.06 -> 724; 1086.09 -> 1086;
    //     1448.13 -> 1448   (x / sqrt(8) * 1024 = 362.04, 724.08, 1086.1, 1448.2)
    // y = z * gamma (64, -64, 32, 127) = 23168, -46336, 34752, 183896; >> 10:
    //     22.63 -> 23; -45.25 -> -45; 33.94 -> 34; 179.59 -> 180 -> 127 (clip)
    // Row 1, x = -(1, 2, 3, 4): z = -362, -724, -1086, -1448 (rshift_round(-23170, 6) = floor(-361.53) =
    // -362) y = -23168, 46336, -34752, -183896; >> 10: -22.63 -> -23; 45.25 -> 45; -33.94 -> -34; -179.6 ->
    // -128 (clip) Row 2, x = 0: z = 0 (m = eps = 1), y = 0.
    const auto r = run_op({.kind = "rmsnorm",
                           .inputs = {{"x", i8({3, 4}, {1, 2, 3, 4, -1, -2, -3, -4, 0, 0, 0, 0})},
                                      {"gamma", i8({4}, {64, -64, 32, 127})}},
                           .attrs = {{"eps", 1}, {"mult", 1}, {"shift", 10}},
                           .out_shape = {3, 4}});
    EXPECT_EQ(r.ints(), Ints({23, -45, 34, 127, -23, 45, -34, -128, 0, 0, 0, 0}));
    EXPECT_EQ(r.saturations, 2u);
}

TEST(LayerNorm, ByHand) {
    // Row 0, x = (1, 2, 3, 6): sum 12; xc = D * x - sum = (-8, -4, 0, 12); ss = 64 + 16 + 0 + 144 = 224;
    // ss / D = 56, + eps 8 = 64: k = 6, e = 6, idx = (64 << 6) >> 6 = 64, half_exp = 3; table[64] = 32768.
    // z = rshift_round(xc * 32768, 15 + 3 - 10 = 8) = xc * 128 = (-1024, -512, 0, 1536)
    //     ((x - mean) / sqrt(var + eps / D^2) * 1024 with mean 3, var 3.5, eps / 16 = 0.5: -2 / 2 * 1024 =
    //     -1024)
    // y = z * gamma (2, 3, 4, -1) + beta (100, -100, 5, 0) = (-1948, -1636, 5, -1536); >> 6:
    //     -30.44 -> -30; -25.56 -> -26; 0.08 -> 0; -24 -> -24
    // Row 1, x = (5, 5, 5, 5): xc = 0, so y = beta = (100, -100, 5, 0); >> 6: 1.56 -> 2; -1.56 -> -2; 0; 0.
    const auto r = run_op({.kind = "layernorm",
                           .inputs = {{"x", i8({2, 4}, {1, 2, 3, 6, 5, 5, 5, 5})},
                                      {"gamma", i8({4}, {2, 3, 4, -1})},
                                      {"beta", i32({4}, {100, -100, 5, 0})}},
                           .attrs = {{"eps", 8}, {"mult", 1}, {"shift", 6}},
                           .out_shape = {2, 4}});
    EXPECT_EQ(r.ints(), Ints({-30, -26, 0, -24, 2, -2, 0, 0}));
    EXPECT_EQ(r.saturations, 0u);
}

TEST(LayerNorm, BetaLimit) {
    auto spec = [](int32_t beta) {
        return OpSpec{
            .kind = "layernorm",
            .inputs = {{"x", i8({1, 2}, {0, 0})}, {"gamma", i8({2}, {1, 1})}, {"beta", i32({2}, {beta, 0})}},
            .attrs = {{"eps", 1}, {"mult", 1}, {"shift", 30}},
            .out_shape = {1, 2}};
    };
    // The same bound as biases: |beta| <= 2^30 - 1.
    EXPECT_EQ(run_op(spec((1 << 30) - 1)).ints(), Ints({1, 0}));  // y = 2^30 - 1, rounded >> 30 = 1
    EXPECT_EQ(run_op(spec(-(1 << 30) + 1)).ints(), Ints({-1, 0}));
    EXPECT_THROW(run_op(spec(1 << 30)), InputError);
    EXPECT_THROW(run_op(spec(INT32_MIN)), InputError);
}

TEST(Norms, Float) {
    // rmsnorm: x = (1, 2, 3, 4), mean square 7.5 + eps 0.5 = 8 -> x / sqrt(8) * gamma.
    const auto rms =
        run_op({.kind = "rmsnorm",
                .inputs = {{"x", f32({1, 4}, {1, 2, 3, 4})}, {"gamma", f32({4}, {1, -1, 2, 0.5f})}},
                .attrs = {{"eps", 0.5}},
                .out_shape = {1, 4},
                .numerics = Numerics::float32});
    const double s = std::sqrt(8.0);
    const Floats want_rms = {float(1 / s), float(-2 / s), float(6 / s), float(2 / s)};
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(rms.floats()[i], want_rms[i], 1e-6);
    // layernorm: x = (1, 2, 3, 6), mean 3, variance 3.5 + eps 0.5 = 4 -> (x - 3) / 2 * gamma + beta.
    const auto ln = run_op({.kind = "layernorm",
                            .inputs = {{"x", f32({1, 4}, {1, 2, 3, 6})},
                                       {"gamma", f32({4}, {1, 1, 1, 2})},
                                       {"beta", f32({4}, {0, 0.5f, 0, -1})}},
                            .attrs = {{"eps", 0.5}},
                            .out_shape = {1, 4},
                            .numerics = Numerics::float32});
    const Floats want_ln = {-1.f, 0.f, 0.f, 2.f};
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(ln.floats()[i], want_ln[i], 1e-6);
}

// The integer norms against real arithmetic on the same integer statistics: with gamma = 16, mult 1,
// shift 10, out = round(16 * xc / sqrt(floor(ss / D) + eps)) up to the table rsqrt, whose 8-bit mantissa
// (m loses at most 1/64 of itself) and rounding keep it within 0.8%; plus half a step for the final
// rounding and a little for the rounding of z. Tolerance: 1% of the value + 0.6.
TEST(NormProperty, MatchesRealArithmetic) {
    Rng rng(99);
    for (int iter = 0; iter < 300; ++iter) {
        const bool center = iter % 2 == 1;
        const int64_t d = 2 + rng.below(15), rows = 1 + rng.below(3);
        const int64_t eps = 1 + rng.below(200);
        const Tensor x = random_tensor<int8_t>(rng, {rows, d}, -128, 127);
        OpSpec spec{.kind = center ? "layernorm" : "rmsnorm",
                    .inputs = {{"x", x}, {"gamma", i8({d}, std::vector<int8_t>(d, 16))}},
                    .attrs = {{"eps", eps}, {"mult", 1}, {"shift", 10}},
                    .out_shape = {rows, d}};
        if (center) spec.inputs.emplace_back("beta", i32({d}, std::vector<int32_t>(d, 0)));
        const Ints got = run_op(spec).ints();
        const Ints xv = ints(x);
        for (int64_t r = 0; r < rows; ++r) {
            int64_t sum = 0;
            for (int64_t i = 0; i < d; ++i) sum += xv[r * d + i];
            std::vector<int64_t> xc(d);
            uint64_t ss = 0;
            for (int64_t i = 0; i < d; ++i) {
                xc[i] = center ? d * xv[r * d + i] - sum : xv[r * d + i];
                ss += static_cast<uint64_t>(xc[i] * xc[i]);
            }
            const double m = double(ss / d + eps);
            for (int64_t i = 0; i < d; ++i) {
                const double want = std::clamp(16.0 * xc[i] / std::sqrt(m), -128.0, 127.0);
                ASSERT_NEAR(got[r * d + i], want, 0.01 * std::abs(want) + 0.6)
                    << (center ? "layernorm" : "rmsnorm") << " iteration " << iter << " row " << r << " i "
                    << i;
            }
        }
    }
}

}  // namespace
}  // namespace ssmsim::testing
