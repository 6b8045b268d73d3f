// End-to-end: gen, validate and run through the real binary, as a user would.
#include <gtest/gtest.h>

#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

class CliRun : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = scratch_dir("cli_run");
        const auto g =
            run_ssmsim("gen lra:image:mamba --seq-len 64 --seed 1 --out " + (dir_ / "trace").string());
        ASSERT_EQ(g.exit_code, 0) << g.output;
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    static fs::path dir_;
};
fs::path CliRun::dir_;

std::string sha_of(const fs::path& out) {
    return read_json(out / "report.json").at("output_sha256").get<std::string>();
}

TEST_F(CliRun, GenThenRunWritesReportWithOutputHash) {
    const auto r = run_ssmsim("run --model reference --workload " + (dir_ / "trace").string() + " --out " +
                              (dir_ / "r1").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto rep = read_json(dir_ / "r1" / "report.json");
    EXPECT_EQ(rep.at("model"), "reference");
    EXPECT_EQ(rep.at("output_sha256").get<std::string>().size(), 64u);
    EXPECT_GT(rep.at("macs").get<int64_t>(), 0);
    EXPECT_EQ(rep.at("ops").size(), read_json(dir_ / "trace" / "trace.json").at("ops").size());
    EXPECT_TRUE(fs::exists(dir_ / "r1" / "outputs" / "logits.npy"));
    EXPECT_NE(r.output.find("reference"), std::string::npos);  // the summary table
}

TEST_F(CliRun, SameInputsGiveByteIdenticalReports) {
    for (const char* out : {"a", "b"}) {
        const auto r =
            run_ssmsim("run --workload " + (dir_ / "trace").string() + " --out " + (dir_ / out).string());
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    EXPECT_EQ(read_text(dir_ / "a" / "report.json"), read_text(dir_ / "b" / "report.json"));
}

// --hash-ops: every op of the reference and of the GPU model carries its output hash, the two agree op by
// op, and the last op's hash is the hash of the trace's output (the logits).
TEST_F(CliRun, HashOpsGivesEveryOpsOutputHash) {
    for (const char* model : {"reference", "gpu"}) {
        const auto r =
            run_ssmsim("run -q --hash-ops --model " + std::string(model) + " --workload " +
                       (dir_ / "trace").string() + " --out " + (dir_ / ("h_" + std::string(model))).string());
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    const auto ref = read_json(dir_ / "h_reference" / "report.json").at("ops");
    const auto gpu = read_json(dir_ / "h_gpu" / "report.json").at("ops");
    ASSERT_EQ(ref.size(), gpu.size());
    for (size_t i = 0; i < ref.size(); ++i) {
        ASSERT_EQ(ref[i].at("output_sha256").get<std::string>().size(), 64u) << i;
        EXPECT_EQ(ref[i].at("output_sha256"), gpu[i].at("output_sha256")) << ref[i].at("name");
    }
    EXPECT_EQ(ref.back().at("output_sha256"),
              read_json(dir_ / "h_reference" / "report.json").at("output_sha256"));
    // Without the flag, no op carries a hash.
    const auto r = run_ssmsim("run -q --model gpu --workload " + (dir_ / "trace").string() + " --out " +
                              (dir_ / "h_plain").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_FALSE(read_json(dir_ / "h_plain" / "report.json").at("ops").at(0).contains("output_sha256"));
}

TEST_F(CliRun, InMemoryWorkloadEqualsGeneratedTrace) {
    // `--workload lra:...` builds in memory; it must give what gen + run gives.
    const auto a =
        run_ssmsim("run --workload lra:image:mamba --seq-len 64 --seed 1 --out " + (dir_ / "mem").string());
    ASSERT_EQ(a.exit_code, 0) << a.output;
    const auto b =
        run_ssmsim("run --workload " + (dir_ / "trace").string() + " --out " + (dir_ / "disk").string());
    ASSERT_EQ(b.exit_code, 0) << b.output;
    EXPECT_EQ(sha_of(dir_ / "mem"), sha_of(dir_ / "disk"));
}

TEST_F(CliRun, AnotherSeedGivesAnotherHash) {
    const auto a =
        run_ssmsim("run --workload lra:image:mamba --seq-len 64 --seed 1 --out " + (dir_ / "s1").string());
    const auto b =
        run_ssmsim("run --workload lra:image:mamba --seq-len 64 --seed 2 --out " + (dir_ / "s2").string());
    ASSERT_EQ(a.exit_code, 0) << a.output;
    ASSERT_EQ(b.exit_code, 0) << b.output;
    EXPECT_NE(sha_of(dir_ / "s1"), sha_of(dir_ / "s2"));
}

TEST_F(CliRun, ValidateAcceptsGeneratedTrace) {
    const auto r = run_ssmsim("validate " + (dir_ / "trace").string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("valid int8 trace"), std::string::npos) << r.output;
}

TEST_F(CliRun, Float32ModeRuns) {
    const auto r = run_ssmsim("run --workload lra:listops:s4d --seq-len 32 --numerics float32 --out " +
                              (dir_ / "f32").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(read_json(dir_ / "f32" / "report.json").at("numerics"), "float32");
}

TEST_F(CliRun, UnknownModelAndWorkloadAreRefused) {
    auto r = run_ssmsim("run --model nosuch --workload lra:image:mamba --seq-len 16");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--model"), std::string::npos) << r.output;
    r = run_ssmsim("run --workload lra:imagenet:mamba");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("imagenet"), std::string::npos) << r.output;
    r = run_ssmsim("run --workload lra:image:rnn");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("rnn"), std::string::npos) << r.output;
}

TEST_F(CliRun, ShapeOnlyTraceValidatesButTheReferenceRefusesIt) {
    const auto g =
        run_ssmsim("gen lra:image:s4d --seq-len 64 --shape-only --out " + (dir_ / "shape").string());
    ASSERT_EQ(g.exit_code, 0) << g.output;
    EXPECT_FALSE(fs::exists(dir_ / "shape" / "tokens.npy"));
    const auto v = run_ssmsim("validate " + (dir_ / "shape").string());
    EXPECT_EQ(v.exit_code, 0) << v.output;
    EXPECT_NE(v.output.find("shape-only"), std::string::npos) << v.output;
    const auto r = run_ssmsim("run --model reference --workload " + (dir_ / "shape").string());
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("shape-only"), std::string::npos) << r.output;
}

TEST(CliAllTasks, EveryTaskAndArchitectureRunsAtReducedLength) {
    for (const char* task : {"listops", "text", "retrieval", "image", "pathfinder", "pathx"}) {
        for (const char* arch : {"s4d", "mamba", "transformer"}) {
            const auto r =
                run_ssmsim(std::string("run -q --workload lra:") + task + ":" + arch + " --seq-len 64");
            EXPECT_EQ(r.exit_code, 0) << task << ":" << arch << "\n" << r.output;
        }
    }
}

}  // namespace
