// attention on the reference: the integer softmax by hand (L = 2, one head, causal and not), table checks,
// and properties (heads are independent, causal rows equal non-causal prefixes, float32 against double).
#include <gtest/gtest.h>

#include <cmath>

#include "sim/numerics/tables.h"
#include "sim/util/error.h"
#include "tests/support/op_harness.h"

namespace ssmsim::testing {
namespace {

using json = nlohmann::json;

Tensor halving_table(int64_t size) {
    std::vector<int32_t> v;
    for (int64_t i = 0; i < size; ++i) v.push_back(32768 >> i);
    return i32({size}, v);
}

OpResult attend(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& table, json attrs) {
    return run_op({.kind = "attention",
                   .inputs = {{"q", q}, {"k", k}, {"v", v}, {"exp_table", table}},
                   .attrs = std::move(attrs),
                   .out_shape = q.shape()});
}

// q = (1, 0), (0, 1); k = (2, 0), (0, 2); v = (10, -20), (30, 40); table 32768 / 2^i; score_mult 1, shift 1.
const Tensor kQ = i8({1, 2, 2}, {1, 0, 0, 1});
const Tensor kK = i8({1, 2, 2}, {2, 0, 0, 2});
const Tensor kV = i8({1, 2, 2}, {10, -20, 30, 40});

TEST(Attention, ByHand) {
    // Row 0: scores (2, 0), max 2; idx = rshift_round((2 - s) * 1, 1): 0 and 1 -> e = (32768, 16384), sum
    // 49152
    //   p0 = (32768 << 15 + 24576) / 49152 = 21845.8 -> 21845; p1 = (16384 << 15 + 24576) / 49152 -> 10923
    //   d0: 21845*10 + 10923*30 = 546140, >> 15: 16.67 -> 17;  d1: 21845*(-20) + 10923*40 = 20 -> 0
    // Row 1: scores (0, 2): p = (10923, 21845)
    //   d0: 10923*10 + 21845*30 = 764580 -> 23.33 -> 23;  d1: 10923*(-20) + 21845*40 = 655340 -> 19.9994 ->
    //   20
    const auto r =
        attend(kQ, kK, kV, halving_table(4), {{"heads", 1}, {"score_mult", 1}, {"score_shift", 1}});
    EXPECT_EQ(r.ints(), Ints({17, 0, 23, 20}));
    EXPECT_EQ(r.saturations, 0u);
}

TEST(Attention, CausalByHand) {
    // Row 0 sees only itself: p = (32768 << 15 + 16384) / 32768 = 32768, out = v0 exactly. Row 1 as above.
    const auto r = attend(kQ, kK, kV, halving_table(4),
                          {{"heads", 1}, {"causal", true}, {"score_mult", 1}, {"score_shift", 1}});
    EXPECT_EQ(r.ints(), Ints({10, -20, 23, 20}));
}

TEST(Attention, ZeroScoreMultIsUniformAverage) {
    // Every index is 0: e = 32768 each, p = (2^30 + 32768) / 65536 = 16384.5 -> 16384.
    // d0: 16384 * (10 + 30) >> 15 = 20;  d1: 16384 * (-21 + 2) = -311296 -> -9.5 -> -9 (ties toward +inf).
    const auto r = attend(kQ, kK, i8({1, 2, 2}, {10, -21, 30, 2}), halving_table(4),
                          {{"heads", 1}, {"score_mult", 0}, {"score_shift", 0}});
    EXPECT_EQ(r.ints(), Ints({20, -9, 20, -9}));
}

TEST(Attention, LargeScoreGapSelectsMaximum) {
    // Row 0 scores (127*127*2 = 32258, -32258): the gap indexes past the table's end, so the loser gets the
    // last entry 4096: p = (32768 << 15 + 18432) / 36864 = 29127.6 -> 29127 and (4096 << 15 + 18432) / 36864
    // = 3641.4 -> 3641; d0 = 29127*100 + 3641*(-100) = 2548600 -> 77.78 -> 78.
    const auto r = attend(i8({1, 2, 2}, {127, 127, -127, -127}), i8({1, 2, 2}, {127, 127, -127, -127}),
                          i8({1, 2, 2}, {100, 0, -100, 0}), halving_table(4),
                          {{"heads", 1}, {"score_mult", 1}, {"score_shift", 0}});
    // Row 1 scores (-32258, 32258): mirror image, d0 = 3641*100 - 29127*100 = -2548600 -> -77.78 -> -78.
    EXPECT_EQ(r.ints(), Ints({78, 0, -78, 0}));
}

TEST(Attention, SequenceLengthOneReturnsV) {
    const auto r =
        attend(i8({1, 1, 2}, {5, -7}), i8({1, 1, 2}, {3, 3}), i8({1, 1, 2}, {-128, 127}), halving_table(2),
               {{"heads", 1}, {"causal", true}, {"score_mult", 7}, {"score_shift", 3}});
    EXPECT_EQ(r.ints(), Ints({-128, 127}));
}

TEST(Attention, RejectsBadTables) {
    const json a = {{"heads", 1}, {"score_mult", 1}, {"score_shift", 1}};
    EXPECT_THROW(attend(kQ, kK, kV, i32({2}, {0, 0}), a), InputError);      // exp(0) = 0
    EXPECT_THROW(attend(kQ, kK, kV, i32({2}, {32769, 1}), a), InputError);  // above 1.0
    EXPECT_THROW(attend(kQ, kK, kV, i32({2}, {32768, -1}), a), InputError);
}

// Channel slice [from, from + width) of a [B, L, W] int8 tensor.
Tensor channels(const Tensor& t, int64_t from, int64_t width) {
    const Shape& s = t.shape();
    const auto src = t.as<int8_t>();
    std::vector<int8_t> v;
    for (int64_t r = 0; r < s[0] * s[1]; ++r) {
        for (int64_t c = 0; c < width; ++c) v.push_back(src[r * s[2] + from + c]);
    }
    return i8({s[0], s[1], width}, v);
}

Tensor rows(const Tensor& t, int64_t len) {  // the first len time steps of a [1, L, W] tensor
    const auto src = t.as<int8_t>();
    return i8({1, len, t.shape()[2]}, std::vector<int8_t>(src.begin(), src.begin() + len * t.shape()[2]));
}

// Heads see only their own channels: a 3-head attention equals three 1-head attentions on the slices.
TEST(AttentionProperty, HeadsAreIndependent) {
    Rng rng(21);
    for (int iter = 0; iter < 100; ++iter) {
        const int64_t batch = 1 + rng.below(2), len = 1 + rng.below(6), dh = 1 + rng.below(4), heads = 3;
        const Shape shape = {batch, len, heads * dh};
        const Tensor q = random_tensor<int8_t>(rng, shape, -128, 127);
        const Tensor k = random_tensor<int8_t>(rng, shape, -128, 127);
        const Tensor v = random_tensor<int8_t>(rng, shape, -128, 127);
        const Tensor table = make_exp_table(0.05, 256);
        json a = {{"heads", heads},
                  {"causal", iter % 2 == 0},
                  {"score_mult", 1 + rng.below(100)},
                  {"score_shift", 10}};
        const Ints all = attend(q, k, v, table, a).ints();
        a["heads"] = 1;
        for (int64_t h = 0; h < heads; ++h) {
            const Ints one =
                attend(channels(q, h * dh, dh), channels(k, h * dh, dh), channels(v, h * dh, dh), table, a)
                    .ints();
            for (int64_t r = 0; r < batch * len; ++r) {
                for (int64_t c = 0; c < dh; ++c) {
                    ASSERT_EQ(all[r * heads * dh + h * dh + c], one[r * dh + c]) << iter << " head " << h;
                }
            }
        }
    }
}

// Row i of causal attention is row i of non-causal attention over the first i + 1 steps.
TEST(AttentionProperty, CausalRowIsNonCausalPrefix) {
    Rng rng(22);
    for (int iter = 0; iter < 60; ++iter) {
        const int64_t len = 1 + rng.below(6), width = 2 + 2 * rng.below(2);
        const Shape shape = {1, len, width};
        const Tensor q = random_tensor<int8_t>(rng, shape, -128, 127);
        const Tensor k = random_tensor<int8_t>(rng, shape, -128, 127);
        const Tensor v = random_tensor<int8_t>(rng, shape, -128, 127);
        const Tensor table = make_exp_table(0.1, 128);
        json a = {{"heads", 2}, {"causal", true}, {"score_mult", 1 + rng.below(50)}, {"score_shift", 8}};
        const Ints causal = attend(q, k, v, table, a).ints();
        a["causal"] = false;
        for (int64_t i = 0; i < len; ++i) {
            const Ints prefix = attend(rows(q, i + 1), rows(k, i + 1), rows(v, i + 1), table, a).ints();
            for (int64_t c = 0; c < width; ++c)
                ASSERT_EQ(causal[i * width + c], prefix[i * width + c]) << iter;
        }
    }
}

// float32 attention against double precision: softmax(scale q.k) v with O(1) values; 1e-5 absolute is
// ample for float32 over at most 6 keys of width 4.
TEST(AttentionProperty, FloatMatchesDouble) {
    Rng rng(23);
    for (int iter = 0; iter < 100; ++iter) {
        const int64_t batch = 1 + rng.below(2), len = 1 + rng.below(6), heads = 1 + rng.below(2),
                      dh = 1 + rng.below(4);
        const int64_t width = heads * dh;
        const bool causal = iter % 2 == 0;
        const double scale = rng.uniform(0.1, 2.0);
        auto rnd = [&] {
            std::vector<float> x(static_cast<size_t>(batch * len * width));
            for (float& f : x) f = static_cast<float>(rng.uniform(-1, 1));
            return x;
        };
        const std::vector<float> q = rnd(), k = rnd(), v = rnd();
        const auto r = run_op({.kind = "attention",
                               .inputs = {{"q", f32({batch, len, width}, q)},
                                          {"k", f32({batch, len, width}, k)},
                                          {"v", f32({batch, len, width}, v)}},
                               .attrs = {{"heads", heads}, {"causal", causal}, {"scale", scale}},
                               .out_shape = {batch, len, width},
                               .numerics = Numerics::float32});
        const Floats got = r.floats();
        for (int64_t b = 0; b < batch; ++b) {
            for (int64_t h = 0; h < heads; ++h) {
                for (int64_t i = 0; i < len; ++i) {
                    const int64_t last = causal ? i : len - 1;
                    std::vector<double> w;
                    double sum = 0;
                    for (int64_t j = 0; j <= last; ++j) {
                        double s = 0;
                        for (int64_t d = 0; d < dh; ++d)
                            s += double(q[(b * len + i) * width + h * dh + d]) *
                                 k[(b * len + j) * width + h * dh + d];
                        w.push_back(std::exp(scale * s));
                        sum += w.back();
                    }
                    for (int64_t d = 0; d < dh; ++d) {
                        double o = 0;
                        for (int64_t j = 0; j <= last; ++j)
                            o += w[j] / sum * v[(b * len + j) * width + h * dh + d];
                        ASSERT_NEAR(got[(b * len + i) * width + h * dh + d], o, 1e-5) << iter;
                    }
                }
            }
        }
    }
}

}  // namespace
}  // namespace ssmsim::testing
