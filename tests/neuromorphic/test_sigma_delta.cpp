// Sigma-delta encoding and the threshold trade-off: the encoder's guarantees (lossless at 0, error bounded
// by the threshold above it), and on LRA workloads fewer spikes, less energy and a finite, falling output
// SNR as the threshold rises.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "models/neuromorphic/sigma_delta.h"
#include "sim/util/rng.h"
#include "tests/neuromorphic/harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;
using neuromorphic::TimeAxis;
using workloads::Arch;
using workloads::Task;

namespace {

// A slowly drifting signal with occasional jumps, like an activation over tokens.
std::vector<int8_t> drifting(const TimeAxis& a, uint64_t seed) {
    Rng rng(seed);
    std::vector<int8_t> x(static_cast<size_t>(a.rows() * a.channels));
    for (int64_t b = 0; b < a.batch; ++b) {
        for (int64_t c = 0; c < a.channels; ++c) {
            int v = static_cast<int>(rng.below(256)) - 128;
            for (int64_t s = 0; s < a.steps; ++s) {
                const uint64_t r = rng.below(16);
                v += r == 0 ? static_cast<int>(rng.below(101)) - 50 : static_cast<int>(r % 5) - 2;
                v = std::clamp(v, -128, 127);
                x[(b * a.steps + s) * a.channels + c] = static_cast<int8_t>(v);
            }
        }
    }
    return x;
}

TEST(SigmaDelta, ThresholdZeroSendsEveryChangeAndReconstructsExactly) {
    const TimeAxis a{3, 50, 7};
    for (bool reverse : {false, true}) {
        const auto x = drifting(a, 11);
        auto y = x;
        const auto e = neuromorphic::sigma_delta_encode(y, a, reverse, 0);
        EXPECT_EQ(y, x);
        int64_t changes = 0, max_change = 0, per_row_sum = 0;
        for (int64_t b = 0; b < a.batch; ++b) {
            for (int64_t c = 0; c < a.channels; ++c) {
                int prev = 0;
                for (int64_t s = 0; s < a.steps; ++s) {
                    const int64_t t = reverse ? a.steps - 1 - s : s;
                    const int v = x[(b * a.steps + t) * a.channels + c];
                    changes += v != prev;
                    max_change = std::max<int64_t>(max_change, std::abs(v - prev));
                    prev = v;
                }
            }
        }
        for (int32_t n : e.spikes_per_row) per_row_sum += n;
        EXPECT_EQ(e.spikes, changes) << reverse;
        EXPECT_EQ(per_row_sum, e.spikes);
        EXPECT_EQ(e.max_payload, max_change);
    }
}

TEST(SigmaDelta, AboveZeroTheReceiverIsWithinTheThresholdAndGetsFewerSpikes) {
    const TimeAxis a{2, 80, 9};
    const auto x = drifting(a, 12);
    int64_t previous = INT64_MAX;
    for (int64_t th : {0, 1, 2, 4, 8, 16, 64}) {
        for (bool reverse : {false, true}) {
            auto y = x;
            const auto e = neuromorphic::sigma_delta_encode(y, a, reverse, th);
            int64_t worst = 0;
            for (size_t i = 0; i < x.size(); ++i) worst = std::max<int64_t>(worst, std::abs(x[i] - y[i]));
            EXPECT_LE(worst, th) << "threshold " << th;
            if (th > 0) {
                EXPECT_GT(worst, 0) << "threshold " << th << ": nothing was dropped";
            }
            if (!reverse) {
                EXPECT_LT(e.spikes, previous) << "threshold " << th;
                previous = e.spikes;
            }
        }
    }
}

TEST(SigmaDelta, ReverseOrderStartsFromTheLastToken) {
    // One channel, [5, 5, 0]: forward sends 5 then 0 (2 spikes); backward sends nothing for the first
    // token (0), then 5 (1 spike).
    const TimeAxis a{1, 3, 1};
    std::vector<int8_t> fwd{5, 5, 0}, bwd{5, 5, 0};
    EXPECT_EQ(neuromorphic::sigma_delta_encode(fwd, a, false, 0).spikes, 2);
    const auto e = neuromorphic::sigma_delta_encode(bwd, a, true, 0);
    EXPECT_EQ(e.spikes, 1);
    EXPECT_EQ(e.spikes_per_row, (std::vector<int32_t>{0, 1, 0}));
    // Threshold 4 in reverse over [5, 3, 0]: 0 is no change, |3 - 0| = 3 is not above 4 (the receiver keeps
    // 0), |5 - 0| = 5 is sent.
    std::vector<int8_t> t4{5, 3, 0};
    EXPECT_EQ(neuromorphic::sigma_delta_encode(t4, a, true, 4).spikes, 1);
    EXPECT_EQ(t4, (std::vector<int8_t>{5, 0, 0}));
}

struct Point {
    double energy, dynamic, spikes, synops, sparsity, snr, agreement;
    uint64_t cycles;
};

Point at_threshold(const workloads::Workload& w, int64_t th) {
    const RunResult r = run_neuromorphic(w.trace, &w.data, {{"sigma_delta.threshold", th}});
    const auto& e = r.report.at("error_vs_reference");
    return {num(r.report, "energy_pj"),
            num(r.report, "dynamic_energy_pj"),
            num(r.report, "spikes"),
            num(r.report, "synops"),
            r.report["sigma_delta"]["sparsity"].get<double>(),
            snr_db(r),
            e.at("class_agreement").get<double>(),
            r.report["cycles"].get<uint64_t>()};
}

TEST(SigmaDeltaTradeOff, PathfinderS4dThresholdFourCostsLessThanZero) {
    const auto w = lra(Task::pathfinder, Arch::s4d, 144);
    const Point zero = at_threshold(w, 0), four = at_threshold(w, 4);
    EXPECT_LT(four.energy, zero.energy);
    EXPECT_LT(four.dynamic, zero.dynamic);
    EXPECT_LT(four.spikes, zero.spikes);
    EXPECT_LT(four.synops, zero.synops);
    EXPECT_GT(four.sparsity, zero.sparsity);
    EXPECT_LE(four.cycles, zero.cycles);  // fewer events per timestep never lengthen one
    EXPECT_TRUE(std::isinf(zero.snr));
    EXPECT_TRUE(std::isfinite(four.snr));
    EXPECT_GE(four.agreement, 0.0);
    EXPECT_LE(four.agreement, 1.0);
}

class TradeOffOnLra : public ::testing::TestWithParam<std::pair<Task, Arch>> {};

TEST_P(TradeOffOnLra, SpikesAndEnergyFallAndSnrIsFiniteAndFalls) {
    const auto w = lra(GetParam().first, GetParam().second, 64, 3);
    const Point p0 = at_threshold(w, 0), p1 = at_threshold(w, 1), p4 = at_threshold(w, 4),
                p16 = at_threshold(w, 16);
    EXPECT_GT(p0.spikes, p4.spikes);
    EXPECT_GT(p4.spikes, p16.spikes);
    EXPECT_GT(p0.energy, p4.energy);
    EXPECT_GT(p4.energy, p16.energy);
    EXPECT_TRUE(std::isinf(p0.snr));
    for (const Point& p : {p1, p4, p16}) EXPECT_TRUE(std::isfinite(p.snr) && p.snr > 0) << p.snr;
    EXPECT_GT(p1.snr, p16.snr);
}

INSTANTIATE_TEST_SUITE_P(Lra, TradeOffOnLra,
                         ::testing::Values(std::pair{Task::listops, Arch::mamba},
                                           std::pair{Task::text, Arch::transformer},
                                           std::pair{Task::image, Arch::s4d}),
                         [](const auto& info) {
                             return std::string(workloads::task_info(info.param.first).name) + "_" +
                                    std::string(workloads::arch_name(info.param.second));
                         });

}  // namespace
