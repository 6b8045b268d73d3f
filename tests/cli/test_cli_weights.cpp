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

}  // namespace
