// The int8 GEMM epilogue's short requantization (kernels/gemm_mma.h, requant_hi), checked on the host
// against the contract's fx::requant: for shift >= 32 and any int32 total it must give the same int8 and
// the same saturation count; fast_requant_bias_limit must keep acc + bias inside int32 at every k.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "kernels/gemm_mma.h"
#include "sim/numerics/fixed_point.h"

namespace ssmsim::cuda::gemm_mma {
namespace {

TEST(GemmRequantHi, EqualsTheContractsRequantForEveryShiftFrom32) {
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int32_t> any_total(std::numeric_limits<int32_t>::min(),
                                                     std::numeric_limits<int32_t>::max());
    std::uniform_int_distribution<int32_t> any_mult(0, std::numeric_limits<int32_t>::max());
    std::vector<int32_t> mults = {0, 1, 2, 1119263400, 2084107948, std::numeric_limits<int32_t>::max()};
    for (int i = 0; i < 40; ++i) mults.push_back(any_mult(rng));
    long checked = 0, clipped = 0;
    for (int shift = 32; shift <= 62; ++shift) {
        for (int32_t mult : mults) {
            std::vector<int32_t> totals = {0,
                                           1,
                                           -1,
                                           127,
                                           -128,
                                           std::numeric_limits<int32_t>::max(),
                                           std::numeric_limits<int32_t>::min()};
            // Totals around each saturation edge and each rounding tie of this (mult, shift).
            if (mult > 0) {
                for (int64_t edge : {int64_t{127}, int64_t{-128}, int64_t{128}, int64_t{-129}, int64_t{0}}) {
                    const long double t = (static_cast<long double>(edge) + 0.5L) *
                                          static_cast<long double>(int64_t{1} << (shift - 32)) *
                                          4294967296.0L / static_cast<long double>(mult);
                    for (int d = -2; d <= 2; ++d) {
                        const long double x = t + d;
                        if (x > -2147483648.0L && x < 2147483647.0L)
                            totals.push_back(static_cast<int32_t>(x));
                    }
                }
            }
            for (int i = 0; i < 200; ++i) totals.push_back(any_total(rng));
            const int64_t round = requant_round(shift);
            for (int32_t total : totals) {
                unsigned fast_clips = 0;
                uint64_t want_clips = 0;
                const int8_t got = requant_hi(total, mult, round, shift - 32, fast_clips);
                const int8_t want = fx::requant(total, mult, shift, want_clips);
                ASSERT_EQ(got, want) << "total " << total << " mult " << mult << " shift " << shift;
                ASSERT_EQ(fast_clips, want_clips)
                    << "total " << total << " mult " << mult << " shift " << shift;
                ++checked;
                clipped += want_clips;
            }
        }
    }
    EXPECT_GT(checked, 200000);
    EXPECT_GT(clipped, 1000);             // the saturation side is exercised ...
    EXPECT_LT(clipped, checked - 10000);  // ... and so is the in-range side
}

TEST(GemmRequantHi, BiasLimitKeepsTheTotalInsideInt32) {
    for (int64_t k : {16, 64, 256, 1024, 65536}) {
        const int64_t limit = fast_requant_bias_limit(k);
        ASSERT_GE(limit, 0) << k;
        // The extreme accumulators: k products of (-128)(-128) or of 127(-128).
        EXPECT_LE(16384 * k + limit, std::numeric_limits<int32_t>::max()) << k;
        EXPECT_GE(-16256 * k - limit, std::numeric_limits<int32_t>::min()) << k;
    }
    EXPECT_LT(fast_requant_bias_limit(int64_t{1} << 17), 0);  // no bias fits there: the int64 form runs
}

}  // namespace
}  // namespace ssmsim::cuda::gemm_mma
