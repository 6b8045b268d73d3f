// Broken traces: each must give exit code 2, a message naming the file and the field, and no report.json.
#include <gtest/gtest.h>

#include <functional>
#include <limits>

#include "sim/trace/npy.h"

#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;
using nlohmann::json;

namespace {

class BadInput : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        root_ = scratch_dir("bad_inputs");
        const auto g = run_ssmsim("gen lra:listops:mamba --seq-len 16 --out " + (root_ / "good").string());
        ASSERT_EQ(g.exit_code, 0) << g.output;
    }
    static void TearDownTestSuite() { fs::remove_all(root_); }

    // Copies the good trace, breaks it, runs `run` and `validate` on it, checks the failure.
    void expect_refused(const std::string& name, const std::function<void(const fs::path&)>& breakit,
                        const std::vector<std::string>& fragments) {
        const fs::path dir = root_ / name;
        fs::copy(root_ / "good", dir, fs::copy_options::recursive);
        breakit(dir);
        const fs::path out = root_ / (name + "_out");
        for (const std::string& cmd :
             {"run --workload " + dir.string() + " --out " + out.string(), "validate " + dir.string()}) {
            const auto r = run_ssmsim(cmd);
            EXPECT_EQ(r.exit_code, 2) << cmd << "\n" << r.output;
            EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
            for (const auto& f : fragments)
                EXPECT_NE(r.output.find(f), std::string::npos) << "missing '" << f << "' in: " << r.output;
        }
        EXPECT_FALSE(fs::exists(out / "report.json"));
    }

    static json trace(const fs::path& dir) { return read_json(dir / "trace.json"); }
    static void save(const fs::path& dir, const json& j) { write_text(dir / "trace.json", j.dump(1)); }

    static fs::path root_;
};
fs::path BadInput::root_;

TEST_F(BadInput, TruncatedNpy) {
    expect_refused("truncated",
                   [](const fs::path& d) {
                       fs::resize_file(d / "l0.in_x.w.npy", fs::file_size(d / "l0.in_x.w.npy") - 7);
                   },
                   {"l0.in_x.w.npy", "truncated"});
}

TEST_F(BadInput, OversizedNpy) {
    expect_refused("oversized",
                   [](const fs::path& d) {
                       fs::resize_file(d / "l0.in_x.w.npy", fs::file_size(d / "l0.in_x.w.npy") + 3);
                   },
                   {"l0.in_x.w.npy", "oversized"});
}

TEST_F(BadInput, MissingNpy) {
    expect_refused("missing", [](const fs::path& d) { fs::remove(d / "l0.in_x.w.npy"); },
                   {"l0.in_x.w.npy", "no such file"});
}

TEST_F(BadInput, NpyNotNumpy) {
    expect_refused("garbage", [](const fs::path& d) { write_text(d / "l0.in_x.w.npy", "hello, not numpy"); },
                   {"l0.in_x.w.npy", "magic"});
}

TEST_F(BadInput, WrongShapeDeclared) {
    expect_refused("shape",
                   [](const fs::path& d) {
                       json j = trace(d);
                       j["tensors"]["l0.in_x.w"]["shape"][0] = 7;
                       save(d, j);
                   },
                   {"trace.json", "/ops/", "l0.in_x"});
}

TEST_F(BadInput, NpyDtypeDiffersFromDeclaration) {
    expect_refused("dtype",
                   [](const fs::path& d) {
                       json j = trace(d);
                       j["tensors"]["l0.conv.b"]["dtype"] = "int16";
                       save(d, j);
                   },
                   {"trace.json", "l0.conv"});
}

TEST_F(BadInput, UnknownOp) {
    expect_refused("unknown_op",
                   [](const fs::path& d) {
                       json j = trace(d);
                       j["ops"][3]["kind"] = "fft";
                       save(d, j);
                   },
                   {"trace.json", "/ops/3/kind", "unknown op 'fft'"});
}

TEST_F(BadInput, MalformedJson) {
    expect_refused("malformed",
                   [](const fs::path& d) {
                       std::string s = read_text(d / "trace.json");
                       write_text(d / "trace.json", s.substr(0, s.size() / 2));
                   },
                   {"trace.json", "valid JSON"});
}

TEST_F(BadInput, DuplicateJsonKey) {
    expect_refused("dupkey",
                   [](const fs::path& d) {
                       std::string s = read_text(d / "trace.json");
                       const auto pos = s.find("\"tensors\": {");
                       ASSERT_NE(pos, std::string::npos);
                       s.insert(pos + 13, "\"tokens\": {\"dtype\": \"int8\", \"shape\": [1]},");
                       write_text(d / "trace.json", s);
                   },
                   {"trace.json", "the key 'tokens' twice"});
}

TEST_F(BadInput, DanglingTensorName) {
    expect_refused("dangling",
                   [](const fs::path& d) {
                       json j = trace(d);
                       j["ops"][2]["inputs"][0] = "no.such.tensor";
                       save(d, j);
                   },
                   {"/ops/2/inputs/0", "no.such.tensor", "not declared"});
}

TEST_F(BadInput, CycleInGraph) {
    expect_refused("cycle",
                   [](const fs::path& d) {
                       json j = trace(d);
                       // op 1 now reads the output of op 2, which reads op 1's output: a cycle.
                       j["ops"][1]["inputs"][0] = j["ops"][2]["outputs"][0];
                       save(d, j);
                   },
                   {"cycle"});
}

TEST_F(BadInput, UnknownAttributeAndMissingAttribute) {
    expect_refused("attr",
                   [](const fs::path& d) {
                       json j = trace(d);
                       j["ops"][2]["attrs"]["shfit"] = 3;
                       save(d, j);
                   },
                   {"/ops/2/attrs/shfit", "unknown attribute"});
    expect_refused("attr_missing",
                   [](const fs::path& d) {
                       json j = trace(d);
                       j["ops"][2]["attrs"].erase("mult");
                       save(d, j);
                   },
                   {"/ops/2/attrs/mult", "missing"});
}

TEST_F(BadInput, ZeroAndNegativeSizes) {
    expect_refused("zero",
                   [](const fs::path& d) {
                       json j = trace(d);
                       j["tensors"]["tokens"]["shape"][1] = 0;
                       save(d, j);
                   },
                   {"/tensors/tokens/shape/1", "positive integer"});
}

TEST_F(BadInput, TokenOutOfVocabulary) {
    // Valid structure, bad value: found when the embedding runs; still a clean error and no report.
    const fs::path dir = root_ / "token";
    fs::copy(root_ / "good", dir, fs::copy_options::recursive);
    std::string npy = read_text(dir / "tokens.npy");
    npy[npy.size() - 4] = 100;  // last token's low byte; vocab is 16
    write_text(dir / "tokens.npy", npy);
    const auto r = run_ssmsim("run --workload " + dir.string() + " --out " + (root_ / "token_out").string());
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("tokens.npy"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(root_ / "token_out" / "report.json"));
}

TEST_F(BadInput, NanInFloatWeights) {
    const fs::path dir = root_ / "nan";
    const auto g = run_ssmsim("gen lra:listops:s4d --seq-len 16 --numerics float32 --out " + dir.string());
    ASSERT_EQ(g.exit_code, 0) << g.output;
    ssmsim::Tensor w = ssmsim::read_npy(dir / "l0.glu_a.w.npy");
    w.as<float>()[5] = std::numeric_limits<float>::quiet_NaN();
    ssmsim::write_npy(dir / "l0.glu_a.w.npy", w);
    const auto r = run_ssmsim("run --workload " + dir.string() + " --out " + (root_ / "nan_out").string());
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("l0.glu_a.w.npy (element 5)"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("NaN"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(root_ / "nan_out" / "report.json"));
}

TEST_F(BadInput, TraceOverTheMemoryBudgetIsRefusedBeforeLoading) {
    // The 16-step ListOps Mamba holds about 1.1 MB of weights: over a 1 MiB budget, under 64 MiB.
    const auto r = run_ssmsim("run --workload " + (root_ / "good").string() +
                              " --memory-budget-mib 1 --out " + (root_ / "budget_out").string());
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("memory budget"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(root_ / "budget_out" / "report.json"));
    const auto ok = run_ssmsim("run --workload " + (root_ / "good").string() + " --memory-budget-mib 64");
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST_F(BadInput, StaleReportIsRemovedWhenARunFails) {
    const fs::path out = root_ / "stale_out";
    auto r = run_ssmsim("run --workload " + (root_ / "good").string() + " --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_TRUE(fs::exists(out / "report.json"));
    r = run_ssmsim("run --workload " + (root_ / "nonexistent").string() + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_FALSE(fs::exists(out / "report.json"));
}

}  // namespace
