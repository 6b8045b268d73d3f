// The systolic model's outputs are byte-identical to the reference on every LRA task x architecture, also
// under configs that force small tiles, streamed operands, spilled scan state and both scan loop orders.
#include <gtest/gtest.h>

#include "tests/systolic/model_harness.h"

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

void expect_same_as_reference(const workloads::Workload& w, const nlohmann::json& overrides) {
    const reference::Execution ref = reference::execute(w.trace, w.data);
    const RunResult sys = run_systolic(w.trace, &w.data, overrides);
    for (const auto& name : w.trace.outputs) {
        const Tensor& a = ref.outputs.at(name);
        const Tensor& b = sys.outputs.at(name);
        EXPECT_EQ(first_difference(a, b), -1) << "output " << name << " differs at byte " << first_difference(a, b)
                                              << " with overrides " << overrides.dump();
    }
    EXPECT_EQ(sys.report.at("saturations").get<uint64_t>(), ref.saturations) << overrides.dump();
    for (size_t i = 0; i < w.trace.ops.size(); ++i) {
        EXPECT_EQ(sys.report["ops"][i]["saturations"].get<uint64_t>(), ref.ops[i].saturations)
            << w.trace.ops[i].name;
    }
}

class EveryLraWorkload : public ::testing::TestWithParam<Case> {};

TEST_P(EveryLraWorkload, DefaultConfigMatchesReference) {
    expect_same_as_reference(lra(GetParam().task, GetParam().arch, 64), nlohmann::json::object());
}

TEST_P(EveryLraWorkload, StressConfigMatchesReference) {
    // Tiny array, odd lanes and chunks, one staging buffer, SRAMs too small for anything to stay on chip:
    // every tiling path, the state spill and the other loop orders run.
    const nlohmann::json stress = {{"array.rows", 5},
                                   {"array.cols", 3},
                                   {"array.accumulator_kib", 1},
                                   {"scan.lanes", 3},
                                   {"scan.chunk_len", 7},
                                   {"sram.activations.kib", 2},
                                   {"sram.weights.kib", 1},
                                   {"sram.state.kib", 1},
                                   {"dma.buffers", 1}};
    expect_same_as_reference(lra(GetParam().task, GetParam().arch, 64), stress);
}

std::vector<Case> all_cases() {
    std::vector<Case> c;
    for (const auto& t : workloads::lra_tasks())
        for (Arch a : workloads::lra_archs()) c.push_back({t.task, a});
    return c;
}

INSTANTIATE_TEST_SUITE_P(Lra, EveryLraWorkload, ::testing::ValuesIn(all_cases()), case_name);

TEST(SystolicBitExact, ScanOrdersAndDataflowsAgree) {
    const auto w = lra(Task::listops, Arch::mamba, 64, 3);
    for (const char* order : {"chunk_outer", "group_outer"}) {
        for (const char* df : {"ws", "os"}) {
            expect_same_as_reference(w, {{"scan.order", order}, {"array.dataflow", df}, {"scan.chunk_len", 9}});
        }
    }
}

}  // namespace
