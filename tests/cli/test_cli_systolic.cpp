// End-to-end through the binary: the systolic model on an LRA workload, as the acceptance command
// runs it, with its report fields and timeline, and its config errors.
#include <gtest/gtest.h>

#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

TEST(CliSystolic, ListopsMambaMatchesReferenceAndReportsTiming) {
    const auto dir = scratch_dir("cli_systolic");
    const std::string w = "--workload lra:listops:mamba --seq-len 512 -q";
    const auto ref = run_ssmsim("run --model reference " + w + " --out " + (dir / "ref").string());
    ASSERT_EQ(ref.exit_code, 0) << ref.output;
    const auto sys = run_ssmsim("run --model systolic " + w + " --out " + (dir / "sys").string());
    ASSERT_EQ(sys.exit_code, 0) << sys.output;
    const auto r = read_json(dir / "sys" / "report.json");
    EXPECT_EQ(r.at("output_sha256"), read_json(dir / "ref" / "report.json").at("output_sha256"));
    EXPECT_EQ(r.at("model"), "systolic");
    EXPECT_GT(r.at("cycles").get<int64_t>(), 0);
    EXPECT_GT(r.at("energy_pj").get<double>(), 0);
    EXPECT_GT(r.at("dram_bytes").get<int64_t>(), 0);
    EXPECT_GT(r.at("sram_peak_bytes").get<int64_t>(), 0);
    for (const char* key : {"clock_hz", "seconds", "saturations", "config", "utilisation", "ops"})
        EXPECT_TRUE(r.contains(key)) << key;
    const auto tl = read_json(dir / "sys" / "timeline.json");
    EXPECT_GT(tl.at("traceEvents").size(), r.at("ops").size());
    fs::remove_all(dir);
}

TEST(CliSystolic, TimingOnlyHasNoOutputHash) {
    const auto dir = scratch_dir("cli_systolic_timing");
    const auto res =
        run_ssmsim("run --model systolic --workload lra:image:s4d --seq-len 64 --timing-only -q --out " +
                   (dir / "t").string());
    ASSERT_EQ(res.exit_code, 0) << res.output;
    const auto r = read_json(dir / "t" / "report.json");
    EXPECT_FALSE(r.contains("output_sha256"));
    EXPECT_TRUE(r.at("timing_only").get<bool>());
    EXPECT_GT(r.at("cycles").get<int64_t>(), 0);
    fs::remove_all(dir);
}

TEST(CliSystolic, UnknownConfigKeyIsRefusedAndLeavesNoReport) {
    const auto dir = scratch_dir("cli_systolic_bad");
    const auto res = run_ssmsim(
        "run --model systolic --workload lra:image:s4d --seq-len 64 -q --set array.colums=8 --out " +
        (dir / "bad").string());
    EXPECT_EQ(res.exit_code, 2) << res.output;
    EXPECT_NE(res.output.find("--set array.colums=8: expected a config key"), std::string::npos)
        << res.output;
    EXPECT_FALSE(fs::exists(dir / "bad" / "report.json"));
    fs::remove_all(dir);
}

}  // namespace
