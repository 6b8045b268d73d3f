// The worked examples of docs/numerics.md, run against the code, so the document and the reference cannot
// drift apart silently.
#include <gtest/gtest.h>

#include <array>

#include "sim/numerics/fixed_point.h"
#include "sim/numerics/tables.h"
#include "sim/util/error.h"
#include "tests/support/op_harness.h"

namespace ssmsim::testing {
namespace {

TEST(ContractExamples, Primitives) {
    EXPECT_EQ(fx::rshift_round(5, 1), 3);
    EXPECT_EQ(fx::rshift_round(-5, 1), -2);
    EXPECT_EQ(fx::rshift_round(-3, 1), -1);
    EXPECT_EQ(fx::rshift_round(-7, 2), -2);
    EXPECT_EQ(fx::rshift_round(-6, 2), -1);
    EXPECT_EQ(fx::rshift_round(-4, 3), 0);
    EXPECT_EQ(fx::rshift_round(7, 0), 7);
    uint64_t clips = 0;
    EXPECT_EQ(fx::requant(-300, 3, 3, clips), -112);
    EXPECT_EQ(clips, 0u);
    EXPECT_EQ(fx::requant(-1000, 1, 2, clips), -128);
    EXPECT_EQ(clips, 1u);
    EXPECT_EQ(fx::table_index(37, 2, 10), 9);
    EXPECT_EQ(fx::table_index(100, 2, 10), 9);
    EXPECT_EQ(fx::table_index(-3, 0, 10), 0);
}

TEST(ContractExamples, Tables) {
    const Tensor silu = make_lut8(LutFn::silu, 0.05, 0.04);
    EXPECT_EQ(silu.as<int8_t>()[138], 8);   // silu(0.5) / 0.04 = 7.78
    EXPECT_EQ(silu.as<int8_t>()[100], -7);  // silu(-1.4) / 0.04 = -6.92
    EXPECT_EQ(ints(make_exp_table(0.5, 4)), Ints({32768, 19875, 12055, 7312}));
}

TEST(ContractExamples, RsqrtTableAsListed) {
    // The table printed in docs/numerics.md, idx = 64 + 16 * row + column.
    static constexpr std::array<int32_t, 192> kListed = {
        32768, 32515, 32268, 32026, 31790, 31558, 31332, 31111, 30894, 30682, 30474, 30270, 30070, 29874,
        29682, 29494, 29309, 29127, 28949, 28774, 28602, 28434, 28268, 28105, 27945, 27787, 27632, 27480,
        27330, 27183, 27038, 26895, 26755, 26617, 26481, 26346, 26214, 26084, 25956, 25830, 25705, 25583,
        25462, 25342, 25225, 25109, 24994, 24882, 24770, 24660, 24552, 24445, 24339, 24235, 24132, 24031,
        23930, 23831, 23733, 23637, 23541, 23447, 23354, 23262, 23170, 23080, 22992, 22904, 22817, 22731,
        22646, 22562, 22479, 22396, 22315, 22235, 22155, 22077, 21999, 21922, 21845, 21770, 21695, 21621,
        21548, 21476, 21404, 21333, 21263, 21193, 21124, 21056, 20988, 20921, 20855, 20789, 20724, 20660,
        20596, 20533, 20470, 20408, 20346, 20285, 20225, 20165, 20106, 20047, 19988, 19930, 19873, 19816,
        19760, 19704, 19649, 19594, 19539, 19485, 19431, 19378, 19326, 19273, 19221, 19170, 19119, 19068,
        19018, 18968, 18919, 18870, 18821, 18773, 18725, 18677, 18630, 18583, 18536, 18490, 18444, 18399,
        18354, 18309, 18264, 18220, 18176, 18133, 18090, 18047, 18004, 17962, 17920, 17878, 17837, 17795,
        17755, 17714, 17674, 17634, 17594, 17554, 17515, 17476, 17438, 17399, 17361, 17323, 17285, 17248,
        17211, 17174, 17137, 17100, 17064, 17028, 16992, 16957, 16921, 16886, 16851, 16817, 16782, 16748,
        16714, 16680, 16646, 16613, 16579, 16546, 16514, 16481, 16448, 16416};
    const auto& t = rsqrt_table();
    for (int i = 0; i < 192; ++i) EXPECT_EQ(t[64 + i], kListed[i]) << "idx " << 64 + i;
}

TEST(ContractExamples, RsqrtSplit) {
    struct Case {
        uint64_t m;
        int idx, h;
        int32_t rs;
    };
    for (const Case& c : {Case{1000, 250, 4, 16579}, Case{1, 64, 0, 32768}, Case{4, 64, 1, 32768},
                          Case{37, 148, 2, 21548}, Case{357, 89, 4, 27787}}) {
        const auto s = fx::rsqrt_split(c.m);
        EXPECT_EQ(s.idx, c.idx) << c.m;
        EXPECT_EQ(s.half_exp, c.h) << c.m;
        EXPECT_EQ(rsqrt_table()[s.idx], c.rs) << c.m;
    }
}

TEST(ContractExamples, AddExample) {
    // -3 * 3 + 5 * (-2) = -19; floor((-19 + 1) / 2) = -9.
    const auto r = run_op({.kind = "add",
                           .inputs = {{"a", i8({1}, {-3})}, {"b", i8({1}, {5})}},
                           .attrs = {{"mult_a", 3}, {"mult_b", -2}, {"shift", 1}},
                           .out_shape = {1}});
    EXPECT_EQ(r.ints(), Ints({-9}));
}

TEST(ContractExamples, RmsNormExample) {
    // m = 357, rs = RSQRT[89] = 27787, z = (543, -1085, 1628, 271), y = 64 z, >> 13.
    const auto r =
        run_op({.kind = "rmsnorm",
                .inputs = {{"x", i8({1, 4}, {10, -20, 30, 5})}, {"gamma", i8({4}, {64, 64, 64, 64})}},
                .attrs = {{"eps", 1}, {"mult", 1}, {"shift", 13}},
                .out_shape = {1, 4}});
    EXPECT_EQ(r.ints(), Ints({4, -8, 13, 2}));
}

TEST(ContractExamples, AttentionProbabilities) {
    // Scores (2, 0) for both queries; with score_mult 1, shift 0 the loser indexes entry 2 of the step-0.5
    // table: e = (32768, 12055), p = (23955, 8813) as in the document.
    // out = (23955 * 100 + 8813 * (-100)) = 1514200, >> 15: 46.21 -> 46.
    const auto r = run_op({.kind = "attention",
                           .inputs = {{"q", i8({1, 2, 1}, {1, 1})},
                                      {"k", i8({1, 2, 1}, {2, 0})},
                                      {"v", i8({1, 2, 1}, {100, -100})},
                                      {"exp_table", make_exp_table(0.5, 4)}},
                           .attrs = {{"heads", 1}, {"score_mult", 1}, {"score_shift", 0}},
                           .out_shape = {1, 2, 1}});
    EXPECT_EQ(r.ints(), Ints({46, 46}));
}

TEST(ContractExamples, RuntimeErrorMessage) {
    // The documented form, for a tensor without a file: names the tensor, input position, op and element.
    try {
        run_op({.kind = "linear",
                .inputs = {{"x", i8({1, 1}, {1})}, {"w", i8({1, 1}, {1})}, {"bias", i32({1}, {1 << 30})}},
                .attrs = {{"mult", 1}, {"shift", 0}},
                .out_shape = {1, 1}});
        ADD_FAILURE() << "accepted";
    } catch (const InputError& e) {
        EXPECT_STREQ(
            e.what(),
            "tensor 'bias' (input 2 of op 'op0', element 0): expected a bias within +-(2^30 - 1), found "
            "1073741824");
    }
}

}  // namespace
}  // namespace ssmsim::testing
