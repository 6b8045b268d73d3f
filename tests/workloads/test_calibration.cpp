// int8 calibration over several samples (WorkloadSpec::calibration_samples, `accuracy --calibrate N`): the
// scales come from the largest range any of the samples reaches, at the full length. Checked against the
// quantizer fed that merged range by hand, with sample 1's tokens swapped into sample 0's float model.
#include <gtest/gtest.h>

#include <algorithm>

#include "workloads/inputs/inputs.h"
#include "workloads/lra/batch.h"
#include "workloads/lra/lra.h"
#include "workloads/lra/quantize.h"

using namespace ssmsim;
using namespace ssmsim::workloads;

namespace {

WorkloadSpec listops_mamba(Numerics n, int64_t samples) {
    WorkloadSpec s;
    s.task = Task::listops, s.arch = Arch::mamba, s.seed = 11, s.seq_len = 64, s.numerics = n;
    s.calibration_samples = samples;
    return s;
}

TEST(Calibration, SeveralSamplesTakeTheLargestRange) {
    const Workload f = build_lra(listops_mamba(Numerics::float32, 1));
    AbsMax merged = calibrate(f.trace, f.data);
    TensorStore second = f.data;
    const TaskInput in = make_input(Task::listops, sample_seed(11, 1), 64);
    auto tokens = second.at("tokens").as<int32_t>();
    ASSERT_EQ(tokens.size(), in.tokens.size());
    std::copy(in.tokens.begin(), in.tokens.end(), tokens.begin());
    int larger = 0;
    for (const auto& [name, m] : calibrate(f.trace, second)) {
        larger += m > merged.at(name);
        merged[name] = std::max(merged[name], m);
    }
    ASSERT_GT(larger, 0);  // sample 1 widens some range, so the two calibrations differ
    const QuantizedTrace by_hand = quantize(f.trace, f.data, merged);
    const Workload two = build_lra(listops_mamba(Numerics::int8, 2));
    const Workload one = build_lra(listops_mamba(Numerics::int8, 1));
    EXPECT_EQ(two.trace.meta.at("calibration_samples"), 2);
    bool differs_from_one = false;
    for (const auto& [name, t] : by_hand.data) {
        const auto a = t.bytes(), b = two.data.at(name).bytes(), c = one.data.at(name).bytes();
        EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << name;
        differs_from_one |= !std::equal(a.begin(), a.end(), c.begin(), c.end());
    }
    EXPECT_TRUE(differs_from_one);
    ASSERT_EQ(by_hand.trace.ops.size(), two.trace.ops.size());
    for (size_t i = 0; i < two.trace.ops.size(); ++i)
        EXPECT_EQ(by_hand.trace.ops[i].attrs, two.trace.ops[i].attrs) << two.trace.ops[i].name;
}

}  // namespace
