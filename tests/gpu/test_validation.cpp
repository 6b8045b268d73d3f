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

}  // namespace
