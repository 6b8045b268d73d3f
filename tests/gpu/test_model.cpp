// The lowering reproduces kernels/' launch geometry, the L2 hits what it holds, and the report is
// consistent with itself.
#include <gtest/gtest.h>

#include "models/gpu/kernels.h"
#include "sim/config/hw_config.h"
#include "tests/gpu/gpu_harness.h"

using namespace ssmsim;
using namespace ssmsim::gpu;
using namespace ssmsim::testing;
using workloads::Arch;
using workloads::Task;

namespace {

Spec h100() { return parse_spec(HwConfig::resolve("gpu", "gpu-h100-sxm", "", nlohmann::json::object())); }

TEST(GpuLowering, GemmGridTileAndOccupancy) {
    const Spec s = h100();
    KernelShape sh;
    sh.kind = KernelKind::gemm_i8;
    sh.m = 1000;
    sh.n = 300;
    sh.k = 200;
    const KernelLaunch k = lower(sh, s);
    EXPECT_EQ(k.grid, 3 * 8);  // ceil(300 / 128) x ceil(1000 / 128)
    EXPECT_EQ(k.threads, 256);
    EXPECT_EQ(k.smem, 2 * 2 * 4 * (128 * 16 + 32));  // two stages of A and B planes
    EXPECT_EQ(k.chunks, 4);                          // ceil(200 / 64) K tiles
    EXPECT_EQ(k.ctas_per_sm, 2);
    EXPECT_EQ(k.occupancy_limit, "registers");
}

TEST(GpuLowering, ScanGroupsAndSharedTableLimitOccupancy) {
    const Spec s = h100();
    KernelShape sh;
    sh.kind = KernelKind::selective_scan_i8;
    sh.batch = 2;
    sh.len = 100;
    sh.ch = 1000;
    sh.state = 16;
    sh.table = 4096;
    const KernelLaunch k = lower(sh, s);
    EXPECT_EQ(k.grid, 2 * 250);  // 16 lanes per channel: 4 channels per 64-thread CTA
    EXPECT_EQ(k.smem, 4 * 4096);
    EXPECT_EQ(k.ctas_per_sm, 228 * 1024 / (4 * 4096 + 1024));
    EXPECT_EQ(k.occupancy_limit, "smem");
    sh.kind = KernelKind::s4d_scan_i8;
    EXPECT_EQ(lower(sh, s).smem, 0);
}

TEST(GpuLowering, GridStrideKernelsCapTheirGrid) {
    const Spec s = h100();
    KernelShape sh;
    sh.kind = KernelKind::add_i8;
    sh.elements = int64_t{1} << 30;
    EXPECT_EQ(lower(sh, s).grid, 132 * 32);  // kernels/common.cuh blocks_for
    sh.elements = 4096;
    EXPECT_EQ(lower(sh, s).grid, 1);  // 256 threads x 16 bytes
}

TEST(GpuModel, TimingDoesNotDependOnData) {
    const auto w = lra(Task::listops, Arch::mamba, 128);
    const RunResult a = run_gpu(w.trace, &w.data);
    const RunResult b = run_gpu(w.trace, nullptr);
    EXPECT_EQ(a.report["cycles"], b.report["cycles"]);
    EXPECT_EQ(a.report["dram_bytes"], b.report["dram_bytes"]);
    EXPECT_TRUE(b.outputs.empty());
    EXPECT_FALSE(b.report.contains("saturations"));
}

TEST(GpuModel, ReportFieldsAreConsistent) {
    const auto w = lra(Task::image, Arch::s4d, 256);
    const RunResult r = run_gpu(w.trace, nullptr);
    const auto& rep = r.report;
    double sum = 0, n = 0;
    int64_t dram = 0;
    for (const auto& op : rep["ops"]) {
        // one stream: back to back (cycles are rounded per op, so sums may drift by one a op)
        EXPECT_NEAR(op["start_cycle"].get<double>(), sum, n++ + 1) << op["name"];
        sum += op["cycles"].get<uint64_t>();
        dram += op["dram_read_bytes"].get<int64_t>() + op["dram_write_bytes"].get<int64_t>();
        EXPECT_GE(op["l2_hit_rate"].get<double>(), 0.0);
        EXPECT_LE(op["l2_hit_rate"].get<double>(), 1.0);
        EXPECT_GT(op["kernel"]["grid"].get<int64_t>(), 0);
    }
    EXPECT_NEAR(sum, rep["cycles"].get<double>(), n);
    EXPECT_NEAR(static_cast<double>(dram), rep["dram_bytes"].get<double>(), 1.0 * rep["ops"].size());
    EXPECT_NEAR(rep["seconds"].get<double>(), rep["cycles"].get<double>() / rep["clock_hz"].get<double>(),
                1.0 / rep["clock_hz"].get<double>());
    EXPECT_GT(rep["energy_pj"].get<double>(), 0.0);
    EXPECT_TRUE(r.files.count("timeline.json"));
    const auto tl = nlohmann::json::parse(r.files.at("timeline.json"));
    EXPECT_FALSE(tl["traceEvents"].empty());
}

TEST(GpuModel, ActivationsStayInL2BetweenOps) {
    // listops at 256 tokens: every activation is far below 50 MB, so an op reads what the previous op
    // wrote from L2; only the weights (and the tokens) come from HBM the first time.
    const auto w = lra(Task::listops, Arch::mamba, 256);
    const RunResult r = run_gpu(w.trace, nullptr);
    EXPECT_GT(r.report["l2_hit_rate"].get<double>(), 0.5);
    // a tiny L2 hits less and moves more DRAM bytes
    const RunResult small = run_gpu(w.trace, nullptr, {{"l2.kib", 256}});
    EXPECT_LT(small.report["l2_hit_rate"].get<double>(), r.report["l2_hit_rate"].get<double>());
    EXPECT_GT(small.report["dram_bytes"].get<int64_t>(), r.report["dram_bytes"].get<int64_t>());
}

TEST(GpuModel, MoreSmsNeverSlowerForManyCtas) {
    const auto w = lra(Task::image, Arch::mamba, 1024);
    const RunResult few = run_gpu(w.trace, nullptr, {{"sm.count", 33}});
    const RunResult many = run_gpu(w.trace, nullptr);
    EXPECT_LT(many.report["cycles"].get<int64_t>(), few.report["cycles"].get<int64_t>());
}

}  // namespace
