// Batches of LRA samples (docs/workloads.md, "Batches"): sample 0 is the batch of one, bit for bit, in the
// trace and in the reference's logits; the other samples are other inputs through the same weights and
// scales; the memory check sees the whole batch before it is generated.
#include <gtest/gtest.h>

#include "sim/trace/trace_io.h"
#include "sim/util/error.h"
#include "tests/support/model_harness.h"
#include "workloads/lra/batch.h"

using namespace ssmsim;
using namespace ssmsim::testing;
using workloads::Arch;
using workloads::Task;

namespace {

class BatchOfThree : public ::testing::TestWithParam<LraCase> {};

TEST_P(BatchOfThree, SampleZeroIsTheBatchOfOneAndTheOthersDiffer) {
    const auto [task, arch] = GetParam();
    const auto one = lra(task, arch, 64);
    const auto three = lra_batch(task, arch, 64, 3);
    // The same ops with the same integer attributes (calibrated on sample 0), the same parameters.
    ASSERT_EQ(three.trace.ops.size(), one.trace.ops.size());
    for (size_t i = 0; i < one.trace.ops.size(); ++i) {
        if (one.trace.ops[i].kind == "reshape") continue;  // its target shape has the batch
        EXPECT_EQ(three.trace.ops[i].attrs, one.trace.ops[i].attrs) << one.trace.ops[i].name;
    }
    for (const auto& td : one.trace.tensors) {
        if (!td.is_graph_input() || td.name == "tokens" || td.name == "pos_embedding") continue;
        EXPECT_EQ(first_difference(three.data.at(td.name), one.data.at(td.name)), -1) << td.name;
    }
    // Tokens: sample 0's rows first, then rows of other inputs.
    const Tensor& t1 = one.data.at("tokens");
    const Tensor& t3 = three.data.at("tokens");
    ASSERT_EQ(t3.shape(), Shape({3 * t1.shape()[0], 64}));
    const auto rows = t1.as<int32_t>();
    const auto all = t3.as<int32_t>();
    EXPECT_TRUE(std::equal(rows.begin(), rows.end(), all.begin()));
    for (size_t s = 1; s < 3; ++s) {
        EXPECT_FALSE(std::equal(rows.begin(), rows.end(), all.begin() + s * rows.size())) << "sample " << s;
    }
    EXPECT_EQ(three.trace.meta.at("batch"), 3);
    ASSERT_EQ(three.trace.meta.at("labels").size(), 3u);
    EXPECT_EQ(three.trace.meta.at("labels")[0], one.trace.meta.at("label"));
    EXPECT_EQ(three.trace.meta.at("label"), one.trace.meta.at("label"));
    const reference::Execution ref = reference::execute(three.trace, three.data);
    expect_first_sample_is_batch_of_one(three, ref.outputs, one, 3);
}

INSTANTIATE_TEST_SUITE_P(Lra, BatchOfThree, ::testing::ValuesIn(batch_lra_cases()), lra_case_name);

TEST(Batch, BatchOfOneHasNoBatchFields) {
    const auto w = lra(Task::image, Arch::s4d, 16);
    EXPECT_FALSE(w.trace.meta.contains("batch"));
    EXPECT_FALSE(w.trace.meta.contains("labels"));
}

TEST(Batch, SameSeedSameBatch) {
    const auto a = lra_batch(Task::listops, Arch::s4d, 32, 4, 7);
    const auto b = lra_batch(Task::listops, Arch::s4d, 32, 4, 7);
    EXPECT_EQ(first_difference(a.data.at("tokens"), b.data.at("tokens")), -1);
    EXPECT_EQ(a.trace.meta, b.trace.meta);
    EXPECT_EQ(workloads::sample_seed(7, 0), 7u);  // sample 0: the workload's own seed
    EXPECT_NE(workloads::sample_seed(7, 1), 8u);  // not the next seed's sample 0
}

TEST(Batch, Float32SampleZeroIsTheBatchOfOne) {
    const auto one = lra(Task::text, Arch::mamba, 32, 1, Numerics::float32);
    workloads::WorkloadSpec s;
    s.task = Task::text, s.arch = Arch::mamba, s.seq_len = 32, s.numerics = Numerics::float32, s.batch = 2;
    const auto two = workloads::build_lra(s);
    expect_first_sample_is_batch_of_one(two, reference::execute(two.trace, two.data).outputs, one, 2);
}

TEST(Batch, TheCheckSeesTheWholeBatchFirstAndCanRefuseIt) {
    workloads::WorkloadSpec s;
    s.task = Task::retrieval, s.arch = Arch::transformer, s.seq_len = 16, s.batch = 5;
    int calls = 0;
    const auto w = workloads::build_lra(s, [&](const Trace& t) {
        ++calls;
        EXPECT_EQ(t.tensor("tokens").shape, Shape({10, 16}));  // two documents per sample
        EXPECT_EQ(t.tensor("pos_embedding").shape, Shape({10, 16, 128}));
        EXPECT_EQ(t.tensor("logits").shape, Shape({5, 2}));
        EXPECT_GT(peak_live_bytes(t).bytes, 0);
    });
    EXPECT_EQ(calls, 2);  // the declarations before anything is generated, then the batch before widening
    EXPECT_EQ(w.trace.tensor("pair").shape, Shape({5, 256}));
    EXPECT_THROW(workloads::build_lra(s, [](const Trace&) { throw InputError("too big"); }), InputError);
    s.batch = 0;
    EXPECT_THROW(workloads::build_lra(s), InputError);
}

}  // namespace
