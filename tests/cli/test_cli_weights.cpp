// --weights: the user's float32 parameters replace the generated ones before quantization.
#include <gtest/gtest.h>

#include "sim/trace/npy.h"
#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

TEST(CliWeights, UserParametersDecideTheResult) {
    const fs::path dir = scratch_dir("weights");
    // A classifier that ignores its input and prefers class 7: the prediction must be 7 whatever the input.
    std::vector<float> bias(10, 0.0f);
    bias[7] = 1.0f;
    ssmsim::write_npy(dir / "classifier.w.npy",
                      ssmsim::Tensor::from<float>({10, 128}, std::vector<float>(1280, 0.0f)));
    ssmsim::write_npy(dir / "classifier.b.npy", ssmsim::Tensor::from<float>({10}, bias));
    for (const char* seed : {"1", "2"}) {
        const auto r = run_ssmsim(std::string("run -q --workload lra:listops:s4d --seq-len 32 --seed ") +
                                  seed + " --weights " + dir.string() + " --out " + (dir / "out").string());
        ASSERT_EQ(r.exit_code, 0) << r.output;
        EXPECT_EQ(read_json(dir / "out" / "report.json").at("predicted_class"), nlohmann::json::array({7}));
    }
    // A wrong shape and an unknown name are refused, naming the file.
    ssmsim::write_npy(dir / "classifier.b.npy", ssmsim::Tensor::from<float>({3}, {0, 0, 0}));
    auto r = run_ssmsim("run -q --workload lra:listops:s4d --seq-len 32 --weights " + dir.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("classifier.b.npy"), std::string::npos) << r.output;
    fs::remove(dir / "classifier.b.npy");
    ssmsim::write_npy(dir / "clasifier.b.npy", ssmsim::Tensor::from<float>({10}, bias));
    r = run_ssmsim("run -q --workload lra:listops:s4d --seq-len 32 --weights " + dir.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("clasifier.b"), std::string::npos) << r.output;
    fs::remove_all(dir);
}

// It says how many parameters it replaced (stderr and report.json), and refuses a folder that replaces none:
// an empty folder used to run silently on the generated weights.
TEST(CliWeights, ReportsWhatItReplacedAndRefusesAFolderThatReplacesNone) {
    const fs::path dir = scratch_dir("weights_count");
    ssmsim::write_npy(dir / "classifier.b.npy",
                      ssmsim::Tensor::from<float>({10}, std::vector<float>(10, 0.5f)));
    ssmsim::write_npy(dir / "classifier.w.npy",
                      ssmsim::Tensor::from<float>({10, 128}, std::vector<float>(1280, 0.0f)));
    for (const char* timing : {"", " --timing-only --model systolic"}) {
        const auto r = run_ssmsim(std::string("run -q --workload lra:listops:s4d --seq-len 32") + timing +
                                  " --weights " + dir.string() + " --out " + (dir / "out").string());
        ASSERT_EQ(r.exit_code, 0) << r.output;
        EXPECT_NE(r.output.find("--weights " + dir.string() + ": replaced 2 of "), std::string::npos)
            << r.output;
        const auto w = read_json(dir / "out" / "report.json").at("weights");
        EXPECT_EQ(w.at("dir"), dir.string());
        EXPECT_EQ(w.at("replaced"), 2);
        EXPECT_GT(w.at("of").get<int>(), 2);  // embedding, norms, SSM and GLU parameters, classifier
    }
    const fs::path empty = dir / "empty";
    fs::create_directories(empty);
    auto r = run_ssmsim("run -q --workload lra:listops:s4d --seq-len 32 --weights " + empty.string());
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("--weights " + empty.string()), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("no .npy file"), std::string::npos) << r.output;
    write_text(empty / "notes.txt", "not a parameter");  // files of other kinds replace nothing either
    r = run_ssmsim(
        "run -q --timing-only --model systolic --workload lra:listops:s4d --seq-len 32 --weights " +
        empty.string());
    EXPECT_EQ(r.exit_code, 2) << r.output;
    fs::remove_all(dir);
}

}  // namespace
