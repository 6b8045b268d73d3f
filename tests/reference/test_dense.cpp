// embedding, linear, conv1d_causal_depthwise, pool, classifier and reshape on the reference, by hand and by
// property against independent int64 computations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "sim/numerics/fixed_point.h"
#include "sim/util/error.h"
#include "tests/support/op_harness.h"

namespace ssmsim::testing {
namespace {

using json = nlohmann::json;

// ---- embedding -------------------------------------------------------------------------------------------

OpSpec embedding_spec(std::vector<int32_t> tokens) {
    const int64_t n = static_cast<int64_t>(tokens.size());
    return {.kind = "embedding",
            .inputs = {{"tokens", i32({1, n}, tokens)}, {"table", i8({3, 2}, {10, 11, 20, 21, 30, -31})}},
            .out_shape = {1, n, 2}};
}

TEST(Embedding, CopiesRows) {
    // Row t of the output is row tokens[t] of the table.
    EXPECT_EQ(run_op(embedding_spec({2, 0, 1, 2})).ints(), Ints({30, -31, 10, 11, 20, 21, 30, -31}));
}

TEST(Embedding, OutOfRangeTokenIsInputError) {
    for (int32_t bad : {3, -1, INT32_MAX, INT32_MIN}) {
        try {
            run_op(embedding_spec({0, bad}));
            ADD_FAILURE() << "token " << bad << " accepted";
        } catch (const InputError& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("tokens"), std::string::npos) << msg;     // which tensor
            EXPECT_NE(msg.find("element 1"), std::string::npos) << msg;  // which element
            EXPECT_NE(msg.find("[0, 2]"), std::string::npos) << msg;     // the valid range
        }
    }
}

TEST(Embedding, Float) {
    const auto r =
        run_op({.kind = "embedding",
                .inputs = {{"tokens", i32({2, 1}, {1, 0})}, {"table", f32({2, 2}, {0.5f, -1.f, 2.f, 3.f})}},
                .out_shape = {2, 1, 2},
                .numerics = Numerics::float32});
    EXPECT_EQ(r.floats(), Floats({2.f, 3.f, 0.5f, -1.f}));
    // The token range is checked in float32 mode too.
    EXPECT_THROW(run_op({.kind = "embedding",
                         .inputs = {{"tokens", i32({1, 1}, {2})}, {"table", f32({2, 1}, {0.f, 1.f})}},
                         .out_shape = {1, 1, 1},
                         .numerics = Numerics::float32}),
                 InputError);
}

// ---- linear ----------------------------------------------------------------------------------------------

TEST(Linear, WithBiasByHand) {
    // rows r0 = (1, -2, 3), r1 = (4, 5, -6); w0 = (2, 1, -1), w1 = (-3, 0, 2); bias (10, -7); * 3 >> 2.
    // r0.w0 = 2 - 2 - 3 = -3;  +10 =   7;  *3 =  21; (21 + 2) >> 2 = 5          (5.25)
    // r0.w1 = -3 + 0 + 6 = 3;  -7  =  -4;  *3 = -12; (-12 + 2) >> 2 = -3        (-3 exactly)
    // r1.w0 = 8 + 5 + 6 = 19;  +10 =  29;  *3 =  87; (87 + 2) >> 2 = 22         (21.75)
    // r1.w1 = -12 + 0 - 12 = -24; -7 = -31; *3 = -93; (-93 + 2) >> 2 = -23      (-23.25)
    const auto r = run_op({.kind = "linear",
                           .inputs = {{"x", i8({1, 2, 3}, {1, -2, 3, 4, 5, -6})},
                                      {"w", i8({2, 3}, {2, 1, -1, -3, 0, 2})},
                                      {"bias", i32({2}, {10, -7})}},
                           .attrs = {{"mult", 3}, {"shift", 2}},
                           .out_shape = {1, 2, 2}});
    EXPECT_EQ(r.ints(), Ints({5, -3, 22, -23}));
    EXPECT_EQ(r.saturations, 0u);
}

TEST(Linear, WithoutBiasRoundsNegativeTiesUp) {
    // x = (-5, 5, -3, 3) each times w = 2 -> -10, 10, -6, 6; >> 2: -2.5 -> -2, 2.5 -> 3, -1.5 -> -1, 1.5
    // -> 2.
    const auto r = run_op({.kind = "linear",
                           .inputs = {{"x", i8({4, 1}, {-5, 5, -3, 3})}, {"w", i8({1, 1}, {2})}},
                           .attrs = {{"mult", 1}, {"shift", 2}},
                           .out_shape = {4, 1}});
    EXPECT_EQ(r.ints(), Ints({-2, 3, -1, 2}));
}

TEST(Linear, SaturationIsCounted) {
    // (127, 127).(127, 127) = 32258 -> 127; (127, 127).(-128, -128) = -32512 -> -128; (127,127).(0,1) = 127.
    const auto r =
        run_op({.kind = "linear",
                .inputs = {{"x", i8({1, 2}, {127, 127})}, {"w", i8({3, 2}, {127, 127, -128, -128, 0, 1})}},
                .attrs = {{"mult", 1}, {"shift", 0}},
                .out_shape = {1, 3}});
    EXPECT_EQ(r.ints(), Ints({127, -128, 127}));
    EXPECT_EQ(r.saturations, 2u);
}

TEST(Linear, BiasMagnitudeLimit) {
    auto spec = [](int32_t b) {
        return OpSpec{
            .kind = "linear",
            .inputs = {{"x", i8({1, 1}, {0})}, {"w", i8({2, 1}, {1, 1})}, {"bias", i32({2}, {0, b})}},
            .attrs = {{"mult", 1}, {"shift", 30}},
            .out_shape = {1, 2}};
    };
    constexpr int32_t kMax = (1 << 30) - 1;
    // (2^30 - 1) >> 30 = 0.99999 -> 1, (-(2^30 - 1)) >> 30 -> -1.
    EXPECT_EQ(run_op(spec(kMax)).ints(), Ints({0, 1}));
    EXPECT_EQ(run_op(spec(-kMax)).ints(), Ints({0, -1}));
    for (int32_t bad : {kMax + 1, -kMax - 1, INT32_MAX, INT32_MIN}) {
        try {
            run_op(spec(bad));
            ADD_FAILURE() << "bias " << bad << " accepted";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("element 1"), std::string::npos) << e.what();
        }
    }
}

TEST(Linear, ExtremeReductionStaysExact) {
    // K = 2^16 with every product (-128)(-128) = 2^14: dot = 2^30, + bias (2^30 - 1) = 2^31 - 1, still exact.
    // mult 1, shift 24: (2^31 - 1) / 2^24 = 127.99999994 -> 128 -> clips to 127.
    // Second row, w = 127: dot = -128 * 127 * 2^16 = -1065353216, bias -(2^30 - 1) -> -2139095039
    // / 2^24 = -127.49999994 (one above the tie -127.5 * 2^24) -> -127.
    const int64_t k = int64_t{1} << 16;
    std::vector<int8_t> w(2 * k, -128);
    std::fill(w.begin() + k, w.end(), 127);
    const auto r = run_op({.kind = "linear",
                           .inputs = {{"x", i8({1, k}, std::vector<int8_t>(k, -128))},
                                      {"w", i8({2, k}, w)},
                                      {"bias", i32({2}, {(1 << 30) - 1, -((1 << 30) - 1)})}},
                           .attrs = {{"mult", 1}, {"shift", 24}},
                           .out_shape = {1, 2}});
    EXPECT_EQ(r.ints(), Ints({127, -127}));
    EXPECT_EQ(r.saturations, 1u);  // only the first clips
}

TEST(Linear, Float) {
    const auto r = run_op({.kind = "linear",
                           .inputs = {{"x", f32({1, 2}, {1.5f, -2.f})},
                                      {"w", f32({2, 2}, {2.f, 1.f, 0.25f, -1.f})},
                                      {"bias", f32({2}, {0.5f, 0.f})}},
                           .out_shape = {1, 2},
                           .numerics = Numerics::float32});
    // 3 - 2 + 0.5 = 1.5; 0.375 + 2 = 2.375
    EXPECT_EQ(r.floats(), Floats({1.5f, 2.375f}));
}

// Property (c): the int8 linear equals a naive int64 computation for random shapes, multipliers and shifts,
// including the saturation count.
TEST(LinearProperty, MatchesNaiveInt64) {
    Rng rng(20240611);
    for (int iter = 0; iter < 300; ++iter) {
        const int64_t batch = 1 + rng.below(3), rows = 1 + rng.below(4), k = 1 + rng.below(40),
                      n = 1 + rng.below(6);
        const bool has_bias = rng.below(2) == 0;
        const int64_t mult = static_cast<int64_t>(rng.below(1u << 16));
        const int shift = static_cast<int>(rng.below(24));
        const Tensor x = random_tensor<int8_t>(rng, {batch, rows, k}, -128, 127);
        const Tensor w = random_tensor<int8_t>(rng, {n, k}, -128, 127);
        const Tensor b = random_tensor<int32_t>(rng, {n}, -(1 << 20), 1 << 20);
        OpSpec spec{.kind = "linear",
                    .inputs = {{"x", x}, {"w", w}},
                    .attrs = {{"mult", mult}, {"shift", shift}},
                    .out_shape = {batch, rows, n}};
        if (has_bias) spec.inputs.emplace_back("bias", b);
        const auto r = run_op(spec);

        const auto xv = x.as<int8_t>(), wv = w.as<int8_t>();
        const auto bv = b.as<int32_t>();
        Ints want;
        uint64_t clips = 0;
        for (int64_t row = 0; row < batch * rows; ++row) {
            for (int64_t o = 0; o < n; ++o) {
                int64_t acc = has_bias ? bv[o] : 0;
                for (int64_t i = 0; i < k; ++i) acc += int64_t{xv[row * k + i]} * wv[o * k + i];
                // floor((acc * mult + 2^(shift-1)) / 2^shift), written with floor division
                int64_t v = acc * mult;
                if (shift > 0) {
                    const int64_t num = v + (int64_t{1} << (shift - 1)), den = int64_t{1} << shift;
                    v = num / den - ((num % den != 0) && (num < 0) ? 1 : 0);
                }
                if (v > 127 || v < -128) ++clips;
                want.push_back(std::clamp<int64_t>(v, -128, 127));
            }
        }
        ASSERT_EQ(r.ints(), want) << "iteration " << iter;
        ASSERT_EQ(r.saturations, clips) << "iteration " << iter;
    }
}

// Property (d) for linear: float32 mode on the dequantized inputs agrees with the int8 output dequantized.
// Scales are powers of two (x, w: 1/16; bias: 1/256; out: 1/4, so mult/2^shift = 1/64 exactly), which makes
// the float32 result exact (dyadic values, |acc| < 2^24) and the only int8 error the final rounding: at
// most half an output step, 0.125. Ranges keep the output inside int8, so no saturation.
TEST(LinearProperty, FloatAgreesWithDequantizedInt8) {
    Rng rng(7);
    for (int iter = 0; iter < 200; ++iter) {
        const int64_t rows = 1 + rng.below(4), k = 1 + rng.below(12), n = 1 + rng.below(5);
        const Tensor x = random_tensor<int8_t>(rng, {rows, k}, -24, 24);
        const Tensor w = random_tensor<int8_t>(rng, {n, k}, -24, 24);
        const Tensor b = random_tensor<int32_t>(rng, {n}, -500, 500);
        const auto qi = run_op({.kind = "linear",
                                .inputs = {{"x", x}, {"w", w}, {"bias", b}},
                                .attrs = {{"mult", 1}, {"shift", 6}},
                                .out_shape = {rows, n}});
        ASSERT_EQ(qi.saturations, 0u);
        auto deq = [](const Tensor& t, double scale) {
            Floats f;
            for (int64_t v : ints(t)) f.push_back(static_cast<float>(v * scale));
            return f;
        };
        const auto fl = run_op({.kind = "linear",
                                .inputs = {{"x", f32({rows, k}, deq(x, 1.0 / 16))},
                                           {"w", f32({n, k}, deq(w, 1.0 / 16))},
                                           {"bias", f32({n}, deq(b, 1.0 / 256))}},
                                .out_shape = {rows, n},
                                .numerics = Numerics::float32});
        const Ints q = qi.ints();
        const Floats f = fl.floats();
        for (size_t i = 0; i < q.size(); ++i)
            ASSERT_LE(std::abs(q[i] / 4.0 - f[i]), 0.125) << iter << " " << i;
    }
}

// ---- conv1d_causal_depthwise -----------------------------------------------------------------------------

TEST(Conv1d, CausalByHand) {
    // 2 channels, 2 taps: out[t, d] = bias[d] + w[d, 0] * x[t - 1, d] + w[d, 1] * x[t, d], x[-1] = 0; >> 1.
    // x (t, d): (1, -1), (2, 3), (-4, 5); w: d0 = (3, 2), d1 = (-1, 4); bias (1, -2).
    // t0: d0 = 1 + 0 + 2*1 = 3 -> 1.5 -> 2          d1 = -2 + 0 + 4*(-1) = -6 -> -3
    // t1: d0 = 1 + 3*1 + 2*2 = 8 -> 4               d1 = -2 + 1 + 12 = 11 -> 5.5 -> 6
    // t2: d0 = 1 + 6 - 8 = -1 -> -0.5 -> 0          d1 = -2 - 3 + 20 = 15 -> 7.5 -> 8
    // Two identical batches: the second must not see the first's last step.
    const std::vector<int8_t> seq = {1, -1, 2, 3, -4, 5};
    std::vector<int8_t> x = seq;
    x.insert(x.end(), seq.begin(), seq.end());
    const auto r = run_op(
        {.kind = "conv1d_causal_depthwise",
         .inputs = {{"x", i8({2, 3, 2}, x)}, {"w", i8({2, 2}, {3, 2, -1, 4})}, {"bias", i32({2}, {1, -2})}},
         .attrs = {{"mult", 1}, {"shift", 1}},
         .out_shape = {2, 3, 2}});
    EXPECT_EQ(r.ints(), Ints({2, -3, 4, 6, 0, 8, 2, -3, 4, 6, 0, 8}));
}

TEST(Conv1d, FirstStepsSeeZerosAndSaturate) {
    // 1 channel, 3 taps (1, 1, 1), no bias, x = 100 at every step: sums 100, 200, 300, 300.
    const auto r =
        run_op({.kind = "conv1d_causal_depthwise",
                .inputs = {{"x", i8({1, 4, 1}, {100, 100, 100, 100})}, {"w", i8({1, 3}, {1, 1, 1})}},
                .attrs = {{"mult", 1}, {"shift", 1}},
                .out_shape = {1, 4, 1}});
    EXPECT_EQ(r.ints(), Ints({50, 100, 127, 127}));  // 150 clips twice
    EXPECT_EQ(r.saturations, 2u);
}

TEST(Conv1d, SequenceLengthOne) {
    // Only the last tap sees data: 5 * (-7) = -35, + bias 3 = -32, * 3 >> 2 = -24.
    const auto r = run_op(
        {.kind = "conv1d_causal_depthwise",
         .inputs = {{"x", i8({1, 1, 1}, {-7})}, {"w", i8({1, 4}, {9, 9, 9, 5})}, {"bias", i32({1}, {3})}},
         .attrs = {{"mult", 3}, {"shift", 2}},
         .out_shape = {1, 1, 1}});
    EXPECT_EQ(r.ints(), Ints({-24}));
}

TEST(Conv1d, Float) {
    const auto r = run_op({.kind = "conv1d_causal_depthwise",
                           .inputs = {{"x", f32({1, 3, 1}, {1.f, 2.f, 4.f})},
                                      {"w", f32({1, 2}, {0.5f, 2.f})},
                                      {"bias", f32({1}, {-1.f})}},
                           .out_shape = {1, 3, 1},
                           .numerics = Numerics::float32});
    EXPECT_EQ(r.floats(), Floats({1.f, 3.5f, 8.f}));  // 2 - 1; 0.5 + 4 - 1; 1 + 8 - 1
}

// ---- pool ------------------------------------------------------------------------------------------------

TEST(Pool, MeanOverTimeByHand) {
    // x (t, d): (1, 4), (3, -7), (5, -8): sums 9 and -11; mult 21845 / 2^16 ~= 1/3.
    // 9 * 21845 = 196605, + 32768 = 229373, >> 16 = 3 (3.5 floor)     (mean 3.0)
    // -11 * 21845 = -240295, + 32768 = -207527, >> 16 = -4 (floor -3.17)   (mean -3.67)
    const auto r = run_op({.kind = "pool",
                           .inputs = {{"x", i8({1, 3, 2}, {1, 4, 3, -7, 5, -8})}},
                           .attrs = {{"mult", 21845}, {"shift", 16}},
                           .out_shape = {1, 2}});
    EXPECT_EQ(r.ints(), Ints({3, -4}));
}

TEST(Pool, SaturatesAndFloat) {
    const auto r = run_op({.kind = "pool",
                           .inputs = {{"x", i8({2, 2, 1}, {127, 127, -128, -1})}},
                           .attrs = {{"mult", 1}, {"shift", 0}},
                           .out_shape = {2, 1}});
    EXPECT_EQ(r.ints(), Ints({127, -128}));  // 254 and -129 both clip
    EXPECT_EQ(r.saturations, 2u);
    const auto f = run_op({.kind = "pool",
                           .inputs = {{"x", f32({1, 4, 1}, {1.f, 2.f, 3.f, 6.f})}},
                           .out_shape = {1, 1},
                           .numerics = Numerics::float32});
    EXPECT_EQ(f.floats(), Floats({3.f}));
}

// ---- classifier ------------------------------------------------------------------------------------------

TEST(Classifier, Int32LogitsByHand) {
    // b0: 100 + (1 + 2 + 3) = 106;  -5 + (2 - 2 + 0) = -5
    // b1: 100 + (-1 + 0 + 127) = 226;  -5 + (-2 + 0 + 0) = -7  (226 is beyond int8: no requantization)
    const auto r = run_op({.kind = "classifier",
                           .inputs = {{"x", i8({2, 3}, {1, 2, 3, -1, 0, 127})},
                                      {"w", i8({2, 3}, {1, 1, 1, 2, -1, 0})},
                                      {"bias", i32({2}, {100, -5})}},
                           .out_shape = {2, 2},
                           .out_dtype = DType::int32});
    EXPECT_EQ(r.out.dtype(), DType::int32);
    EXPECT_EQ(r.ints(), Ints({106, -5, 226, -7}));
    EXPECT_EQ(r.saturations, 0u);
}

TEST(Classifier, ExtremeStaysInInt32) {
    // K = 2^16 of (-128)(-128): 2^30, + (2^30 - 1) = 2^31 - 1 = INT32_MAX exactly.
    const int64_t k = int64_t{1} << 16;
    const auto r = run_op({.kind = "classifier",
                           .inputs = {{"x", i8({1, k}, std::vector<int8_t>(k, -128))},
                                      {"w", i8({1, k}, std::vector<int8_t>(k, -128))},
                                      {"bias", i32({1}, {(1 << 30) - 1})}},
                           .out_shape = {1, 1},
                           .out_dtype = DType::int32});
    EXPECT_EQ(r.ints(), Ints({INT32_MAX}));
}

TEST(Classifier, BiasLimitAndFloat) {
    EXPECT_THROW(
        run_op({.kind = "classifier",
                .inputs = {{"x", i8({1, 1}, {1})}, {"w", i8({1, 1}, {1})}, {"bias", i32({1}, {1 << 30})}},
                .out_shape = {1, 1},
                .out_dtype = DType::int32}),
        InputError);
    const auto f = run_op({.kind = "classifier",
                           .inputs = {{"x", f32({1, 2}, {1.f, -1.f})},
                                      {"w", f32({1, 2}, {0.5f, 0.25f})},
                                      {"bias", f32({1}, {2.f})}},
                           .out_shape = {1, 1},
                           .numerics = Numerics::float32});
    EXPECT_EQ(f.floats(), Floats({2.25f}));
}

// ---- reshape and a few-op trace --------------------------------------------------------------------------

TEST(Reshape, KeepsBytes) {
    const auto r = run_op({.kind = "reshape",
                           .inputs = {{"x", i8({1, 2, 3}, {1, -2, 3, -4, 5, -6})}},
                           .attrs = {{"shape", {3, 2}}},
                           .out_shape = {3, 2}});
    EXPECT_EQ(r.out.shape(), Shape({3, 2}));
    EXPECT_EQ(r.ints(), Ints({1, -2, 3, -4, 5, -6}));
}

TEST(Executor, ChainOfOps) {
    // embedding -> linear -> relu (identity LUT: values pass through) -> pool.
    // embed (2, 1): rows (10, -20), (30, 40); tokens (1, 0) -> (30, 40), (10, -20)
    // linear w = (1, 1) mult 1 shift 1: 70 / 2 = 35, -10 / 2 = -5; pool sum 30 >> 1 = 15.
    TraceBuilder b;
    b.input("tokens", i32({1, 2}, {1, 0}))
        .input("table", i8({2, 2}, {10, -20, 30, 40}))
        .input("w", i8({1, 2}, {1, 1}))
        .input("lut", identity_lut())
        .op("embedding", {"tokens", "table"}, "e", {1, 2, 2})
        .op("linear", {"e", "w"}, "l", {1, 2, 1}, {{"mult", 1}, {"shift", 1}})
        .op("relu", {"l", "lut"}, "r", {1, 2, 1})
        .op("pool", {"r"}, "p", {1, 1}, {{"mult", 1}, {"shift", 1}});
    EXPECT_EQ(b.run().ints(), Ints({15}));
}

TEST(Executor, SameTensorForBothInputs) {
    // mul(x, x) >> 1: 25 -> 12.5 -> 13; 144 -> 72; 16129 -> 8064.5 -> clip 127. x is freed once after its
    // last reader even though that op names it twice.
    TraceBuilder b;
    b.input("x", i8({3}, {-5, 12, 127})).op("mul", {"x", "x"}, "y", {3}, {{"mult", 1}, {"shift", 1}});
    const auto r = b.run();
    EXPECT_EQ(r.ints(), Ints({13, 72, 127}));
    EXPECT_EQ(r.saturations, 1u);
}

TEST(Executor, MissingGraphInputData) {
    TraceBuilder b;
    b.input("x", i8({2}, {1, 2})).op("mul", {"x", "x"}, "y", {2}, {{"mult", 1}, {"shift", 0}});
    EXPECT_THROW(reference::execute(b.build(), TensorStore{}), std::invalid_argument);
}

}  // namespace
}  // namespace ssmsim::testing
