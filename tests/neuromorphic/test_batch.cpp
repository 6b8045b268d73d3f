// Batches (ssmsim run --batch N): at threshold 0 the neuromorphic model's outputs stay byte-identical to the
// reference with three samples (its time axis runs through the samples one after another, sigma-delta state
// restarting at each), and sample 0's logits are those of the batch of one.
#include <gtest/gtest.h>

#include "tests/neuromorphic/harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;

namespace {

class BatchOfThree : public ::testing::TestWithParam<LraCase> {};

TEST_P(BatchOfThree, MatchesReferenceAndSampleZeroIsTheBatchOfOne) {
    const auto w = lra_batch(GetParam().task, GetParam().arch, 64, 3);
    // The model's own comparison is off: the test runs the reference itself.
    const RunResult r = run_neuromorphic(w.trace, &w.data, {{"report.compare_with_reference", false}});
    expect_same_as_reference(w, r);
    expect_first_sample_is_batch_of_one(w, r.outputs, lra(GetParam().task, GetParam().arch, 64), 3);
}

INSTANTIATE_TEST_SUITE_P(Lra, BatchOfThree, ::testing::ValuesIn(batch_lra_cases()), lra_case_name);

}  // namespace
