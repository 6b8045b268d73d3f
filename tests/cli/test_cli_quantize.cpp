// `ssmsim quantize`: a float32 trace into the int8 contract by the LRA builder's own quantizer.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <sstream>

#include "sim/trace/npy.h"
#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

class CliQuantize : public ::testing::TestWithParam<std::string> {
protected:
    static void SetUpTestSuite() { dir_ = scratch_dir("cli_quantize"); }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    static fs::path dir_;
};
fs::path CliQuantize::dir_;

std::string gen(const std::string& workload, const std::string& extra, const fs::path& out, int len = 64) {
    const auto g = run_ssmsim("gen " + workload + " --seq-len " + std::to_string(len) + " " + extra +
                              " --out " + out.string());
    EXPECT_EQ(g.exit_code, 0) << g.output;
    return g.output;
}

// The same trace the LRA builder makes: every op, tensor and data file byte for byte, and so the same output.
TEST_P(CliQuantize, GivesTheLraBuildersInt8Trace) {
    const std::string w = "lra:image:" + GetParam();
    const fs::path f = dir_ / (GetParam() + "_f32"), q = dir_ / (GetParam() + "_q"),
                   g = dir_ / (GetParam() + "_i8");
    gen(w, "--numerics float32", f);
    gen(w, "", g);
    const auto r = run_ssmsim("quantize " + f.string() + " --out " + q.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto qt = read_json(q / "trace.json"), gt = read_json(g / "trace.json");
    EXPECT_EQ(qt.at("numerics"), "int8");
    EXPECT_EQ(qt.at("ops"), gt.at("ops"));
    EXPECT_EQ(qt.at("tensors"), gt.at("tensors"));
    int files = 0;
    for (const auto& e : fs::directory_iterator(g))
        if (e.path().extension() == ".npy") {
            ++files;
            EXPECT_EQ(read_text(q / e.path().filename()), read_text(e.path())) << e.path().filename();
        }
    EXPECT_GT(files, 3);
    // The report: one row per op, whose saturations add up to the int8 trace's.
    const std::string report = read_text(q / "quantize_report.csv");
    EXPECT_EQ(report.substr(0, report.find('\n')),
              "index,name,kind,output,calibrated_absmax,scale,saturations,elements");
    const auto ops = qt.at("ops").size();
    EXPECT_EQ(static_cast<size_t>(std::count(report.begin(), report.end(), '\n')), ops + 1);
    const auto run =
        run_ssmsim("run -q --workload " + q.string() + " --out " + (dir_ / (GetParam() + "_run")).string());
    ASSERT_EQ(run.exit_code, 0) << run.output;
    int64_t sum = 0;
    std::stringstream ss(report);
    std::string line;
    std::getline(ss, line);
    while (std::getline(ss, line)) {
        const auto last = line.rfind(','), before = line.rfind(',', last - 1);
        sum += std::stoll(line.substr(before + 1, last - before - 1));
    }
    EXPECT_EQ(sum, read_json(dir_ / (GetParam() + "_run") / "report.json").at("saturations").get<int64_t>());

    // `scale` is the quantizer's own: attention's output takes V's scale (not its calibrated max / 127), and
    // the classifier's int32 logits have none.
    std::map<std::string, std::vector<std::string>> by_output;  // output tensor -> cells
    std::stringstream rows(report);
    std::getline(rows, line);
    while (std::getline(rows, line)) {
        std::vector<std::string> cells;
        for (std::stringstream cs(line); std::getline(cs, cells.emplace_back(), ',');) {
        }
        cells.pop_back();
        ASSERT_EQ(cells.size(), 8u) << line;
        by_output[cells[3]] = cells;
    }
    for (const auto& op : qt.at("ops")) {
        const std::string out = op.at("outputs")[0];
        if (op.at("kind") == "classifier") {
            EXPECT_EQ(by_output.at(out)[5], "") << out;
        }
        if (op.at("kind") == "attention") {
            const std::string v = op.at("inputs")[2];
            EXPECT_EQ(by_output.at(out)[5], by_output.at(v)[5]) << out << " vs " << v;
            EXPECT_FALSE(by_output.at(out)[5].empty());
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Archs, CliQuantize, ::testing::Values("s4d", "mamba", "transformer"));

// Calibration inputs change the scales (and so the trace); a file that is no graph input, or of another
// shape, is refused with both shapes named, before any output.
TEST(CliQuantizeCalibration, CalibrationInputsChangeTheScalesAndBadOnesAreRefused) {
    const fs::path dir = scratch_dir("cli_quantize_calibration");
    gen("lra:image:s4d", "--numerics float32", dir / "f");
    gen("lra:image:s4d", "--numerics float32 --seed 7", dir / "other");
    fs::create_directories(dir / "calib");
    fs::copy_file(dir / "other" / "tokens.npy", dir / "calib" / "tokens.npy");
    ASSERT_EQ(run_ssmsim("quantize " + (dir / "f").string() + " --out " + (dir / "q0").string()).exit_code,
              0);
    const auto r = run_ssmsim("quantize " + (dir / "f").string() + " --calibration " +
                              (dir / "calib").string() + " --out " + (dir / "q1").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(read_json(dir / "q0" / "trace.json").at("ops"), read_json(dir / "q1" / "trace.json").at("ops"));
    EXPECT_EQ(read_text(dir / "q0" / "embed.table.npy"),
              read_text(dir / "q1" / "embed.table.npy"));  // weights

    fs::create_directories(dir / "bad_shape");
    gen("lra:image:s4d", "--numerics float32", dir / "longer", 100);
    fs::copy_file(dir / "longer" / "tokens.npy", dir / "bad_shape" / "tokens.npy");
    auto b = run_ssmsim("quantize " + (dir / "f").string() + " --calibration " +
                        (dir / "bad_shape").string() + " --out " + (dir / "q2").string());
    EXPECT_EQ(b.exit_code, 2);
    EXPECT_NE(b.output.find("tokens.npy: expected int32 [1, 64]"), std::string::npos) << b.output;
    EXPECT_FALSE(fs::exists(dir / "q2" / "trace.json"));

    fs::create_directories(dir / "stranger");
    fs::copy_file(dir / "other" / "tokens.npy", dir / "stranger" / "nobody.npy");
    b = run_ssmsim("quantize " + (dir / "f").string() + " --calibration " + (dir / "stranger").string() +
                   " --out " + (dir / "q3").string());
    EXPECT_EQ(b.exit_code, 2);
    EXPECT_NE(b.output.find("a file named after a graph input"), std::string::npos) << b.output;
    EXPECT_FALSE(fs::exists(dir / "q3" / "trace.json"));

    // A NaN in a calibration input would turn into the scales of every op it reaches: refused, named.
    fs::create_directories(dir / "nan");
    ssmsim::Tensor table = ssmsim::read_npy(dir / "f" / "embed.table.npy");
    table.as<float>()[5] = std::numeric_limits<float>::quiet_NaN();
    ssmsim::write_npy(dir / "nan" / "embed.table.npy", table);
    b = run_ssmsim("quantize " + (dir / "f").string() + " --calibration " + (dir / "nan").string() +
                   " --out " + (dir / "q4").string());
    EXPECT_EQ(b.exit_code, 2);
    EXPECT_NE(b.output.find("embed.table.npy (element 5): expected finite float32 values, found NaN"),
              std::string::npos)
        << b.output;
    EXPECT_FALSE(fs::exists(dir / "q4" / "trace.json"));
    fs::remove_all(dir);
}

TEST(CliQuantizeCalibration, AnInt8TraceIsRefused) {
    const fs::path dir = scratch_dir("cli_quantize_int8");
    gen("lra:image:s4d", "", dir / "i8");
    const auto r = run_ssmsim("quantize " + (dir / "i8").string() + " --out " + (dir / "q").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("/numerics: expected float32"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir / "q" / "trace.json"));
    fs::remove_all(dir);
}

}  // namespace
