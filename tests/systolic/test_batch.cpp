// Batches (ssmsim run --batch N): the systolic model's outputs stay byte-identical to the reference with
// three samples, also when tiles cut across samples, and sample 0's logits are those of the batch of one.
#include <gtest/gtest.h>

#include "tests/systolic/model_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;

namespace {

class BatchOfThree : public ::testing::TestWithParam<LraCase> {};

TEST_P(BatchOfThree, MatchesReferenceAndSampleZeroIsTheBatchOfOne) {
    const auto w = lra_batch(GetParam().task, GetParam().arch, 64, 3);
    const RunResult r = run_systolic(w.trace, &w.data);
    expect_same_as_reference(w, r);
    expect_first_sample_is_batch_of_one(w, r.outputs, lra(GetParam().task, GetParam().arch, 64), 3);
}

TEST_P(BatchOfThree, StressConfigMatchesReference) {
    // Tiles of 5 x 3 and 7-step scan chunks do not divide 64 steps: tiles straddle two samples.
    const nlohmann::json stress = {{"array.rows", 5},       {"array.cols", 3},    {"scan.lanes", 3},
                                   {"scan.chunk_len", 7},   {"dma.buffers", 1},   {"sram.activations.kib", 2},
                                   {"sram.weights.kib", 1}, {"sram.state.kib", 1}};
    const auto w = lra_batch(GetParam().task, GetParam().arch, 64, 3);
    expect_same_as_reference(w, run_systolic(w.trace, &w.data, stress), "stress config");
}

INSTANTIATE_TEST_SUITE_P(Lra, BatchOfThree, ::testing::ValuesIn(batch_lra_cases()), lra_case_name);

}  // namespace
