// The progress bar as users see it (SSMSIM_PROGRESS=1 draws it although stderr is a pipe here): on a
// neuromorphic run, where it used to be missing, with the trace-building phase first, and at 80 columns no
// drawn line reaches the last column (a sweep's bar used to wrap at every redraw).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/cli_harness.h"
#include "tests/support/drawn_lines.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

void expect_fits(const std::string& out, size_t columns) {
    for (const std::string& l : drawn_lines(out)) EXPECT_LT(l.size(), columns) << "'" << l << "'";
}

TEST(CliProgress, NeuromorphicRunShowsTheTraceBuildingAndItsOwnBar) {
    const auto r =
        run_command("(SSMSIM_PROGRESS=1 COLUMNS=80 " + std::string(SSMSIM_BINARY) +
                    " run --model neuromorphic --workload lra:pathfinder:s4d --seq-len 64 2>&1 >/dev/null)");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("trace: building lra:pathfinder:s4d"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("neuromorphic ["), std::string::npos) << r.output;
    // The functional run (nearly all of the time) has its bar over ops: its last redraw names the last op.
    EXPECT_NE(r.output.find("logits"), std::string::npos) << r.output;
    expect_fits(r.output, 80);
    // -q still draws nothing.
    const auto q = run_command(
        "(SSMSIM_PROGRESS=1 " + std::string(SSMSIM_BINARY) +
        " run -q --model neuromorphic --workload lra:pathfinder:s4d --seq-len 64 2>&1 >/dev/null)");
    ASSERT_EQ(q.exit_code, 0) << q.output;
    EXPECT_EQ(q.output, "");
}

TEST(CliProgress, SweepAtEightyColumnsShowsGenerationAndNeverWraps) {
    const fs::path dir = scratch_dir("progress_sweep");
    write_text(dir / "sweep.json", R"({"name": "p", "models": ["systolic"],
        "workloads": ["lra:listops:mamba", "lra:retrieval:transformer"], "seq_len": 64,
        "grid": {"sram.activations.kib": [64, 128, 256]}, "timing_only": true})");
    const auto r = run_command("(SSMSIM_PROGRESS=1 COLUMNS=80 " + std::string(SSMSIM_BINARY) + " sweep " +
                               (dir / "sweep.json").string() + " --jobs 2 --out " + (dir / "out").string() +
                               " 2>&1 >/dev/null)");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("traces: building 2 traces"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("sweep ["), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("6/6"), std::string::npos) << r.output;
    expect_fits(r.output, 80);
    fs::remove_all(dir);
}

}  // namespace
