// Threshold 0 is lossless: the neuromorphic model's outputs are byte-identical to the reference on every
// LRA task x architecture (all of them map; attention runs on the x86 fallback), with the reference's
// saturation counts op by op, whatever the mapping (one chip, or many small chips).
#include <gtest/gtest.h>

#include "models/neuromorphic/schedule.h"
#include "tests/neuromorphic/harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;
using workloads::Arch;
using workloads::Task;

namespace {

// The comparison inside the model is switched off: the test runs the reference itself.
const nlohmann::json kNoCompare = {{"report.compare_with_reference", false}};

void expect_bit_exact(const workloads::Workload& w, const nlohmann::json& overrides) {
    const RunResult nm = run_neuromorphic(w.trace, &w.data, overrides);
    expect_same_as_reference(w, nm, "with overrides " + overrides.dump());
    EXPECT_EQ(nm.report["sigma_delta"]["threshold"], 0);
    EXPECT_GT(nm.report["cycles"].get<uint64_t>(), 0u);
}

class EveryLraWorkload : public ::testing::TestWithParam<LraCase> {};

TEST_P(EveryLraWorkload, ThresholdZeroIsByteIdenticalToReference) {
    expect_bit_exact(lra(GetParam().task, GetParam().arch, 64), kNoCompare);
}

INSTANTIATE_TEST_SUITE_P(Lra, EveryLraWorkload, ::testing::ValuesIn(every_lra_case()), lra_case_name);

TEST(NeuromorphicBitExact, MappingDoesNotChangeTheResult) {
    // Sixteen-core chips: every layer lands on another core and most spikes cross chips.
    auto small = kNoCompare;
    small.update({{"chip.cores", 16}, {"chip.mesh_x", 4}, {"chip.mesh_y", 4}, {"system.chips", 64}});
    expect_bit_exact(lra(Task::listops, Arch::mamba, 48, 5), small);
}

TEST(NeuromorphicBitExact, TheReportSaysExactAtThresholdZero) {
    const auto w = lra(Task::pathfinder, Arch::s4d, 64);
    const RunResult r = run_neuromorphic(w.trace, &w.data);
    const auto& e = r.report.at("error_vs_reference");
    EXPECT_TRUE(e.at("exact").get<bool>());
    EXPECT_TRUE(e.at("snr_db").is_null());
    EXPECT_EQ(e.at("max_abs_error").get<double>(), 0.0);
    EXPECT_EQ(e.at("class_agreement").get<double>(), 1.0);
}

// At threshold 0 a value is sent exactly when it differs from the one before it in the receiver's token
// order (the first token against 0): the spike count equals the changes in the reference's intermediates.
TEST(NeuromorphicBitExact, SpikesAtThresholdZeroAreTheChangesOfTheReferenceActivations) {
    for (const auto& [task, arch] : {std::pair{Task::pathfinder, Arch::s4d}, {Task::listops, Arch::mamba}}) {
        const auto w = lra(task, arch, 64, 2);
        const reference::Execution all = reference::execute(w.trace, w.data, {}, true);
        const neuromorphic::Schedule sch = neuromorphic::make_schedule(w.trace);
        int64_t changes = 0, values = 0;
        for (size_t i = 0; i < w.trace.ops.size(); ++i) {
            const OpDecl& op = w.trace.ops[i];
            const TensorDecl& d = w.trace.tensor(op.outputs[0]);
            const bool is_output =
                std::find(w.trace.outputs.begin(), w.trace.outputs.end(), d.name) != w.trace.outputs.end();
            if (op.kind == "reshape" || is_output || d.dtype != DType::int8) continue;
            const bool reverse = sch.segments[sch.segment_of[i]].reverse;
            const neuromorphic::TimeAxis a = neuromorphic::time_axis(d);
            const auto x = all.outputs.at(d.name).as<int8_t>();
            for (int64_t b = 0; b < a.batch; ++b) {
                for (int64_t c = 0; c < a.channels; ++c) {
                    int prev = 0;
                    for (int64_t s = 0; s < a.steps; ++s) {
                        const int64_t t = reverse ? a.steps - 1 - s : s;
                        const int v = x[(b * a.steps + t) * a.channels + c];
                        changes += v != prev;
                        prev = v;
                    }
                }
            }
            values += a.rows() * a.channels;
        }
        const RunResult r = run_neuromorphic(w.trace, &w.data, kNoCompare);
        EXPECT_EQ(r.report["sigma_delta"]["spikes"].get<int64_t>(), changes) << w.trace.name;
        EXPECT_EQ(r.report["sigma_delta"]["values"].get<int64_t>(), values) << w.trace.name;
        EXPECT_LT(changes, values);  // the workloads do repeat values: sparsity above 0
    }
}

}  // namespace
