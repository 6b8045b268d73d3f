// Determinism through the binary: the same run twice, into two different folders, writes byte-identical
// files (report.json, timelines, outputs) for every registered model, with data and timing-only.
#include <gtest/gtest.h>

#include <map>

#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

// Every file under `dir`, by path relative to it, with its bytes.
std::map<std::string, std::string> files_under(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = read_text(e.path());
    }
    return files;
}

void expect_same_files_twice(const std::string& run_args, const std::string& name) {
    const fs::path dir = scratch_dir("determinism_" + name);
    for (const char* out : {"first", "second run"}) {
        const auto r = run_ssmsim("run --model all -q " + run_args + " --out '" + (dir / out).string() + "'");
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    const auto a = files_under(dir / "first");
    const auto b = files_under(dir / "second run");
    ASSERT_FALSE(a.empty());
    EXPECT_TRUE(a.count("reference/report.json") || a.count("systolic/report.json"));
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [path, bytes] : a) {
        ASSERT_TRUE(b.count(path)) << path << " only in the first run";
        EXPECT_TRUE(bytes == b.at(path)) << path << " differs between two identical runs";
    }
    fs::remove_all(dir);
}

TEST(Determinism, EveryModelWritesTheSameBytesTwice) {
    expect_same_files_twice("--workload lra:listops:mamba --seq-len 64", "data");
}

TEST(Determinism, TimingOnlyRunsWriteTheSameBytesTwice) {
    expect_same_files_twice("--workload lra:text:s4d --seq-len 128 --timing-only", "timing");
}

}  // namespace
