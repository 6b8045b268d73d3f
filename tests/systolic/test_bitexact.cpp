// The systolic model's outputs are byte-identical to the reference on every LRA task x architecture, also
// under configs that force small tiles, streamed operands, spilled scan state and both scan loop orders.
#include <gtest/gtest.h>

#include "tests/systolic/model_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;
using workloads::Arch;
using workloads::Task;

namespace {

void expect_bit_exact(const workloads::Workload& w, const nlohmann::json& overrides) {
    expect_same_as_reference(w, run_systolic(w.trace, &w.data, overrides),
                             "with overrides " + overrides.dump());
}

class EveryLraWorkload : public ::testing::TestWithParam<LraCase> {};

TEST_P(EveryLraWorkload, DefaultConfigMatchesReference) {
    expect_bit_exact(lra(GetParam().task, GetParam().arch, 64), nlohmann::json::object());
}

TEST_P(EveryLraWorkload, StressConfigMatchesReference) {
    // Tiny array, odd lanes and chunks, one staging buffer, SRAMs too small for anything to stay on chip:
    // every tiling path, the state spill and the other loop orders run.
    const nlohmann::json stress = {
        {"array.rows", 5},       {"array.cols", 3},     {"array.accumulator_kib", 1},
        {"scan.lanes", 3},       {"scan.chunk_len", 7}, {"sram.activations.kib", 2},
        {"sram.weights.kib", 1}, {"sram.state.kib", 1}, {"dma.buffers", 1}};
    expect_bit_exact(lra(GetParam().task, GetParam().arch, 64), stress);
}

INSTANTIATE_TEST_SUITE_P(Lra, EveryLraWorkload, ::testing::ValuesIn(every_lra_case()), lra_case_name);

TEST(SystolicBitExact, ScanOrdersAndDataflowsAgree) {
    const auto w = lra(Task::listops, Arch::mamba, 64, 3);
    for (const char* order : {"chunk_outer", "group_outer"}) {
        for (const char* df : {"ws", "os"}) {
            expect_bit_exact(w, {{"scan.order", order}, {"array.dataflow", df}, {"scan.chunk_len", 9}});
        }
    }
}

}  // namespace
