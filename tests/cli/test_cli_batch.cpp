// --batch N through the binary: what is refused and with which message, what a batch writes (trace,
// report.json), that --batch 1 changes nothing, and that every model gives the same batched outputs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

class CliBatch : public ::testing::Test {
protected:
    static void SetUpTestSuite() { dir_ = scratch_dir("cli_batch"); }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    static fs::path dir_;
};
fs::path CliBatch::dir_;

TEST_F(CliBatch, BadBatchesAreRefusedWithTheRange) {
    const std::vector<std::string> commands = {"run --workload lra:image:s4d --seq-len 16",
                                               "gen lra:image:s4d --out " + (dir_ / "bad").string()};
    for (const char* bad : {"0", "-3", "1.5", "two", "1048577"}) {
        for (const std::string& cmd : commands) {
            const auto r = run_ssmsim(cmd + " --batch " + bad);
            EXPECT_EQ(r.exit_code, 2) << cmd << " --batch " << bad << "\n" << r.output;
            const std::string expected =
                std::string("--batch: expected an integer in [1, 1048576] (samples), found '") + bad + "'";
            EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
        }
    }
}

TEST_F(CliBatch, TraceFolderTakesNoBatch) {
    const auto g = run_ssmsim("gen lra:listops:s4d --seq-len 16 --out " + (dir_ / "folder").string());
    ASSERT_EQ(g.exit_code, 0) << g.output;
    const auto r = run_ssmsim("run --workload " + (dir_ / "folder").string() + " --batch 2");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("--batch: expected no --batch with a trace folder"), std::string::npos)
        << r.output;
}

TEST_F(CliBatch, BatchOverTheMemoryBudgetIsRefusedBeforeItIsGenerated) {
    // 100000 samples of the 64-step Image Mamba need about 28 GiB of live tensors: the check must answer
    // from the declarations (generating them would take minutes and the memory).
    const std::vector<std::string> commands = {
        "run --workload lra:image:mamba --seq-len 64",
        "gen lra:image:mamba --seq-len 64 --out " + (dir_ / "big").string()};
    for (const std::string& cmd : commands) {
        const auto r = run_ssmsim(cmd + " --batch 100000 --memory-budget-mib 64");
        EXPECT_EQ(r.exit_code, 2) << r.output;
        EXPECT_NE(
            r.output.find("--batch 100000: memory budget (--memory-budget-mib): expected live tensors of "
                          "at most 67108864 bytes (64 MiB), found "),
            std::string::npos)
            << r.output;
        EXPECT_NE(r.output.find(" MiB) needed by 100000 samples of lra:image:mamba at op '"),
                  std::string::npos)
            << r.output;
    }
    EXPECT_FALSE(fs::exists(dir_ / "big" / "trace.json"));
}

TEST_F(CliBatch, BatchOfOneChangesNothing) {
    for (const char* b : {"", " --batch 1"}) {
        const std::string tag = *b ? "b1" : "plain";
        const auto g =
            run_ssmsim("gen lra:retrieval:s4d --seq-len 16 --out " + (dir_ / ("gen_" + tag)).string() + b);
        ASSERT_EQ(g.exit_code, 0) << g.output;
        const auto r = run_ssmsim("run -q --workload lra:retrieval:s4d --seq-len 16 --out " +
                                  (dir_ / ("run_" + tag)).string() + b);
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    for (const char* f :
         {"gen_%/trace.json", "gen_%/tokens.npy", "run_%/report.json", "run_%/outputs/logits.npy"}) {
        std::string a = f, b = f;
        a.replace(a.find('%'), 1, "plain");
        b.replace(b.find('%'), 1, "b1");
        EXPECT_EQ(read_text(dir_ / a), read_text(dir_ / b)) << f;
    }
    EXPECT_FALSE(read_json(dir_ / "run_b1" / "report.json").contains("labels"));
}

TEST_F(CliBatch, GenThenRunReportsEverySample) {
    const auto g = run_ssmsim("gen lra:listops:s4d --seq-len 32 --batch 3 --out " + (dir_ / "b3").string());
    ASSERT_EQ(g.exit_code, 0) << g.output;
    const auto trace = read_json(dir_ / "b3" / "trace.json");
    EXPECT_EQ(trace.at("tensors").at("tokens").at("shape"), nlohmann::json({3, 32}));
    EXPECT_EQ(trace.at("tensors").at("logits").at("shape"), nlohmann::json({3, 10}));
    EXPECT_EQ(trace.at("meta").at("batch"), 3);
    const auto disk =
        run_ssmsim("run -q --workload " + (dir_ / "b3").string() + " --out " + (dir_ / "disk").string());
    ASSERT_EQ(disk.exit_code, 0) << disk.output;
    const auto mem = run_ssmsim("run -q --workload lra:listops:s4d --seq-len 32 --batch 3 --out " +
                                (dir_ / "mem").string());
    ASSERT_EQ(mem.exit_code, 0) << mem.output;
    const auto rep = read_json(dir_ / "disk" / "report.json");
    EXPECT_EQ(rep.at("predicted_class").size(), 3u);
    ASSERT_EQ(rep.at("labels").size(), 3u);
    EXPECT_EQ(rep.at("labels"), trace.at("meta").at("labels"));
    EXPECT_EQ(rep.at("label"), rep.at("labels")[0]);
    EXPECT_EQ(rep.at("output_sha256"), read_json(dir_ / "mem" / "report.json").at("output_sha256"));
}

TEST_F(CliBatch, EveryModelGivesTheReferenceOutputs) {
    const auto r =
        run_ssmsim("run -q --model all --workload lra:retrieval:mamba --seq-len 16 --batch 2 --out " +
                   (dir_ / "all").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto ref = read_json(dir_ / "all" / "reference" / "report.json").at("output_sha256");
    for (const char* m : {"systolic", "gpu", "neuromorphic"}) {
        EXPECT_EQ(read_json(dir_ / "all" / m / "report.json").at("output_sha256"), ref) << m;
    }
}

}  // namespace
