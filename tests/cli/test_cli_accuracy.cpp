// `ssmsim dataset` and `ssmsim accuracy` (docs/accuracy.md): the data set is the batch run's inputs, and
// accuracy's predictions are the models' own, the same on every model that is bit-exact in int8.
#include <gtest/gtest.h>

#include "sim/trace/npy.h"
#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

class CliAccuracy : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = scratch_dir("cli_accuracy");
        // Weights: the float32 parameters `gen` writes (every graph input but the tokens), for S4D ListOps.
        const auto g = run_ssmsim("gen lra:listops:s4d --numerics float32 --seq-len 64 --seed 5 --out " +
                                  (dir_ / "f32").string());
        ASSERT_EQ(g.exit_code, 0) << g.output;
        fs::create_directories(dir_ / "weights");
        for (const auto& e : fs::directory_iterator(dir_ / "f32"))
            if (e.path().extension() == ".npy" && e.path().stem() != "tokens")
                fs::copy_file(e.path(), dir_ / "weights" / e.path().filename());
        const auto d = run_ssmsim("dataset lra:listops --count 6 --seed 11 --seq-len 64 --out " +
                                  (dir_ / "test").string());
        ASSERT_EQ(d.exit_code, 0) << d.output;
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    static CommandResult accuracy(const std::string& extra, const fs::path& out) {
        return run_ssmsim("accuracy -q --workload lra:listops:s4d --weights " + (dir_ / "weights").string() +
                          " --test " + (dir_ / "test").string() + " --out " + out.string() + " " + extra);
    }
    static fs::path dir_;
};
fs::path CliAccuracy::dir_;

// Example i is sample i of `--seed S --batch N`: the tokens and labels of the batch trace, byte for byte.
TEST_F(CliAccuracy, DatasetIsTheBatchRunsInputs) {
    for (const std::string task : {"listops", "retrieval"}) {
        const fs::path d = dir_ / ("ds_" + task), g = dir_ / ("gen_" + task);
        ASSERT_EQ(run_ssmsim("dataset lra:" + task + " --count 3 --seed 4 --seq-len 32 --out " + d.string())
                      .exit_code,
                  0);
        ASSERT_EQ(run_ssmsim("gen lra:" + task +
                             " --batch 3 --seed 4 --seq-len 32 --numerics float32 --out " + g.string())
                      .exit_code,
                  0);
        const ssmsim::Tensor ours = ssmsim::read_npy(d / "tokens.npy");
        const ssmsim::Tensor theirs = ssmsim::read_npy(g / "tokens.npy");
        EXPECT_EQ(ours.shape(), (task == "listops" ? ssmsim::Shape{3, 32} : ssmsim::Shape{3, 2, 32}));
        ASSERT_EQ(ours.bytes().size(), theirs.bytes().size());
        EXPECT_TRUE(std::equal(ours.bytes().begin(), ours.bytes().end(), theirs.bytes().begin())) << task;
        const ssmsim::Tensor label_tensor = ssmsim::read_npy(d / "labels.npy");
        const auto labels = label_tensor.as<int32_t>();
        const auto meta = read_json(g / "trace.json").at("meta").at("labels");
        ASSERT_EQ(meta.size(), 3u);
        for (size_t i = 0; i < 3; ++i)
            EXPECT_EQ(labels[i], meta[i].get<int32_t>()) << task << " example " << i;
        EXPECT_EQ(read_json(d / "dataset.json").at("count"), 3);
    }
}

TEST_F(CliAccuracy, DatasetDoesNotDependOnThreads) {
    const fs::path a = dir_ / "threads1", b = dir_ / "threads2";
    ASSERT_EQ(
        run_ssmsim("dataset lra:pathfinder --count 9 --seed 3 --seq-len 64 --jobs 1 --out " + a.string())
            .exit_code,
        0);
    ASSERT_EQ(
        run_ssmsim("dataset lra:pathfinder --count 9 --seed 3 --seq-len 64 --jobs 2 --out " + b.string())
            .exit_code,
        0);
    for (const char* f : {"tokens.npy", "labels.npy", "dataset.json"})
        EXPECT_EQ(read_text(a / f), read_text(b / f)) << f;
}

// Easier Pathfinder data sets for training curricula: recorded in dataset.json, refused as a test set (the
// workload and published results are the hard setting) and for other tasks.
TEST_F(CliAccuracy, PathfinderDifficultyIsRecordedAndTestSetsAreHard) {
    const fs::path easy = dir_ / "pf-easy", hard = dir_ / "pf-hard";
    ASSERT_EQ(run_ssmsim("dataset lra:pathfinder --count 4 --seed 5 --difficulty easy --out " + easy.string())
                  .exit_code,
              0);
    ASSERT_EQ(run_ssmsim("dataset lra:pathfinder --count 4 --seed 5 --out " + hard.string()).exit_code, 0);
    EXPECT_EQ(read_json(easy / "dataset.json").at("difficulty"), "easy");
    EXPECT_EQ(read_json(hard / "dataset.json").at("difficulty"), "hard");
    EXPECT_NE(read_text(easy / "tokens.npy"), read_text(hard / "tokens.npy"));

    auto r = run_ssmsim("accuracy --workload lra:pathfinder:s4d --weights " + (dir_ / "weights").string() +
                        " --test " + easy.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("dataset.json:/difficulty"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"easy\""), std::string::npos) << r.output;
    auto meta = read_json(hard / "dataset.json");
    meta["difficulty"] = "medium";
    write_text(hard / "dataset.json", meta.dump());
    r = run_ssmsim("accuracy --workload lra:pathfinder:s4d --weights " + (dir_ / "weights").string() +
                   " --test " + hard.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("easy, intermediate or hard"), std::string::npos) << r.output;

    r = run_ssmsim("dataset lra:listops --count 2 --difficulty easy --out " + (dir_ / "lo-easy").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--difficulty"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir_ / "lo-easy" / "dataset.json"));
    r = run_ssmsim("dataset lra:pathfinder --count 2 --difficulty medium --out " + (dir_ / "pf-m").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--difficulty"), std::string::npos) << r.output;
}

// The reference in float32: its predictions are the batch run's, it agrees with itself, and the confusion
// matrix and accuracy are those of examples.csv.
TEST_F(CliAccuracy, ReferencePredictionsAreTheBatchRunsAndAddUp) {
    const fs::path out = dir_ / "ref_f32";
    const auto r = accuracy("--numerics float32 --model reference --jobs 1", out);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto acc = read_json(out / "accuracy.json");
    EXPECT_EQ(acc.at("examples"), 6);
    EXPECT_DOUBLE_EQ(acc.at("agreement_with_float32").get<double>(), 1.0);
    const auto run = run_ssmsim(
        "run -q --workload lra:listops:s4d --numerics float32 --seq-len 64 --seed 11 --batch 6 "
        "--weights " +
        (dir_ / "weights").string() + " --out " + (dir_ / "batch_run").string());
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto report = read_json(dir_ / "batch_run" / "report.json");
    const std::string csv = read_text(out / "examples.csv");
    int64_t correct = 0, total = 0, diagonal = 0;
    std::istringstream lines(csv);
    std::string line;
    std::getline(lines, line);
    EXPECT_EQ(line.substr(0, 57), "index,label,predicted,float32_predicted,seconds,energy_pj");
    while (std::getline(lines, line)) {
        int64_t index = 0, label = 0, predicted = 0;
        char c = 0;
        std::istringstream cells(line);
        cells >> index >> c >> label >> c >> predicted;
        EXPECT_EQ(predicted, report.at("predicted_class").at(index).get<int64_t>()) << "example " << index;
        EXPECT_EQ(label, report.at("labels").at(index).get<int64_t>()) << "example " << index;
        correct += predicted == label;
        ++total;
    }
    EXPECT_EQ(total, 6);
    EXPECT_EQ(acc.at("correct").get<int64_t>(), correct);
    int64_t cells = 0;
    const auto& confusion = acc.at("confusion");
    for (size_t i = 0; i < confusion.size(); ++i)
        for (size_t j = 0; j < confusion[i].size(); ++j) {
            cells += confusion[i][j].get<int64_t>();
            if (i == j) diagonal += confusion[i][j].get<int64_t>();
        }
    EXPECT_EQ(cells, 6);
    EXPECT_EQ(diagonal, correct);
}

// int8 on the systolic and GPU models: the same logits as the int8 reference, example by example, from
// worker processes (--jobs 2) and batches of 4 with a filled-up last run; time and energy per inference.
TEST_F(CliAccuracy, SystolicAndGpuMatchTheReferenceInInt8) {
    const fs::path ref = dir_ / "ref_i8";
    const auto r = accuracy("--model reference --jobs 1", ref);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const std::string model : {"systolic", "gpu"}) {
        const fs::path sys = dir_ / (model + "_i8");
        const auto s = accuracy("--model " + model + " --jobs 2 --batch 4", sys);
        ASSERT_EQ(s.exit_code, 0) << s.output;
        auto strip_timing = [](const std::string& csv) {  // columns 5 and 6: seconds and energy_pj
            std::string out;
            std::istringstream lines(csv);
            std::string line;
            while (std::getline(lines, line)) {
                std::vector<std::string> cells;
                std::istringstream in(line);
                std::string c;
                while (std::getline(in, c, ',')) cells.push_back(c);
                for (size_t i = 0; i < cells.size(); ++i)
                    if (i != 4 && i != 5) out += cells[i] + ",";
                out += "\n";
            }
            return out;
        };
        EXPECT_EQ(strip_timing(read_text(ref / "examples.csv")),
                  strip_timing(read_text(sys / "examples.csv")))
            << model;
        const auto acc = read_json(sys / "accuracy.json");
        ASSERT_TRUE(acc.contains("per_inference")) << model;
        EXPECT_GT(acc.at("per_inference").at("seconds_mean").get<double>(), 0) << model;
        EXPECT_GT(acc.at("per_inference").at("energy_pj_mean").get<double>(), 0) << model;
        EXPECT_FALSE(fs::exists(sys / "shards"));  // the workers' folders are gone
    }
}

// The neuromorphic model's energy depends on the data (its spikes): it differs between examples, and a higher
// sigma-delta threshold (fewer spikes) lowers it.
TEST_F(CliAccuracy, NeuromorphicEnergyDependsOnTheDataAndTheThreshold) {
    const fs::path base = dir_ / "neuro", t4 = dir_ / "neuro_t4";
    ASSERT_EQ(accuracy("--model neuromorphic --jobs 1", base).exit_code, 0);
    ASSERT_EQ(accuracy("--model neuromorphic --jobs 1 --set sigma_delta.threshold=4", t4).exit_code, 0);
    const auto a = read_json(base / "accuracy.json").at("per_inference");
    const auto b = read_json(t4 / "accuracy.json").at("per_inference");
    EXPECT_LT(a.at("energy_pj_min").get<double>(), a.at("energy_pj_max").get<double>());
    EXPECT_LT(b.at("energy_pj_mean").get<double>(), a.at("energy_pj_mean").get<double>());
}

// The per-op sensitivity run: through worker processes, its logits differ from the float32 run's, its
// agreement column is against that run, and accuracy.json names the kinds.
TEST_F(CliAccuracy, FakeQuantRoundsTheChosenKindOnly) {
    const std::string base = "accuracy -q --workload lra:listops:s4d --numerics float32 --weights " +
                             (dir_ / "weights").string() + " --test " + (dir_ / "test").string() +
                             " --jobs 2";
    ASSERT_EQ(run_ssmsim(base + " --out " + (dir_ / "f32").string()).exit_code, 0);
    const auto r =
        run_ssmsim(base + " --fake-quant linear --fake-quant layernorm --out " + (dir_ / "fq").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto acc = read_json(dir_ / "fq" / "accuracy.json");
    EXPECT_EQ(acc.at("fake_quant"), nlohmann::json({"linear", "layernorm"}));
    const auto plain = read_json(dir_ / "f32" / "accuracy.json");
    EXPECT_EQ(acc.at("float32_reference_accuracy"), plain.at("accuracy"));
    EXPECT_NE(read_text(dir_ / "fq" / "examples.csv"), read_text(dir_ / "f32" / "examples.csv"));
}

// --calibrate reaches the workers and the record (its scales: tests/workloads/test_calibration.cpp).
TEST_F(CliAccuracy, CalibrateIsRecorded) {
    const auto r = run_ssmsim("accuracy -q --workload lra:listops:s4d --calibrate 3 --jobs 2 --weights " +
                              (dir_ / "weights").string() + " --test " + (dir_ / "test").string() +
                              " --out " + (dir_ / "cal3").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(read_json(dir_ / "cal3" / "accuracy.json").at("calibration_examples"), 3);
}

TEST_F(CliAccuracy, BadInputsAreNamed) {
    // A test set of another task.
    const fs::path pf = dir_ / "pf";
    ASSERT_EQ(run_ssmsim("dataset lra:pathfinder --count 2 --seq-len 64 --out " + pf.string()).exit_code, 0);
    auto r = run_ssmsim("accuracy --workload lra:listops:s4d --weights " + (dir_ / "weights").string() +
                        " --test " + pf.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("a data set of task 'listops'"), std::string::npos) << r.output;
    // A weights folder missing a parameter, and one with a mis-shaped parameter.
    const fs::path partial = dir_ / "partial";
    fs::copy(dir_ / "weights", partial);
    fs::remove(partial / "l3.glu_a.w.npy");
    r = run_ssmsim("accuracy --workload lra:listops:s4d --weights " + partial.string() + " --test " +
                   (dir_ / "test").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("'l3.glu_a.w.npy'"), std::string::npos) << r.output;
    ssmsim::write_npy(partial / "l3.glu_a.w.npy", ssmsim::Tensor(ssmsim::DType::float32, {3, 3}));
    r = run_ssmsim("accuracy --workload lra:listops:s4d --weights " + partial.string() + " --test " +
                   (dir_ / "test").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("l3.glu_a.w.npy"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("[3, 3]"), std::string::npos) << r.output;
    // Zero examples, a truncated tokens.npy, a label outside the classes.
    const fs::path bad = dir_ / "bad";
    fs::copy(dir_ / "test", bad);
    auto meta = read_json(bad / "dataset.json");
    meta["count"] = 0;
    write_text(bad / "dataset.json", meta.dump());
    r = run_ssmsim("accuracy --workload lra:listops:s4d --weights " + (dir_ / "weights").string() +
                   " --test " + bad.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("dataset.json:/count"), std::string::npos) << r.output;
    meta["count"] = 6;
    write_text(bad / "dataset.json", meta.dump());
    const std::string tokens = read_text(dir_ / "test" / "tokens.npy");
    write_text(bad / "tokens.npy", tokens.substr(0, tokens.size() - 10));
    r = run_ssmsim("accuracy --workload lra:listops:s4d --weights " + (dir_ / "weights").string() +
                   " --test " + bad.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("tokens.npy"), std::string::npos) << r.output;
    fs::copy_file(dir_ / "test" / "tokens.npy", bad / "tokens.npy", fs::copy_options::overwrite_existing);
    ssmsim::Tensor labels = ssmsim::read_npy(bad / "labels.npy");
    labels.as<int32_t>()[2] = 10;
    ssmsim::write_npy(bad / "labels.npy", labels);
    r = run_ssmsim("accuracy --workload lra:listops:s4d --weights " + (dir_ / "weights").string() +
                   " --test " + bad.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("labels.npy[2]"), std::string::npos) << r.output;
    // A config value the model refuses when it runs, inside worker processes: still bad input (exit 2).
    r = run_ssmsim("accuracy --workload lra:listops:s4d --weights " + (dir_ / "weights").string() +
                   " --test " + (dir_ / "test").string() + " --model systolic --set clock_hz=-1 --jobs 2");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--set clock_hz=-1"), std::string::npos) << r.output;
    // --fake-quant outside a float32 reference run, and a kind the workload does not have.
    r = run_ssmsim("accuracy --workload lra:listops:s4d --weights " + (dir_ / "weights").string() +
                   " --test " + (dir_ / "test").string() + " --fake-quant linear");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--model reference --numerics float32"), std::string::npos) << r.output;
    r = run_ssmsim("accuracy --workload lra:listops:s4d --numerics float32 --weights " +
                   (dir_ / "weights").string() + " --test " + (dir_ / "test").string() +
                   " --fake-quant softplus");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("an op kind of lra:listops:s4d (add, classifier"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("'softplus'"), std::string::npos) << r.output;
    // --calibrate on a float32 run, and out of range.
    r = run_ssmsim("accuracy --workload lra:listops:s4d --numerics float32 --calibrate 4 --weights " +
                   (dir_ / "weights").string() + " --test " + (dir_ / "test").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--calibrate: expected --numerics int8"), std::string::npos) << r.output;
    r = run_ssmsim("accuracy --workload lra:listops:s4d --calibrate 0 --weights " +
                   (dir_ / "weights").string() + " --test " + (dir_ / "test").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--calibrate"), std::string::npos) << r.output;
    // No architecture in --workload; a count of zero in `dataset`.
    r = run_ssmsim("accuracy --workload lra:listops --weights " + (dir_ / "weights").string() + " --test " +
                   (dir_ / "test").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("lra:<task>:<arch>"), std::string::npos) << r.output;
    r = run_ssmsim("dataset lra:listops --count 0 --out " + (dir_ / "zero").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--count"), std::string::npos) << r.output;
}

}  // namespace
