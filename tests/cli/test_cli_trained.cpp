// The trained weights committed under reference/trained/<task>-<arch>/ (docs/accuracy.md): ssmsim's float32
// reference computes the training framework's own logits from them, the model is well above the majority
// class on the test set, and the bit-exact int8 models predict alike.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "sim/trace/npy.h"
#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

const fs::path kTrained = fs::path(SSMSIM_SOURCE_DIR) / "reference" / "trained";

std::vector<fs::path> trained_models() {
    std::vector<fs::path> v;
    if (fs::is_directory(kTrained))
        for (const auto& e : fs::directory_iterator(kTrained))
            if (fs::exists(e.path() / "provenance.json")) v.push_back(e.path());
    std::sort(v.begin(), v.end());
    return v;
}

std::string workload(const nlohmann::json& p) {
    return "lra:" + p.at("task").get<std::string>() + ":" + p.at("arch").get<std::string>();
}

// None is committed yet (docs/accuracy.md, "Runs so far"): the tests skip until one is.
// The first `count` examples of the model's test set (seed and length from provenance.json), written by
// `ssmsim dataset` into `out`; false if the command failed.
bool write_test_set(const nlohmann::json& p, int64_t count, const fs::path& out) {
    const auto& test = p.at("test_set");
    const auto r =
        run_ssmsim("dataset lra:" + p.at("task").get<std::string>() + " --count " + std::to_string(count) +
                   " --seed " + std::to_string(test.at("seed").get<uint64_t>()) + " --seq-len " +
                   std::to_string(test.at("seq_len").get<int64_t>()) + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.exit_code == 0;
}

class TrainedWeights : public ::testing::Test {
protected:
    void SetUp() override {
        if (trained_models().empty()) GTEST_SKIP() << "no trained weights under " << kTrained;
    }
    static void SetUpTestSuite() { dir_ = scratch_dir("cli_trained"); }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    static fs::path dir_;
};
fs::path TrainedWeights::dir_;

// The committed PyTorch logits (the exact form, float32, on test examples 0..K-1 at the test set's length)
// against ssmsim's float32 reference with the same weights on the same examples: relative max-norm 1e-4.
TEST_F(TrainedWeights, Float32ReferenceGivesThePyTorchLogits) {
    for (const auto& m : trained_models()) {
        const auto p = read_json(m / "provenance.json");
        const int64_t k = p.at("probe").at("examples").get<int64_t>();
        const auto seed = p.at("probe").at("test_seed").get<uint64_t>();
        const fs::path out = dir_ / (m.filename().string() + "_probe");
        const auto r = run_ssmsim(
            "run -q --workload " + workload(p) + " --numerics float32 --seed " + std::to_string(seed) +
            " --seq-len " + std::to_string(p.at("test_set").at("seq_len").get<int64_t>()) + " --batch " +
            std::to_string(k) + " --weights " + (m / "weights").string() + " --out " + out.string());
        ASSERT_EQ(r.exit_code, 0) << r.output;
        const ssmsim::Tensor ours = ssmsim::read_npy(out / "outputs" / "logits.npy");
        const ssmsim::Tensor theirs = ssmsim::read_npy(m / "probe_logits.npy");
        ASSERT_EQ(ours.shape(), theirs.shape()) << m;
        double diff = 0, scale = 0;
        for (size_t i = 0; i < ours.as<float>().size(); ++i) {
            diff = std::max(diff, std::abs(double{ours.as<float>()[i]} - theirs.as<float>()[i]));
            scale = std::max(scale, std::abs(double{theirs.as<float>()[i]}));
        }
        EXPECT_LE(diff, 1e-4 * scale) << m << ": max |ssmsim - torch| " << diff << ", max |torch| " << scale;
    }
}

// The float32 model on the first 100 examples of its test set (seed and length from provenance.json): at
// least 10 points above the majority class of those examples.
TEST_F(TrainedWeights, Float32AccuracyIsWellAboveTheMajorityClass) {
    for (const auto& m : trained_models()) {
        const auto p = read_json(m / "provenance.json");
        const fs::path data = dir_ / (m.filename().string() + "_test");
        ASSERT_TRUE(write_test_set(p, 100, data));
        const fs::path out = dir_ / (m.filename().string() + "_acc");
        const auto r =
            run_ssmsim("accuracy -q --workload " + workload(p) + " --numerics float32 --weights " +
                       (m / "weights").string() + " --test " + data.string() + " --out " + out.string());
        ASSERT_EQ(r.exit_code, 0) << r.output;
        const auto acc = read_json(out / "accuracy.json");
        const auto counts = read_json(data / "dataset.json").at("label_counts");
        int64_t majority = 0;
        for (const auto& c : counts) majority = std::max(majority, c.get<int64_t>());
        EXPECT_GE(acc.at("accuracy").get<double>(), majority / 100.0 + 0.10)
            << m << ": majority class " << majority << " of 100";
    }
}

// int8 on the first 2 test examples at the full length: the systolic and GPU models give the reference's
// logits, example by example.
TEST_F(TrainedWeights, Int8ModelsPredictAlike) {
    for (const auto& m : trained_models()) {
        const auto p = read_json(m / "provenance.json");
        const fs::path data = dir_ / (m.filename().string() + "_int8_test");
        ASSERT_TRUE(write_test_set(p, 2, data));
        std::string first;
        for (const std::string model : {"reference", "systolic", "gpu"}) {
            const fs::path out = dir_ / (m.filename().string() + "_" + model);
            const auto r =
                run_ssmsim("accuracy -q --workload " + workload(p) + " --model " + model + " --weights " +
                           (m / "weights").string() + " --test " + data.string() + " --out " + out.string());
            ASSERT_EQ(r.exit_code, 0) << r.output;
            std::string logits;  // the logit columns of examples.csv
            std::istringstream lines(read_text(out / "examples.csv"));
            std::string line;
            while (std::getline(lines, line)) {
                size_t at = 0;
                for (int comma = 0; comma < 6 && at != std::string::npos; ++comma)
                    at = line.find(',', at + 1);
                logits += line.substr(0, line.find(',')) + ":" +
                          (at == std::string::npos ? "" : line.substr(at)) + "\n";
            }
            if (first.empty()) first = logits;
            EXPECT_EQ(logits, first) << m << " " << model;
        }
    }
}

}  // namespace
