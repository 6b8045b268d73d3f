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

struct Case {
    Task task;
    Arch arch;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
    return std::string(workloads::task_info(info.param.task).name) + "_" +
           std::string(workloads::arch_name(info.param.arch));
}

void expect_same_as_reference(const workloads::Workload& w) {
    const reference::Execution ref = reference::execute(w.trace, w.data);
    const RunResult g = run_gpu(w.trace, &w.data);
    ASSERT_EQ(g.outputs.size(), w.trace.outputs.size());
    for (const auto& name : w.trace.outputs) {
        const auto a = ref.outputs.at(name).bytes(), b = g.outputs.at(name).bytes();
        ASSERT_EQ(a.size(), b.size()) << name;
        size_t first = a.size();
        for (size_t i = 0; i < a.size() && first == a.size(); ++i) {
            if (a[i] != b[i]) first = i;
        }
        EXPECT_EQ(first, a.size()) << "output " << name << " differs at byte " << first;
    }
    EXPECT_EQ(output_sha256(w.trace, g.outputs), output_sha256(w.trace, ref.outputs));
    EXPECT_EQ(g.report.at("saturations").get<uint64_t>(), ref.saturations);
    for (size_t i = 0; i < w.trace.ops.size(); ++i) {
        EXPECT_EQ(g.report["ops"][i]["saturations"].get<uint64_t>(), ref.ops[i].saturations)
            << w.trace.ops[i].name;
    }
}

class EveryLraWorkload : public ::testing::TestWithParam<Case> {};

TEST_P(EveryLraWorkload, Int8MatchesReference) {
    expect_same_as_reference(lra(GetParam().task, GetParam().arch, 64));
}

TEST_P(EveryLraWorkload, Float32MatchesReference) {
    expect_same_as_reference(lra(GetParam().task, GetParam().arch, 64, 2, Numerics::float32));
}

std::vector<Case> all_cases() {
    std::vector<Case> c;
    for (const auto& t : workloads::lra_tasks())
        for (Arch a : workloads::lra_archs()) c.push_back({t.task, a});
    return c;
}

INSTANTIATE_TEST_SUITE_P(Lra, EveryLraWorkload, ::testing::ValuesIn(all_cases()), case_name);

// The acceptance case: lra:text:mamba at 512 gives the reference's output_sha256.
TEST(GpuBitExact, TextMamba512) { expect_same_as_reference(lra(Task::text, Arch::mamba, 512)); }

}  // namespace
