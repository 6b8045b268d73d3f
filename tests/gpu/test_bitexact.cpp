// The GPU model computes every op CTA by CTA through its own launches (models/gpu/datapath.h); its outputs
// are byte-identical to the reference, op by op, on every LRA task x architecture at reduced length, in
// int8 and float32, with the reference's saturation counts op by op, for both kernel generations: the
// H100 config's (441b718: one CTA per query, lane-group scans, 128 x 128 GEMM tiles) and the H200's
// (34fa29c: query-block attention over key tiles, 32-step scan chunks, the warp-specialized selective scan
// at batch 1, 128 x BN mma tiles).
#include <gtest/gtest.h>

#include "reference/executor.h"
#include "sim/report/report.h"
#include "tests/gpu/gpu_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;
using workloads::Arch;
using workloads::Task;

namespace {

void expect_bit_exact(const workloads::Workload& w, const std::string& config = "") {
    expect_same_as_reference(w, run_gpu(w.trace, &w.data, nlohmann::json::object(), config), config);
}

class EveryLraWorkload : public ::testing::TestWithParam<LraCase> {};

TEST_P(EveryLraWorkload, Int8MatchesReference) {
    expect_bit_exact(lra(GetParam().task, GetParam().arch, 64));
}

TEST_P(EveryLraWorkload, Float32MatchesReference) {
    expect_bit_exact(lra(GetParam().task, GetParam().arch, 64, 2, Numerics::float32));
}

TEST_P(EveryLraWorkload, Int8MatchesReferenceOnH200Kernels) {
    expect_bit_exact(lra(GetParam().task, GetParam().arch, 64), "gpu-h200");
}

// 17 x 17: several 32-step scan chunks with a partial last one, several key tiles with a partial last one.
TEST_P(EveryLraWorkload, Int8MatchesReferenceOnH200KernelsAt289) {
    expect_bit_exact(lra(GetParam().task, GetParam().arch, 289), "gpu-h200");
}

TEST_P(EveryLraWorkload, Float32MatchesReferenceOnH200Config) {
    expect_bit_exact(lra(GetParam().task, GetParam().arch, 64, 2, Numerics::float32), "gpu-h200");
}

INSTANTIATE_TEST_SUITE_P(Lra, EveryLraWorkload, ::testing::ValuesIn(every_lra_case()), lra_case_name);

// The acceptance case: lra:text:mamba at 512 gives the reference's output_sha256.
TEST(GpuBitExact, TextMamba512) { expect_bit_exact(lra(Task::text, Arch::mamba, 512)); }

}  // namespace
