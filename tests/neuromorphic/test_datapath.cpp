// The neuromorphic model computes every op on its own neurons, where the mapper puts them (datapath.h): the
// cores of an op hold contiguous ranges of its output channels that tile them; with every op spread over
// many cores (uneven splits included) the outputs stay byte-identical to the reference op by op; the op
// hashes are what the consumers read; a bad value is refused with the reference's message.
#include <gtest/gtest.h>

#include <map>

#include "models/neuromorphic/mapper.h"
#include "sim/config/hw_config.h"
#include "sim/util/error.h"
#include "tests/neuromorphic/harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;
using workloads::Arch;
using workloads::Task;

namespace {

// One chip with far more cores than the trace needs: the mapper gives the spare cores to the busiest
// layers until every layer that can be split is, so elementwise, conv, pool and embedding layers also
// spread. `cores` sets how far; most splits are uneven (a scan of 256 channels on 138 cores, say).
nlohmann::json spread_over(int64_t cores) {
    return {{"chip.cores", cores},
            {"chip.mesh_x", 64},
            {"chip.mesh_y", 64},
            {"system.chips", 1},
            {"report.compare_with_reference", false}};
}

neuromorphic::Mapping mapping_of(const Trace& t, const nlohmann::json& overrides) {
    return neuromorphic::map_trace(
        t, neuromorphic::parse_spec(HwConfig::resolve("neuromorphic", "neuromorphic-loihi2", "", overrides)));
}

TEST(NeuromorphicDatapath, EachCoreHoldsAContiguousRangeOfChannelsAndTheRangesTileTheOp) {
    for (const auto& overrides : {nlohmann::json::object(), spread_over(4096), spread_over(700)}) {
        const auto w = lra(Task::listops, Arch::mamba, 64);
        const neuromorphic::Mapping m = mapping_of(w.trace, overrides);
        const int64_t npc =
            neuromorphic::parse_spec(HwConfig::resolve("neuromorphic", "neuromorphic-loihi2", "", overrides))
                .neurons_per_core;
        for (size_t i = 0; i < w.trace.ops.size(); ++i) {
            const auto& p = m.ops[i];
            if (p.unit != neuromorphic::Unit::neurocores) continue;
            const std::string& name = w.trace.ops[i].name;
            int64_t next = 0, smallest = p.axis.channels, largest = 0;
            for (const auto& c : p.on) {
                EXPECT_EQ(c.lo, next) << name;
                EXPECT_GT(c.hi, c.lo) << name << ": a core without neurons";
                next = c.hi;
                smallest = std::min(smallest, c.hi - c.lo);
                largest = std::max(largest, c.hi - c.lo);
            }
            EXPECT_EQ(next, p.axis.channels) << name;
            // Balanced: no core holds more than one channel above another (a norm sits on one core), and
            // none more neurons than it has.
            EXPECT_LE(largest - smallest, 1) << name;
            const int64_t ch = p.axis.channels;
            EXPECT_LE((largest * p.neurons + ch - 1) / ch, npc) << name << ": a core over its neurons";
        }
    }
}

// The workloads that between them run every op kind the neurons compute, each with its layers spread.
class SpreadOverManyCores : public ::testing::TestWithParam<LraCase> {};

TEST_P(SpreadOverManyCores, EveryOpIsByteIdenticalToTheReference) {
    const auto w = lra(GetParam().task, GetParam().arch, 64, 3);
    const auto overrides = spread_over(4096);
    // The spread is real: every kind of layer that can split (all but the norms) has one on several cores.
    const neuromorphic::Mapping m = mapping_of(w.trace, overrides);
    std::map<std::string, int64_t> most_cores;
    for (size_t i = 0; i < w.trace.ops.size(); ++i) {
        if (m.ops[i].unit != neuromorphic::Unit::neurocores) continue;
        int64_t& most = most_cores[w.trace.ops[i].kind];
        most = std::max(most, m.ops[i].cores);
    }
    for (const auto& [kind, cores] : most_cores) {
        if (kind != "rmsnorm" && kind != "layernorm") {
            EXPECT_GT(cores, 1) << kind;
        }
    }
    const RunResult r = run_neuromorphic(w.trace, &w.data, overrides);
    expect_same_as_reference(w, r, "with overrides " + overrides.dump());
}

INSTANTIATE_TEST_SUITE_P(Lra, SpreadOverManyCores, ::testing::ValuesIn(batch_lra_cases()), lra_case_name);

TEST(NeuromorphicDatapath, OpHashesAreWhatTheConsumersRead) {
    const auto w = lra(Task::listops, Arch::s4d, 48);
    const RunResult exact = run_neuromorphic(w.trace, &w.data, {{"report.compare_with_reference", false}});
    ASSERT_EQ(exact.op_sha256.size(), w.trace.ops.size());
    EXPECT_EQ(first_differing_op(w.trace, exact.op_sha256, reference_op_hashes(w.trace, w.data)), "");
    // Above threshold 0 an op's hash is of the lossy stream its consumers receive: the first op to differ
    // from the reference is one whose output was encoded, and the graph output differs too.
    const RunResult lossy = run_neuromorphic(w.trace, &w.data, {{"sigma_delta.threshold", 8}});
    const std::string first = first_differing_op(w.trace, lossy.op_sha256, exact.op_sha256);
    EXPECT_NE(first, "");
    EXPECT_NE(lossy.op_sha256.back(), exact.op_sha256.back());
    // Timing-only runs hash nothing.
    EXPECT_TRUE(run_neuromorphic(w.trace, nullptr).op_sha256.empty());
}

std::string error_of(const std::function<void()>& run) {
    try {
        run();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

// The contract's runtime value checks, now made by the model before its neurons run (check_op_values),
// fail the way the reference's kernels do: same file, input, element and message.
TEST(NeuromorphicDatapath, ABadValueIsRefusedWithTheReferencesMessage) {
    struct Bad {
        Arch arch;
        std::string kind;
        size_t input;
        int64_t value;
    };
    const std::vector<Bad> cases = {
        {Arch::mamba, "embedding", 0, 1 << 20},                // a token beyond the vocabulary
        {Arch::mamba, "conv1d_causal_depthwise", 2, 1 << 30},  // a bias beyond 2^30 - 1
        {Arch::mamba, "linear", 2, -(1 << 30)},
        {Arch::mamba, "selective_scan", 6, 40000},  // an exp table entry above 1.0
        {Arch::s4d, "layernorm", 2, 1 << 30},       // a beta beyond 2^30 - 1
        {Arch::s4d, "s4d_scan", 1, -1},             // a negative decay
        {Arch::s4d, "classifier", 2, 1 << 30},
    };
    for (const Bad& b : cases) {
        auto w = lra(Task::listops, b.arch, 32);
        const auto op = std::find_if(w.trace.ops.begin(), w.trace.ops.end(), [&](const OpDecl& o) {
            return o.kind == b.kind && o.inputs.size() > b.input && w.data.count(o.inputs[b.input]);
        });
        ASSERT_NE(op, w.trace.ops.end()) << b.kind;
        w.data.at(op->inputs[b.input]).as<int32_t>()[3] = static_cast<int32_t>(b.value);
        const std::string ref = error_of([&] { reference::execute(w.trace, w.data); });
        EXPECT_NE(ref, "(no error)") << b.kind;
        EXPECT_EQ(error_of([&] { run_neuromorphic(w.trace, &w.data); }), ref) << b.kind;
    }
}

}  // namespace
