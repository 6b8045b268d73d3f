// Timing-only runs of lra: workloads build their shape-only trace directly (no weights drawn, no
// calibration: workloads::build_lra_shapes). Their reports must equal, field for field, those of the fully
// built trace without its data (`gen --shape-only` still takes the full build): the table sizes, dtypes and
// labels that timing and reports read are the calibrated ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

// The report of `model` on `workload` (an lra: name or a trace folder), minus the workload's name.
nlohmann::json timing_report(const std::string& model, const std::string& workload, const std::string& opts,
                             const fs::path& out) {
    const auto r = run_ssmsim("run -q --timing-only --model " + model + " --workload " + workload + " " +
                              opts + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    nlohmann::json j = read_json(out / "report.json");
    j.erase("workload");
    return j;
}

// The fast trace's reports against the full build's, on every timing model.
void expect_same_timing(const std::string& workload, const std::string& opts, const std::string& tag,
                        std::vector<std::string> models = {"systolic", "gpu", "neuromorphic"}) {
    const fs::path dir = scratch_dir("timing_only_" + tag);
    const auto g =
        run_ssmsim("gen " + workload + " " + opts + " --shape-only --out " + (dir / "trace").string());
    ASSERT_EQ(g.exit_code, 0) << g.output;
    for (const std::string& model : models) {
        const nlohmann::json fast = timing_report(model, workload, opts, dir / "fast");
        const nlohmann::json full = timing_report(model, (dir / "trace").string(), "", dir / "full");
        ASSERT_TRUE(fast.contains("cycles")) << fast.dump().substr(0, 300);
        ASSERT_TRUE(fast.contains("ops")) << fast.dump().substr(0, 300);
        for (const auto& [key, value] : full.items())
            EXPECT_EQ(fast.value(key, nlohmann::json()), value)
                << workload << " " << opts << " " << model << ": " << key;
        EXPECT_EQ(fast.size(), full.size()) << workload << " " << model;
    }
    fs::remove_all(dir);
}

class TimingOnlyTrace : public ::testing::TestWithParam<std::string> {};

// Every task x architecture at a reduced length (the shapes scale with it; the data-dependent table sizes
// are the same at any length).
TEST_P(TimingOnlyTrace, SameReportsAsTheFullBuildWithoutData) {
    const std::string w = GetParam();
    std::string tag = w.substr(4);
    std::replace(tag.begin(), tag.end(), ':', '_');
    expect_same_timing(w, "--seq-len 64", tag);
}

INSTANTIATE_TEST_SUITE_P(Lra, TimingOnlyTrace,
                         ::testing::Values("lra:listops:s4d", "lra:listops:mamba", "lra:listops:transformer",
                                           "lra:text:s4d", "lra:text:mamba", "lra:text:transformer",
                                           "lra:retrieval:s4d", "lra:retrieval:mamba",
                                           "lra:retrieval:transformer", "lra:image:s4d", "lra:image:mamba",
                                           "lra:image:transformer", "lra:pathfinder:s4d",
                                           "lra:pathfinder:mamba", "lra:pathfinder:transformer",
                                           "lra:pathx:s4d", "lra:pathx:mamba", "lra:pathx:transformer"),
                         [](const auto& info) {
                             std::string n = info.param.substr(4);
                             std::replace(n.begin(), n.end(), ':', '_');
                             return n;
                         });

// At full length (the calibration then sees 1024 steps), another seed, a batch with per-sample labels and
// Retrieval's reshape, and float32.
TEST(TimingOnlyTraceVariants, FullLengthSeedBatchAndFloat32) {
    expect_same_timing("lra:image:mamba", "", "full_image_mamba");
    expect_same_timing("lra:pathfinder:transformer", "", "full_pathfinder_transformer");
    expect_same_timing("lra:text:mamba", "--seq-len 128 --seed 7", "seed");
    expect_same_timing("lra:retrieval:transformer", "--seq-len 32 --batch 3", "batch");
    expect_same_timing("lra:listops:mamba", "--seq-len 32 --numerics float32", "float32",
                       {"gpu"});  // the systolic and neuromorphic models take int8 traces only
}

// The defect itself: timing-only runs drew every weight and calibrated (about 90 s for the suite on three
// models on the 2-core machine; issue 19; bench_lra_timing_only measures the suite now). The memory budget
// charges generation what it would hold ("to generate the workload"), so a timing-only run that fits a
// budget the generation would exceed generated nothing. text:transformer: 21 MiB to generate, under 16 MiB
// of its own tensors.
TEST(TimingOnlyTrace, DrawsNoWeights) {
    const auto fast = run_ssmsim(
        "run -q --timing-only --model systolic --workload lra:text:transformer --memory-budget-mib 16");
    EXPECT_EQ(fast.exit_code, 0) << fast.output;
    const auto full =
        run_ssmsim("run -q --model systolic --workload lra:text:transformer --memory-budget-mib 16");
    EXPECT_EQ(full.exit_code, 2) << full.output;
    EXPECT_NE(full.output.find("to generate the workload"), std::string::npos) << full.output;
}

// Every LRA workload runs timing-only on every timing model through --model all.
TEST(TimingOnlyTrace, WholeSuiteOnThreeModels) {
    for (const char* task : {"listops", "text", "retrieval", "image", "pathfinder", "pathx"}) {
        for (const char* arch : {"s4d", "mamba", "transformer"}) {
            const auto r = run_ssmsim(std::string("run -q --timing-only --model all --workload lra:") + task +
                                      ":" + arch);
            ASSERT_EQ(r.exit_code, 0) << r.output;
            for (const char* model : {"systolic", "gpu", "neuromorphic"})
                EXPECT_NE(r.output.find(std::string("\n") + model + " "), std::string::npos) << r.output;
        }
    }
}

}  // namespace
