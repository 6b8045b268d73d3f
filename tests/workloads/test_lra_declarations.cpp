// The memory check of an lra: workload runs on its declarations before anything is generated (issue 16:
// `--seq-len 4194304` used to end in bad_alloc after minutes of generation). Those declarations must be the
// workload's own: exact in float32, a lower bound in int8 (no tensor bigger than the quantized trace's).
#include <gtest/gtest.h>

#include <chrono>

#include "sim/trace/trace_io.h"
#include "sim/util/error.h"
#include "tests/support/model_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;

namespace {

// The traces build_lra shows its check: the declarations before generation, then the finished trace.
std::vector<Trace> checked_traces(LraCase c, Numerics numerics, int64_t batch = 1) {
    workloads::WorkloadSpec s;
    s.task = c.task;
    s.arch = c.arch;
    s.seq_len = 64;  // a square, as the image tasks need
    s.numerics = numerics;
    s.batch = batch;
    std::vector<Trace> seen;
    workloads::build_lra(s, [&](const Trace& t) { seen.push_back(t); });
    return seen;
}

class Declarations : public ::testing::TestWithParam<LraCase> {};

TEST_P(Declarations, AreTheFloatTraceExactly) {
    const auto seen = checked_traces(GetParam(), Numerics::float32);
    ASSERT_EQ(seen.size(), 2u);
    const Trace &before = seen[0], &after = seen[1];
    ASSERT_EQ(before.tensors.size(), after.tensors.size());
    for (const auto& td : after.tensors) {
        ASSERT_TRUE(before.has_tensor(td.name)) << td.name;
        EXPECT_EQ(before.tensor(td.name).shape, td.shape) << td.name;
        EXPECT_EQ(before.tensor(td.name).dtype, td.dtype) << td.name;
    }
    EXPECT_EQ(peak_live_bytes(before).bytes, peak_live_bytes(after).bytes);
}

TEST_P(Declarations, BoundTheInt8TraceFromBelow) {
    for (const int64_t batch : {1, 3}) {
        const auto seen = checked_traces(GetParam(), Numerics::int8, batch);
        ASSERT_EQ(seen.size(), 2u);
        const Trace &before = seen[0], &after = seen[1];
        EXPECT_TRUE(before.meta.contains("estimate"));
        for (const auto& td : before.tensors) {
            ASSERT_TRUE(after.has_tensor(td.name)) << td.name;
            EXPECT_EQ(after.tensor(td.name).shape, td.shape) << td.name;
            EXPECT_LE(td.nbytes(), after.tensor(td.name).nbytes()) << td.name;
        }
        EXPECT_LE(peak_live_bytes(before).bytes, peak_live_bytes(after).bytes) << "batch " << batch;
    }
}

INSTANTIATE_TEST_SUITE_P(Lra, Declarations, ::testing::ValuesIn(every_lra_case()), lra_case_name);

// The longest sequence the CLI takes, refused by a budget in well under a second: nothing is generated.
TEST(DeclarationsBeforeGeneration, RefuseAHugeWorkloadAtOnce) {
    for (const auto task : {workloads::Task::pathx, workloads::Task::listops}) {
        workloads::WorkloadSpec s;
        s.task = task;
        s.arch = workloads::Arch::transformer;
        s.seq_len = int64_t{1} << 22;
        const auto start = std::chrono::steady_clock::now();
        int calls = 0;
        EXPECT_THROW(workloads::build_lra(s,
                                          [&](const Trace&) {
                                              ++calls;
                                              throw InputError("budget", "less", "more");
                                          }),
                     InputError);
        EXPECT_EQ(calls, 1);
        EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
    }
}

}  // namespace
