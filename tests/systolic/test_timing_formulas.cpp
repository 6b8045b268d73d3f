// The array's GEMM cycles against SCALE-Sim v2, and the scan unit's closed form against a stepped model of
// its issue logic.
#include <gtest/gtest.h>

#include "models/systolic/gemm_timing.h"
#include "models/systolic/scan_timing.h"

using namespace ssmsim::systolic;

namespace {

// Cycle counts printed by scale-sim-v2 (scalesim-project/scale-sim-v2 at 22f88b1) for these GEMMs with
// no memory stalls: its systolic_compute_{os,ws} classes were run on each shape and their demand
// matrices counted. v2's "Total Cycles" is the index of the last cycle, so it is one less than these.
struct ScaleSimCase {
    int64_t rows, cols, m, k, n;
    int64_t os, ws;
};
const ScaleSimCase kScaleSim[] = {
    {32, 32, 64, 64, 64, 504, 632},
    {32, 32, 100, 50, 70, 1344, 1164},
    {32, 32, 128, 256, 64, 2544, 3552},
    {8, 4, 20, 9, 13, 228, 304},
};

}  // namespace

TEST(GemmTiming, MatchesScaleSimV2) {
    for (const auto& c : kScaleSim) {
        const GemmShape g{c.m, c.k, c.n};
        EXPECT_EQ(scalesim_cycles(Dataflow::os, g, c.rows, c.cols), c.os) << c.m << "x" << c.k << "x" << c.n;
        EXPECT_EQ(scalesim_cycles(Dataflow::ws, g, c.rows, c.cols), c.ws) << c.m << "x" << c.k << "x" << c.n;
    }
}

TEST(GemmTiming, ScaleSimGoldenAlexNetConv1) {
    // scale-sim-v2's own golden test (test/golden_trace/COMPUTE_REPORT.csv): AlexNet conv1 as a GEMM
    // (M = 55*55 output pixels, K = 11*11*3, N = 96 filters) on a 32x32 WS array: "Total Cycles" 112283.
    EXPECT_EQ(scalesim_cycles(Dataflow::ws, {3025, 363, 96}, 32, 32) - 1, 112283);
}

TEST(GemmTiming, TilesSumToTheWholeGemm) {
    // Unblocked (one M block), the tiles of every column fold add up to SCALE-Sim's count.
    for (const auto& c : kScaleSim) {
        for (Dataflow d : {Dataflow::ws, Dataflow::os}) {
            const int64_t folds_n = ceil_div(c.n, c.cols);
            EXPECT_EQ(folds_n * tile_cycles(d, c.m, c.k, c.rows, c.cols),
                      scalesim_cycles(d, {c.m, c.k, c.n}, c.rows, c.cols));
        }
    }
}

TEST(ScanTiming, ClosedFormEqualsSteppedPipeline) {
    for (int64_t lanes : {1, 2, 3, 8}) {
        for (int64_t depth : {1, 2, 4, 5}) {
            for (int64_t out_lat : {0, 3}) {
                const ScanPipe p{lanes, depth, out_lat};
                for (int64_t pairs = 1; pairs <= 37; pairs += 3) {
                    for (int64_t steps : {1, 2, 7, 16}) {
                        ASSERT_EQ(scan_chunk_cycles(p, pairs, steps),
                                  scan_chunk_cycles_stepped(p, pairs, steps))
                            << "lanes " << lanes << " depth " << depth << " pairs " << pairs << " steps "
                            << steps;
                    }
                }
            }
        }
    }
}

TEST(ScanTiming, FullLanesWithEnoughSlotsIssueEveryCycle) {
    // 64 lanes x depth 4 holding 256 pairs: one update per lane per cycle after the pipeline fills.
    const ScanPipe p{64, 4, 0};
    EXPECT_EQ(scan_chunk_cycles(p, 256, 100), 100 * 4 + 3);
    // Fewer slots than the depth: every step waits for the previous result.
    EXPECT_EQ(scan_chunk_cycles(p, 64, 100), 99 * 4 + 1 + 3);
}
