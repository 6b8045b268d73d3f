// The GPU model's outputs are byte-identical to the reference on every LRA task x architecture at reduced
// length, in int8 and float32, with the reference's saturation counts op by op.
#include <gtest/gtest.h>

#include "reference/executor.h"
#include "sim/report/report.h"
#include "tests/gpu/gpu_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;
using workloads::Arch;
using workloads::Task;

namespace {

void expect_bit_exact(const workloads::Workload& w) {
    expect_same_as_reference(w, run_gpu(w.trace, &w.data));
}

class EveryLraWorkload : public ::testing::TestWithParam<LraCase> {};

TEST_P(EveryLraWorkload, Int8MatchesReference) {
    expect_bit_exact(lra(GetParam().task, GetParam().arch, 64));
}

TEST_P(EveryLraWorkload, Float32MatchesReference) {
    expect_bit_exact(lra(GetParam().task, GetParam().arch, 64, 2, Numerics::float32));
}

INSTANTIATE_TEST_SUITE_P(Lra, EveryLraWorkload, ::testing::ValuesIn(every_lra_case()), lra_case_name);

// The acceptance case: lra:text:mamba at 512 gives the reference's output_sha256.
TEST(GpuBitExact, TextMamba512) { expect_bit_exact(lra(Task::text, Arch::mamba, 512)); }

}  // namespace
