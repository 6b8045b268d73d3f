// `ssmsim rtl verify` end to end (docs/rtl.md): the reference unit at 8 lanes and the correct example pass,
// the wrong example fails on its first mismatch, and designs that do not build or do not match the
// interface exit 2 with what is wrong. Plugins are cached in the build tree (rtl-verify-cache), so a second
// ctest run compiles nothing; the caching test uses its own empty cache.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/support/cli_harness.h"

using namespace ssmsim::testing;

namespace {

namespace fs = std::filesystem;

std::string src(const std::string& path) { return (fs::path(SSMSIM_SOURCE_DIR) / path).string(); }

std::string shared_cache() { return (fs::path(SSMSIM_BINARY).parent_path() / "rtl-verify-cache").string(); }

// The reference unit plus one more file (an example or a test design) under its own top.
std::string verify_args(const std::string& extra_file, const std::string& top, const std::string& rest) {
    return "rtl verify --rtl " + src("rtl/scan_unit.sv") +
           (extra_file.empty() ? "" : " --rtl " + src(extra_file)) + " --top " + top + " " + rest;
}

bool has(const CommandResult& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

TEST(RtlVerify, TheReferenceUnitPassesAtEightLanes) {
    const auto r =
        run_ssmsim(verify_args("", "scan_unit", "--param LANES=8 --cases 20 --cache " + shared_cache()));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(has(r, "LANES=8 LOG_NMIN=2 SLOTS=16 TABLE_DEPTH=4096; 43 ports match the interface"))
        << r.output;
    EXPECT_TRUE(has(r, "random cases 20")) << r.output;
    EXPECT_TRUE(has(r, "timing: the config systolic-edge (depth 4, latency 6) matches the design"))
        << r.output;
    EXPECT_TRUE(
        has(r,
            "co-simulation: lra:image:s4d (seq-len 64) in the systolic model: outputs and saturations "
            "equal the reference's"))
        << r.output;
    EXPECT_TRUE(has(r, "\nPASS\n")) << r.output;
}

TEST(RtlVerify, ASecondRunWithTheSameInputsReusesThePlugin) {
    // A cache given relative to the working folder (the plugin is linked from inside Verilator's object
    // folder, so the command must not hand make a relative path).
    const fs::path dir = scratch_dir("rtl_verify_cache");
    const std::string args =
        verify_args("", "scan_unit", "--param LANES=4 --cases 0 --seq-len 16 --cache cache");
    const auto run = [&](const std::string& a) {
        return run_command("cd " + dir.string() + " && " + std::string(SSMSIM_BINARY) + " " + a);
    };
    const auto first = run(args);
    ASSERT_EQ(first.exit_code, 0) << first.output;
    ASSERT_TRUE(has(first, "plugin: built: cache/")) << first.output;
    fs::path plugin;
    for (const auto& e : fs::recursive_directory_iterator(dir / "cache"))
        if (e.path().filename() == "scan_plugin.so") plugin = e.path();
    ASSERT_FALSE(plugin.empty());
    const auto built_at = fs::last_write_time(plugin);
    const auto second = run(args);
    EXPECT_EQ(second.exit_code, 0) << second.output;
    EXPECT_TRUE(has(second, "plugin: cached, not rebuilt: " + fs::relative(plugin, dir).string()))
        << second.output;
    EXPECT_EQ(fs::last_write_time(plugin), built_at);
    // Another parameter value is another plugin.
    const auto other = run(verify_args(
        "", "scan_unit", "--param LANES=4 --param SLOTS=32 --cases 0 --seq-len 16 --cache cache"));
    EXPECT_EQ(other.exit_code, 0) << other.output;
    EXPECT_TRUE(has(other, "plugin: built: ")) << other.output;
    fs::remove_all(dir);
}

TEST(RtlVerify, AnExtraOutputRegisterPassesAndTheTimingNamesItsLatency) {
    const auto r = run_ssmsim(verify_args("rtl/examples/scan_unit_out_reg.sv", "scan_unit_out_reg",
                                          "--param LANES=8 --cases 20 --cache " + shared_cache()));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(has(r, "chunks follow the closed form with pipeline depth 4, output latency 7")) << r.output;
    EXPECT_TRUE(has(r, "to model this design use --set scan.pipeline_depth=4 --set scan.output_latency=7"))
        << r.output;
    EXPECT_TRUE(has(r, "\nPASS\n")) << r.output;
}

TEST(RtlVerify, ASymmetricOutputSaturationFailsOnItsFirstMismatch) {
    const fs::path out = scratch_dir("rtl_verify_bad");
    const auto r =
        run_ssmsim(verify_args("rtl/examples/scan_unit_bad_saturation.sv", "scan_unit_bad_saturation",
                               "--param LANES=8 --cache " + shared_cache() + " --out " + out.string()));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(has(r,
                    "FAIL corner 'saturation: state': first difference at batch 0, t 0, channel 0 (lanes "
                    "0..3, slots 0..0): reference -128, RTL -127; inputs u 127"))
        << r.output;
    EXPECT_TRUE(has(r, "case sat_state_up [s4d")) << r.output;
    EXPECT_TRUE(fs::exists(out / "sat_state_up.fst")) << r.output;
    EXPECT_GT(fs::file_size(out / "sat_state_up.fst"), 1000u);
    EXPECT_TRUE(has(r, "\nFAIL\n")) << r.output;
    fs::remove_all(out);
}

TEST(RtlVerify, AUnitThatIssuesAtHalfRateFailsTheTimingCheck) {
    // Right results, but a beat only every other cycle: no depth and latency make the closed form fit.
    const auto r = run_ssmsim(verify_args("tests/rtl/designs/half_rate_issue.sv", "half_rate_issue",
                                          "--param LANES=8 --cases 5 --cache " + shared_cache()));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(has(r, "suite: every corner and random case matches the reference")) << r.output;
    EXPECT_TRUE(
        has(r,
            "FAIL timing: a chunk of 128 pairs x 20 steps took 649 cycles; the closed form with depth 4 "
            "and output latency 7 (fitted on one-slot chunks) gives 330"))
        << r.output;
}

TEST(RtlVerify, AUnitTooSmallForTheWorkloadFailsTheCoSimulationWithTheReason) {
    // 4 lanes x 8 slots hold 32 (channel, state) pairs; lra:image:s4d has 64 states per channel.
    const auto r = run_ssmsim(verify_args(
        "", "scan_unit", "--param LANES=4 --param SLOTS=8 --cases 0 --seq-len 16 --cache " + shared_cache()));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(has(r,
                    "FAIL co-simulation on lra:image:s4d: the design cannot run a chunk of this workload: "
                    "expected at most 32 (channel, state) pairs per chunk, found 64"))
        << r.output;
}

TEST(RtlVerify, DesignsThatDoNotBuildOrDoNotMatchTheInterfaceExitTwo) {
    const std::string cache = " --cache " + shared_cache();
    const auto syntax = run_ssmsim("rtl verify --rtl " + src("tests/rtl/designs/syntax_error.sv") +
                                   " --top syntax_error" + cache);
    EXPECT_EQ(syntax.exit_code, 2) << syntax.output;
    EXPECT_TRUE(has(syntax, "syntax_error.sv:6:5: syntax error, unexpected always_ff")) << syntax.output;

    const auto missing = run_ssmsim(
        verify_args("tests/rtl/designs/no_sat_count.sv", "no_sat_count", "--param LANES=8" + cache));
    EXPECT_EQ(missing.exit_code, 2) << missing.output;
    EXPECT_TRUE(has(missing,
                    "no_sat_count.sv:4: module no_sat_count: port sat_count: expected output [64], found no "
                    "such port"))
        << missing.output;

    const auto wide =
        run_ssmsim(verify_args("tests/rtl/designs/wide_mult.sv", "wide_mult", "--param LANES=8" + cache));
    EXPECT_EQ(wide.exit_code, 2) << wide.output;
    EXPECT_TRUE(has(wide, "module wide_mult: port cfg_mult: expected input [31], found input [32]"))
        << wide.output;

    for (const std::string lanes : {"6", "0"}) {
        const auto r = run_ssmsim(verify_args("", "scan_unit", "--param LANES=" + lanes + cache));
        EXPECT_EQ(r.exit_code, 2) << r.output;
        EXPECT_TRUE(has(
            r, "--param LANES=" + lanes + ": expected lanes P, a power of two in [2, 1024], found " + lanes))
            << r.output;
    }
    const auto file_as_cache =
        run_ssmsim(verify_args("", "scan_unit", "--param LANES=8 --cache " + src("README.md")));
    EXPECT_EQ(file_as_cache.exit_code, 2) << file_as_cache.output;
    EXPECT_TRUE(has(file_as_cache, "README.md: expected a folder that can be written"))
        << file_as_cache.output;

    const auto nmin = run_ssmsim(verify_args("", "scan_unit", "--param LANES=8 --param LOG_NMIN=4" + cache));
    EXPECT_EQ(nmin.exit_code, 2) << nmin.output;
    EXPECT_TRUE(has(
        nmin, "--param LOG_NMIN=4: expected log2 of the smallest N, in [0, log2 LANES] = [0, 3], found 4"))
        << nmin.output;
}

}  // namespace
