// Every file a user names goes through one opener (regular files only, a size bound) and one JSON parser
// (depth, duplicate keys): a FIFO used to hang `run` forever, /dev/zero as --config read until memory ran
// out, a sweep nested 200,000 levels deep crashed, NaN weights gave NaN logits with exit 0. Each command runs
// under `timeout`, so a regression fails the test instead of hanging it.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cmath>
#include <limits>

#include "sim/trace/npy.h"
#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

// run_ssmsim under timeout(1): 124 means the command hung.
CommandResult run_bounded(const std::string& args) {
    return run_command("timeout -k 5 60 " + std::string(SSMSIM_BINARY) + " " + args);
}

void expect_input_error(const CommandResult& r, const std::vector<std::string>& fragments) {
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
    for (const auto& f : fragments)
        EXPECT_NE(r.output.find(f), std::string::npos) << "missing '" << f << "' in: " << r.output;
}

void make_fifo(const fs::path& p) {
    fs::remove(p);
    ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0) << p;
}

class InputFiles : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        root_ = scratch_dir("input_files");
        const auto g = run_ssmsim("gen lra:listops:s4d --seq-len 8 --out " + (root_ / "good").string());
        ASSERT_EQ(g.exit_code, 0) << g.output;
    }
    static void TearDownTestSuite() { fs::remove_all(root_); }

    static fs::path copy_of_good(const std::string& name) {
        const fs::path dir = root_ / name;
        fs::remove_all(dir);
        fs::copy(root_ / "good", dir, fs::copy_options::recursive);
        return dir;
    }
    static std::string run_args(const fs::path& workload) {
        return "run -q --workload " + workload.string() + " --out " + (root_ / "out").string();
    }

    static fs::path root_;
};
fs::path InputFiles::root_;

TEST_F(InputFiles, FifoAsTraceJsonIsRefused) {
    const fs::path dir = copy_of_good("fifo_trace");
    make_fifo(dir / "trace.json");
    expect_input_error(run_bounded(run_args(dir)), {"trace.json", "FIFO"});
    expect_input_error(run_bounded("validate " + dir.string()), {"trace.json", "FIFO"});
}

TEST_F(InputFiles, TraceJsonAsDirectoryIsRefused) {
    const fs::path dir = copy_of_good("dir_trace");
    fs::remove(dir / "trace.json");
    fs::create_directories(dir / "trace.json");
    expect_input_error(run_bounded("validate " + dir.string()), {"trace.json", "directory"});
    expect_input_error(run_bounded(run_args(dir)), {"trace.json", "directory"});
}

TEST_F(InputFiles, FifoAsNpyIsRefused) {
    const fs::path dir = copy_of_good("fifo_npy");
    make_fifo(dir / "classifier.b.npy");
    expect_input_error(run_bounded(run_args(dir)), {"classifier.b.npy", "FIFO"});
    expect_input_error(run_bounded("validate " + dir.string()), {"classifier.b.npy", "FIFO"});
}

TEST_F(InputFiles, DevZeroAsNpyIsRefused) {
    const fs::path dir = copy_of_good("zero_npy");
    fs::remove(dir / "classifier.b.npy");
    fs::create_symlink("/dev/zero", dir / "classifier.b.npy");
    expect_input_error(run_bounded(run_args(dir)), {"classifier.b.npy", "character device"});
}

TEST_F(InputFiles, SpecialFilesAsConfigAreRefused) {
    const std::string common =
        "run -q --model systolic --timing-only --workload lra:listops:s4d --seq-len 8 ";
    expect_input_error(run_bounded(common + "--config /dev/zero"),
                       {"--config /dev/zero", "character device"});
    const fs::path fifo = root_ / "config_fifo.json";
    make_fifo(fifo);
    expect_input_error(run_bounded(common + "--config " + fifo.string()), {"config_fifo.json", "FIFO"});
    expect_input_error(run_bounded(common + "--config " + root_.string()), {"directory"});
    const fs::path big = root_ / "big_config.json";
    write_text(big, "{\"model\": \"systolic\", \"description\": \"" + std::string(2 << 20, 'x') + "\"}");
    expect_input_error(run_bounded(common + "--config " + big.string()),
                       {"big_config.json", "at most 1048576 bytes"});
}

TEST_F(InputFiles, SpecialFilesAsWeightsAreRefused) {
    const fs::path w = root_ / "weights_fifo";
    fs::create_directories(w);
    make_fifo(w / "classifier.b.npy");
    const std::string args = "run -q --workload lra:listops:s4d --seq-len 8 --weights ";
    expect_input_error(run_bounded(args + w.string()), {"classifier.b.npy", "FIFO"});
    expect_input_error(run_bounded(args + "/dev/zero"), {"--weights /dev/zero", "character device"});
}

TEST_F(InputFiles, NonFiniteWeightsAreRefusedNamingFileAndTensor) {
    const fs::path w = root_ / "weights_nonfinite";
    fs::create_directories(w);
    const std::string args = "run -q --workload lra:listops:s4d --seq-len 8 --weights " + w.string();
    std::vector<float> bias(10, 0.0f);
    bias[3] = std::numeric_limits<float>::quiet_NaN();
    ssmsim::write_npy(w / "classifier.b.npy", ssmsim::Tensor::from<float>({10}, bias));
    expect_input_error(run_bounded(args),
                       {"classifier.b.npy (parameter 'classifier.b', element 3)", "finite float32", "NaN"});
    bias[3] = -std::numeric_limits<float>::infinity();
    ssmsim::write_npy(w / "classifier.b.npy", ssmsim::Tensor::from<float>({10}, bias));
    expect_input_error(run_bounded(args),
                       {"classifier.b.npy (parameter 'classifier.b', element 3)", "infinity"});
    expect_input_error(run_bounded("gen lra:listops:s4d --seq-len 8 --weights " + w.string() + " --out " +
                                   (root_ / "gen_out").string()),
                       {"classifier.b.npy", "infinity"});
}

// Finite weights that drive the float model out of float32 range (a norm gain of 3e38, found by the weights
// fuzzer) leave no int8 scale: the quantizer names the tensor and the op instead of casting infinity.
TEST_F(InputFiles, WeightsThatOverflowTheFloatModelAreRefusedNamingTheOp) {
    const fs::path w = root_ / "weights_overflow";
    fs::create_directories(w);
    std::vector<float> gamma(128, 1.0f);
    gamma[40] = 3e38f;
    ssmsim::write_npy(w / "l0.postnorm.gamma.npy", ssmsim::Tensor::from<float>({128}, gamma));
    expect_input_error(run_bounded("run -q --workload lra:listops:s4d --seq-len 8 --weights " + w.string()),
                       {"output 'l0.postnorm' of op 'l0.postnorm'", "finite float32 values", "infinity"});
}

TEST_F(InputFiles, SweepFilesAreBoundedAndChecked) {
    const std::string out = " --out " + (root_ / "sweep_out").string();
    const fs::path fifo = root_ / "sweep_fifo.json";
    make_fifo(fifo);
    expect_input_error(run_bounded("sweep " + fifo.string() + out), {"sweep_fifo.json", "FIFO"});
    expect_input_error(run_bounded("sweep /dev/zero" + out), {"/dev/zero", "character device"});

    const fs::path deep = root_ / "deep_sweep.json";
    write_text(deep, R"({"models": ["systolic"], "workloads": ["lra:listops:s4d"], "description": )" +
                         std::string(200000, '[') + std::string(200000, ']') + "}");
    expect_input_error(run_bounded("sweep " + deep.string() + out), {"deep_sweep.json", "nested at most 64"});

    const fs::path dup = root_ / "dup_sweep.json";
    write_text(dup, R"({"models": ["systolic"], "workloads": ["lra:listops:s4d"], "seq_len": 8,
                        "grid": {"sram.activations.kib": [64], "sram.activations.kib": [128]}})");
    expect_input_error(run_bounded("sweep " + dup.string() + out),
                       {"dup_sweep.json:/grid", "the key 'sram.activations.kib' twice"});
}

}  // namespace
