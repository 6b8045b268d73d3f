// The model's error on the held-out half of reference/gpu-timings/h100.csv stays at or below the MAPE that
// docs/models/gpu.md states ("MAPE: N%"): the page and the model cannot drift apart.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "models/gpu/validation.h"
#include "sim/config/hw_config.h"
#include "tests/gpu/gpu_harness.h"

using namespace ssmsim;
using namespace ssmsim::gpu;

namespace {

double stated_mape() {
    std::ifstream f(std::string(SSMSIM_SOURCE_DIR) + "/docs/models/gpu.md");
    std::stringstream ss;
    ss << f.rdbuf();
    std::smatch m;
    const std::string text = ss.str();
    if (!std::regex_search(text, m, std::regex(R"(MAPE: ([0-9]+(\.[0-9]+)?)%)"))) return -1;
    return std::stod(m[1]);
}

TEST(GpuValidation, SplitIsHalfAndHalfPerKernel) {
    const auto rows = load_timings(std::string(SSMSIM_SOURCE_DIR) + "/reference/gpu-timings/h100.csv");
    ASSERT_GT(rows.size(), 200u);
    std::map<std::string, std::pair<int, int>> n;
    for (const auto& r : rows) (r.heldout ? n[r.kernel].second : n[r.kernel].first)++;
    for (const auto& [k, c] : n) {
        EXPECT_GE(c.first, c.second) << k;
        EXPECT_LE(c.first - c.second, 1) << k;
    }
}

TEST(GpuValidation, HeldOutMapeIsAtMostTheStatedOne) {
    const double stated = stated_mape();
    ASSERT_GT(stated, 0) << "docs/models/gpu.md states no \"MAPE: N%\"";
    ssmsim::testing::register_gpu();
    const Spec spec = parse_spec(HwConfig::resolve("gpu", "gpu-h100-sxm", "", nlohmann::json::object()));
    auto rows = load_timings(std::string(SSMSIM_SOURCE_DIR) + "/reference/gpu-timings/h100.csv");
    std::erase_if(rows, [](const MeasuredRow& r) { return !r.heldout; });
    const auto pred = predict_us(rows, spec);
    const auto st = error_stats(rows, pred, true);
    const ErrorStats& all = st.back();
    ASSERT_EQ(all.name, "overall");
    EXPECT_EQ(all.n, static_cast<int>(rows.size()));
    EXPECT_LE(all.mape, stated) << "held-out MAPE " << all.mape << "% is above the stated " << stated << "%";
    for (const auto& s : st)
        std::printf("held-out %-12s n=%3d MAPE %6.2f%% max %6.1f%%\n", s.name.c_str(), s.n, s.mape,
                    s.max_abs_pct);
}

// A grid row was timed back to back in one stream, so its prediction pays the stream's launch gap and not
// the graph node's that whole runs pay: moving launch.stream_kernel_ns moves every row by exactly that.
TEST(GpuValidation, GridRowsPayTheStreamsLaunchGap) {
    ssmsim::testing::register_gpu();
    auto rows = load_timings(std::string(SSMSIM_SOURCE_DIR) + "/reference/gpu-timings/h200.csv");
    std::erase_if(rows, [](const MeasuredRow& r) { return r.op_class != "elementwise"; });
    rows.resize(4);
    auto spec_with = [](double graph_ns, double stream_ns) {
        return parse_spec(HwConfig::resolve(
            "gpu", "gpu-h200", "", {{"launch.kernel_ns", graph_ns}, {"launch.stream_kernel_ns", stream_ns}}));
    };
    const auto base = predict_us(rows, spec_with(500, 1000));
    const auto graph_moved = predict_us(rows, spec_with(3000, 1000));
    const auto stream_moved = predict_us(rows, spec_with(500, 3000));
    for (size_t i = 0; i < rows.size(); ++i) {
        EXPECT_DOUBLE_EQ(graph_moved[i], base[i]) << rows[i].kernel;
        EXPECT_NEAR(stream_moved[i] - base[i], 2.0, 1e-3) << rows[i].kernel;
    }
}

// A grid point whose rotated buffer sets fit in the L2 was measured with its inputs in the L2, so it is
// predicted warm: faster than the same point predicted cold (rotation past the L2, or not recorded), and
// reading fewer bytes from HBM; a rotation past the L2 is predicted exactly as an unrecorded one.
TEST(GpuValidation, GridRowsWhoseRotationFitsTheL2ArePredictedWarm) {
    ssmsim::testing::register_gpu();
    auto rows = load_timings(std::string(SSMSIM_SOURCE_DIR) + "/reference/gpu-timings/h200.csv");
    std::erase_if(rows,
                  [](const MeasuredRow& r) { return r.kernel != "mul_i8" || r.shape.elements != 65536; });
    ASSERT_EQ(rows.size(), 1u);
    const Spec spec = parse_spec(HwConfig::resolve("gpu", "gpu-h200", "", nlohmann::json::object()));
    ASSERT_GT(rows[0].rotation_bytes, 0) << "h200.csv records set_bytes and buffer_sets";
    ASSERT_LE(rows[0].rotation_bytes, spec.l2_bytes) << "65,536 elements x 32 sets fit in the L2";
    std::vector<MeasuredRow> three = {rows[0], rows[0], rows[0]};
    three[1].rotation_bytes = spec.l2_bytes + 1;
    three[2].rotation_bytes = 0;
    const auto res = predict_results(three, spec);
    ASSERT_EQ(res.size(), 3u);
    EXPECT_LT(res[0].cycles, 0.95 * res[1].cycles);
    EXPECT_LT(res[0].hbm_read, res[1].hbm_read);
    EXPECT_DOUBLE_EQ(res[1].cycles, res[2].cycles);
    EXPECT_DOUBLE_EQ(res[1].hbm_read, res[2].hbm_read);
}

}  // namespace
