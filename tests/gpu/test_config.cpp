// Config errors name the key, what was expected and what was found; shipped configs resolve and run; the
// GPU's parameters move the time in the direction they must.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "models/gpu/kernels.h"
#include "sim/config/hw_config.h"
#include "sim/util/error.h"
#include "tests/gpu/gpu_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;
using namespace ssmsim::gpu;
using workloads::Arch;
using workloads::Task;

namespace {

void expect_input_error(const nlohmann::json& overrides, const std::string& fragment,
                        const std::string& config = "") {
    const auto w = lra(Task::listops, Arch::mamba, 32);
    try {
        run_gpu(w.trace, nullptr, overrides, config);
        ADD_FAILURE() << "no error for " << overrides.dump();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(GpuConfig, BadOverridesAreRefusedWithTheKeyAndWhatWasExpected) {
    expect_input_error({{"sm.cunt", 4}}, "--set sm.cunt=4: expected a config key");
    expect_input_error({{"sm.count", 0}}, "--set sm.count=0: expected an integer in [1, 4096], found 0");
    expect_input_error({{"sm.count", "many"}}, "expected an integer, found a string");
    expect_input_error({{"hbm.bandwidth_gb_s", -3}}, "hbm.bandwidth_gb_s=-3: expected a number in");
    expect_input_error({{"kernels.gemm_i8.efficiency", 1.5}},
                       "kernels.gemm_i8.efficiency=1.5: expected a number in");
    expect_input_error({{"l2", 1}}, "--set l2=1: expected a leaf key (one value), found the group 'l2'");
}

TEST(GpuConfig, ConfigFilesAreCheckedKeyByKey) {
    const auto dir = std::filesystem::temp_directory_path() / "ssmsim_gpu_config_test";
    std::filesystem::create_directories(dir);
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    };
    expect_input_error({}, ":/l2/kibs: expected a known config key",
                       write("typo.json", R"({"model": "gpu", "l2": {"kibs": 4}})"));
    expect_input_error({}, ":/model: expected \"gpu\"", write("sys.json", R"({"model": "systolic"})"));
    expect_input_error({}, "expected valid JSON", write("broken.json", R"({"model": "gpu",)"));
    expect_input_error({}, "no such file", (dir / "missing.json").string());
    std::filesystem::remove_all(dir);
}

TEST(GpuConfig, KernelsThatCannotLaunchAreRefused) {
    // The attention kernel keeps a score row in shared memory: A100's 163 KiB per CTA hold fewer keys
    // than H100's 227 KiB, so a length that launches on H100 is refused on A100, naming shared memory.
    KernelShape sh;
    sh.kind = KernelKind::attention_i8;
    sh.batch = 1;
    sh.len = 50000;
    sh.ch = 64;
    sh.heads = 1;
    const Spec h100 = parse_spec(HwConfig::resolve("gpu", "gpu-h100-sxm", "", nlohmann::json::object()));
    const Spec a100 = parse_spec(HwConfig::resolve("gpu", "gpu-a100", "", nlohmann::json::object()));
    EXPECT_EQ(lower(sh, h100).grid, 50000);
    try {
        lower(sh, a100);
        ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("shared memory per CTA"), std::string::npos) << e.what();
    }
    sh.len = 60000;  // beyond the kernel's own limit on any GPU
    EXPECT_THROW(lower(sh, h100), InputError);
}

TEST(GpuConfig, ShippedConfigsResolveAndOrderAsTheirHardware) {
    const auto w = lra(Task::image, Arch::mamba, 1024);
    double secs[3], small_l2[3];
    const char* names[] = {"gpu-a100", "gpu-h100-sxm", "gpu-h200"};
    for (int i = 0; i < 3; ++i) {
        const RunResult r = run_gpu(w.trace, nullptr, nlohmann::json::object(), names[i]);
        EXPECT_EQ(r.report["config"]["name"], names[i]);
        secs[i] = r.report["seconds"].get<double>();
        small_l2[i] = run_gpu(w.trace, nullptr, {{"l2.kib", 1024}}, names[i]).report["seconds"].get<double>();
    }
    EXPECT_GT(secs[0], secs[1]);  // A100: fewer, slower SMs and less bandwidth
    // H200 is H100 with faster HBM: with an L2 too small to keep the activations, the run is faster
    EXPECT_GT(small_l2[1], small_l2[2]);
    EXPECT_GT(small_l2[1], secs[1]);  // and a 1 MiB L2 is slower than 50 MiB
}

// gpu-h100-sxm says (validation.derived) that its energy.* is the H200's power model: the two must not drift
// apart when the H200's is refitted.
TEST(GpuConfig, TheH100sEnergyIsTheH200sAsItSays) {
    const HwConfig h100 = HwConfig::resolve("gpu", "gpu-h100-sxm", "", nlohmann::json::object());
    const HwConfig h200 = HwConfig::resolve("gpu", "gpu-h200", "", nlohmann::json::object());
    ASSERT_NE(h100.tree()["validation"]["derived"].get<std::string>().find("energy.* from gpu-h200"),
              std::string::npos);
    EXPECT_EQ(h100.tree()["energy"], h200.tree()["energy"]);
}

// The H200 config's launch gaps are the ones ssmsim-cuda launch measured on it: a graph node's with empty
// kernels, and the stream's and the event's as what they add over a graph node behind a kernel busy for
// 5 us (docs/models/gpu.md, tenth evaluation), to the nanosecond.
TEST(GpuConfig, TheH200sLaunchGapsAreTheMeasuredOnes) {
    std::ifstream f(std::string(SSMSIM_SOURCE_DIR) + "/reference/gpu-timings/h200-launch.json");
    ASSERT_TRUE(f) << "reference/gpu-timings/h200-launch.json";
    const nlohmann::json measured = nlohmann::json::parse(f);
    const nlohmann::json launch =
        HwConfig::resolve("gpu", "gpu-h200", "", nlohmann::json::object()).tree()["launch"];
    const double graph = launch["kernel_ns"].get<double>();
    EXPECT_NEAR(graph, measured["graph_node_ns"].get<double>(), 0.5);
    const nlohmann::json& busy = measured["busy_5us"];
    const double busy_graph = busy["graph_node_ns"].get<double>();
    EXPECT_NEAR(launch["stream_kernel_ns"].get<double>(),
                graph + busy["stream_ns"].get<double>() - busy_graph, 0.5);
    EXPECT_NEAR(launch["event_kernel_ns"].get<double>(),
                graph + busy["stream_with_events_ns"].get<double>() - busy_graph, 0.5);
}

TEST(GpuConfig, MoreBandwidthNeverSlowsAMemoryBoundOp) {
    const auto w = lra(Task::image, Arch::s4d, 1024);
    const RunResult slow = run_gpu(w.trace, nullptr, {{"hbm.bandwidth_gb_s", 1000}});
    const RunResult fast = run_gpu(w.trace, nullptr, {{"hbm.bandwidth_gb_s", 6000}});
    for (size_t i = 0; i < w.trace.ops.size(); ++i) {
        if (w.trace.ops[i].kind != "add") continue;
        EXPECT_LE(fast.report["ops"][i]["cycles"].get<int64_t>(),
                  slow.report["ops"][i]["cycles"].get<int64_t>());
    }
    EXPECT_LT(fast.report["seconds"].get<double>(), slow.report["seconds"].get<double>());
}

}  // namespace
