// Batches (ssmsim run --batch N): the GPU model's outputs stay byte-identical to the reference with three
// samples (the batch multiplies the CTAs of its launches), and sample 0's logits are those of the batch of
// one.
#include <gtest/gtest.h>

#include "tests/gpu/gpu_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;

namespace {

class BatchOfThree : public ::testing::TestWithParam<LraCase> {};

TEST_P(BatchOfThree, MatchesReferenceAndSampleZeroIsTheBatchOfOne) {
    const auto w = lra_batch(GetParam().task, GetParam().arch, 64, 3);
    const RunResult r = run_gpu(w.trace, &w.data);
    expect_same_as_reference(w, r);
    expect_first_sample_is_batch_of_one(w, r.outputs, lra(GetParam().task, GetParam().arch, 64), 3);
}

INSTANTIATE_TEST_SUITE_P(Lra, BatchOfThree, ::testing::ValuesIn(batch_lra_cases()), lra_case_name);

}  // namespace
