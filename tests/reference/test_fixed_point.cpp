// The integer primitives of the numerics contract (sim/numerics/fixed_point.h) and the table generators
// (sim/numerics/tables.h), against values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "sim/numerics/fixed_point.h"
#include "sim/numerics/tables.h"

namespace ssmsim {
namespace {

using fx::rshift_round;

TEST(FixedPoint, RshiftRoundIsHalfUp) {
    EXPECT_EQ(rshift_round(5, 1), 3);     // 2.5 -> 3
    EXPECT_EQ(rshift_round(3, 1), 2);     // 1.5 -> 2
    EXPECT_EQ(rshift_round(-5, 1), -2);   // -2.5 -> -2: ties go toward +infinity, not away from zero
    EXPECT_EQ(rshift_round(-3, 1), -1);   // -1.5 -> -1
    EXPECT_EQ(rshift_round(-1, 1), 0);    // -0.5 -> 0
    EXPECT_EQ(rshift_round(-6, 2), -1);   // floor((-6 + 2) / 4) = floor(-1) = -1 (-1.5 -> -1)
    EXPECT_EQ(rshift_round(-10, 2), -2);  // -2.5 -> -2
    EXPECT_EQ(rshift_round(-11, 2), -3);  // -2.75 -> -3
    EXPECT_EQ(rshift_round(-4, 3), 0);    // -0.5 -> 0
    EXPECT_EQ(rshift_round(-5, 3), -1);   // -0.625 -> -1
    EXPECT_EQ(rshift_round(12, 3), 2);    // 1.5 -> 2
    EXPECT_EQ(rshift_round(11, 3), 1);    // 1.375 -> 1
}

TEST(FixedPoint, RshiftRoundShiftZeroIsIdentity) {
    for (int64_t x : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{-7}, int64_t{1} << 62, INT64_MIN}) {
        EXPECT_EQ(rshift_round(x, 0), x);
    }
}

TEST(FixedPoint, RshiftRoundLargeShifts) {
    // The documented range |x| + 2^(s-1) < 2^63 holds for these.
    EXPECT_EQ(rshift_round(int64_t{1} << 61, 62), 1);     // 0.5 -> 1
    EXPECT_EQ(rshift_round(-(int64_t{1} << 61), 62), 0);  // -0.5 -> 0
    EXPECT_EQ(rshift_round(int64_t{3} << 40, 40), 3);
    EXPECT_EQ(rshift_round(-(int64_t{3} << 40) - 1, 40), -3);
}

TEST(FixedPoint, Sat8ClipsAndCounts) {
    uint64_t clips = 0;
    EXPECT_EQ(fx::sat8(127, clips), 127);
    EXPECT_EQ(fx::sat8(-128, clips), -128);
    EXPECT_EQ(fx::sat8(0, clips), 0);
    EXPECT_EQ(clips, 0u);  // the bounds themselves are not clips
    EXPECT_EQ(fx::sat8(128, clips), 127);
    EXPECT_EQ(fx::sat8(-129, clips), -128);
    EXPECT_EQ(fx::sat8(INT64_MAX, clips), 127);
    EXPECT_EQ(fx::sat8(INT64_MIN, clips), -128);
    EXPECT_EQ(clips, 4u);
}

TEST(FixedPoint, Sat32ClipsAndCounts) {
    uint64_t clips = 0;
    EXPECT_EQ(fx::sat32(INT32_MAX, clips), INT32_MAX);
    EXPECT_EQ(fx::sat32(INT32_MIN, clips), INT32_MIN);
    EXPECT_EQ(clips, 0u);
    EXPECT_EQ(fx::sat32(int64_t{INT32_MAX} + 1, clips), INT32_MAX);
    EXPECT_EQ(fx::sat32(int64_t{INT32_MIN} - 1, clips), INT32_MIN);
    EXPECT_EQ(fx::sat32(int64_t{1} << 50, clips), INT32_MAX);
    EXPECT_EQ(clips, 3u);
}

TEST(FixedPoint, Requant) {
    uint64_t clips = 0;
    EXPECT_EQ(fx::requant(100, 3, 2, clips), 75);   // 300 / 4 = 75
    EXPECT_EQ(fx::requant(101, 3, 2, clips), 76);   // 303 / 4 = 75.75 -> 76
    EXPECT_EQ(fx::requant(-10, 1, 2, clips), -2);   // -2.5 -> -2
    EXPECT_EQ(fx::requant(-7, 5, 0, clips), -35);   // shift 0: the product itself
    EXPECT_EQ(fx::requant(-31, 3, 2, clips), -23);  // -93 / 4 = -23.25 -> -23
    EXPECT_EQ(clips, 0u);
    EXPECT_EQ(fx::requant(1000, 1, 2, clips), 127);    // 250 clips
    EXPECT_EQ(fx::requant(-1000, 1, 2, clips), -128);  // -250 clips
    EXPECT_EQ(clips, 2u);
    // int64 product: 2^31 * (2^31 - 1) = 2^62 - 2^31 does not overflow; / 2^62 = 1 - 2^-31 -> 1.
    EXPECT_EQ(fx::requant(int64_t{1} << 31, (int64_t{1} << 31) - 1, 62, clips), 1);
}

TEST(FixedPoint, TableIndexClamps) {
    EXPECT_EQ(fx::table_index(-5, 0, 8), 0);    // negative -> 0
    EXPECT_EQ(fx::table_index(-1, 1, 8), 0);    // -0.5 rounds to 0
    EXPECT_EQ(fx::table_index(-3, 1, 8), 0);    // -1.5 -> -1 -> clamped to 0
    EXPECT_EQ(fx::table_index(13, 2, 8), 3);    // 3.25 -> 3
    EXPECT_EQ(fx::table_index(14, 2, 100), 4);  // 3.5 -> 4
    EXPECT_EQ(fx::table_index(7, 0, 8), 7);     // last entry
    EXPECT_EQ(fx::table_index(8, 0, 8), 7);     // one past -> last
    EXPECT_EQ(fx::table_index(100, 2, 8), 7);   // 25 -> last
    EXPECT_EQ(fx::table_index(int64_t{1} << 60, 0, 65536), 65535);
    EXPECT_EQ(fx::table_index(123, 5, 1), 0);  // a one-entry table
}

TEST(FixedPoint, LutIndexAndFloorLog2) {
    EXPECT_EQ(fx::lut_index(-128), 0);
    EXPECT_EQ(fx::lut_index(-1), 127);
    EXPECT_EQ(fx::lut_index(0), 128);
    EXPECT_EQ(fx::lut_index(127), 255);
    EXPECT_EQ(fx::floor_log2(1), 0);
    EXPECT_EQ(fx::floor_log2(2), 1);
    EXPECT_EQ(fx::floor_log2(3), 1);
    EXPECT_EQ(fx::floor_log2(1024), 10);
    EXPECT_EQ(fx::floor_log2(1023), 9);
    EXPECT_EQ(fx::floor_log2(UINT64_MAX), 63);
}

TEST(FixedPoint, RsqrtSplit) {
    // m = idx * 2^e / 64 with e = floor(log2 m) rounded down to even, so idx in [64, 256).
    struct Case {
        uint64_t m;
        int idx, half_exp;
    };
    const Case cases[] = {
        {1, 64, 0},                   // k = 0, e = 0: 1 * 64
        {2, 128, 0},                  // k = 1, e = 0: 2 * 64
        {3, 192, 0},                  // k = 1, e = 0: 3 * 64
        {4, 64, 1},                   // k = 2, e = 2: 256 >> 2
        {8, 128, 1},                  // k = 3, e = 2: 512 >> 2
        {15, 240, 1},                 // k = 3, e = 2: 960 >> 2
        {16, 64, 2},                  // k = 4, e = 4
        {255, 255, 3},                // k = 7, e = 6: 16320 >> 6
        {256, 64, 4},                 // k = 8, e = 8
        {uint64_t{1} << 40, 64, 20},  // k = 40, e = 40
        {(uint64_t{1} << 41) + 12345, 128,
         20},                                // k = 41, e = 40: (2^47 + 12345*64) >> 40 = 128 (low bits drop)
        {(uint64_t{1} << 42) - 1, 255, 20},  // k = 41, e = 40: just below 256
    };
    for (const Case& c : cases) {
        const auto s = fx::rsqrt_split(c.m);
        EXPECT_EQ(s.idx, c.idx) << "m = " << c.m;
        EXPECT_EQ(s.half_exp, c.half_exp) << "m = " << c.m;
    }
}

TEST(FixedPoint, RsqrtSplitIndexAlwaysInRange) {
    for (uint64_t m = 1; m < 5000; ++m) {
        const auto s = fx::rsqrt_split(m);
        ASSERT_GE(s.idx, 64) << m;
        ASSERT_LT(s.idx, 256) << m;
        // idx * 2^(2 * half_exp) / 64 is m with its low bits dropped.
        ASSERT_LE((uint64_t(s.idx) << (2 * s.half_exp)) >> 6, m) << m;
    }
}

TEST(Tables, RsqrtTable) {
    const auto& t = rsqrt_table();
    // round(32768 * 8 / sqrt(idx)):
    EXPECT_EQ(t[64], 32768);                                        // 262144 / 8
    EXPECT_EQ(t[100], 26214);                                       // 262144 / 10 = 26214.4
    EXPECT_EQ(t[128], 23170);                                       // 262144 / 11.3137 = 23170.475
    EXPECT_EQ(t[144], 21845);                                       // 262144 / 12 = 21845.33
    EXPECT_EQ(t[196], 18725);                                       // 262144 / 14 = 18724.57
    EXPECT_EQ(t[255], 16416);                                       // 262144 / 15.9687 = 16416.09
    for (int i = 0; i < 64; ++i) EXPECT_EQ(t[i], 0) << i;           // unused
    for (int i = 65; i < 256; ++i) EXPECT_LT(t[i], t[i - 1]) << i;  // strictly decreasing
}

TEST(Tables, RsqrtApproximatesInverseSqrt) {
    // 1/sqrt(m) ~= t[idx] * 2^-(15 + half_exp); the mantissa keeps 8 bits, so within 1% (drop <= 1/64 of m).
    for (uint64_t m : {uint64_t{1}, uint64_t{7}, uint64_t{64}, uint64_t{1000}, uint64_t{123456789}}) {
        const auto s = fx::rsqrt_split(m);
        const double approx = rsqrt_table()[s.idx] * std::ldexp(1.0, -(15 + s.half_exp));
        EXPECT_NEAR(approx, 1.0 / std::sqrt(double(m)), 0.01 / std::sqrt(double(m))) << m;
    }
}

TEST(Tables, ExpTable) {
    const Tensor t = make_exp_table(std::log(2.0), 5);  // halves at every step
    ASSERT_EQ(t.dtype(), DType::int32);
    ASSERT_EQ(t.shape(), Shape{5});
    const auto v = t.as<int32_t>();
    EXPECT_EQ(v[0], 32768);
    EXPECT_EQ(v[1], 16384);
    EXPECT_EQ(v[2], 8192);
    EXPECT_EQ(v[3], 4096);
    EXPECT_EQ(v[4], 2048);
    EXPECT_THROW(make_exp_table(0.0, 4), std::invalid_argument);
    EXPECT_THROW(make_exp_table(0.1, 0), std::invalid_argument);
}

TEST(Tables, Lut8) {
    // relu with equal scales: entry i is max(i - 128, 0).
    const Tensor relu = make_lut8(LutFn::relu, 0.1, 0.1);
    const auto r = relu.as<int8_t>();
    EXPECT_EQ(r[0], 0);
    EXPECT_EQ(r[127], 0);
    EXPECT_EQ(r[128], 0);
    EXPECT_EQ(r[129], 1);
    EXPECT_EQ(r[255], 127);
    // sigmoid(0) / (1/127) = 63.5 -> 64 (half away from zero); large inputs saturate at 127.
    const Tensor sig = make_lut8(LutFn::sigmoid, 1.0 / 16, 1.0 / 127);
    EXPECT_EQ(sig.as<int8_t>()[128], 64);
    EXPECT_EQ(sig.as<int8_t>()[255], 127);  // sigmoid(7.94) * 127 = 126.96 -> 127
    EXPECT_EQ(sig.as<int8_t>()[0], 0);      // sigmoid(-8) * 127 = 0.043 -> 0
    // exp saturates: e^(127/16) / (1/16) is far above 127.
    EXPECT_EQ(make_lut8(LutFn::exp, 1.0 / 16, 1.0 / 16).as<int8_t>()[255], 127);
    EXPECT_THROW(make_lut8(LutFn::silu, 0.0, 1.0), std::invalid_argument);
}

}  // namespace
}  // namespace ssmsim
