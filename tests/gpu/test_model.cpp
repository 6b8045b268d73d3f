// The lowering reproduces kernels/' launch geometry, the L2 hits what it holds, and the report is
// consistent with itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "models/gpu/kernels.h"
#include "sim/config/hw_config.h"
#include "tests/gpu/gpu_harness.h"
#include "tests/support/cli_harness.h"

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

// scan_i8.cu's dispatch of the int8 selective scan (generation 34fa29c): the warp-specialized kernel while
// blocks of 128 chains fit one wave, with 64-chain blocks (four helper groups) where those fit too; the
// one-group kernel (128 threads) beyond. Generation 67eb621 always takes the one-group kernel.
TEST(GpuLowering, SelectiveScanTakesTheSplitKernelWhileItsBlocksFitOneWave) {
    const Spec s = parse_spec(HwConfig::resolve("gpu", "gpu-h200", "", nlohmann::json::object()));
    ASSERT_TRUE(s.split_selective);
    KernelShape sh;
    sh.kind = KernelKind::selective_scan_i8;
    sh.batch = 1;
    sh.len = 16384;
    sh.ch = 512;  // pathx:mamba: N = 16, 16 threads per channel
    sh.state = 16;
    sh.table = 4096;
    KernelLaunch k = lower(sh, s);
    EXPECT_EQ(k.threads, 64 * 5);  // 64 chains, four helper groups
    EXPECT_EQ(k.grid, 512 / 4);    // 4 channels per block: 128 blocks <= 132 SMs
    sh.ch = 1024;                  // image:mamba: 256 blocks of 64 chains would take two waves
    k = lower(sh, s);
    EXPECT_EQ(k.threads, 128 * 3);  // 128 chains, two helper groups
    EXPECT_EQ(k.grid, 1024 / 8);
    sh.batch = 32;  // 4,096 blocks: the one-group kernel
    k = lower(sh, s);
    EXPECT_EQ(k.threads, 128);
    EXPECT_EQ(k.grid, 32 * 1024 / 8);
    sh.batch = 1;
    Spec old = s;
    old.split_selective = false;  // generation 67eb621
    EXPECT_EQ(lower(sh, old).threads, 128);
}

// The mma attention at a narrow head (pathx: dh = 8) takes the registers ptxas gives that variant (64, so
// four 256-thread CTAs per SM, not two as at 96), and its cost per unit grows with its tensor-core
// instructions: 14 at dh = 8 against 40 at dh = 64 (same CTA shape, same key tiles).
TEST(GpuLowering, AttentionFollowsItsHeadWidth) {
    const Spec s = parse_spec(HwConfig::resolve("gpu", "gpu-h200", "", nlohmann::json::object()));
    KernelShape sh;
    sh.kind = KernelKind::attention_i8;
    sh.batch = 1;
    sh.len = 9216;
    sh.heads = 2;
    sh.table = 4096;
    sh.ch = 16;
    const KernelLaunch narrow = lower(sh, s);
    EXPECT_EQ(narrow.threads, 256);  // 4 query warps x 2 key-split warps
    EXPECT_EQ(narrow.regs, 64);
    EXPECT_EQ(narrow.ctas_per_sm, 4);
    EXPECT_EQ(narrow.occupancy_limit, "registers");
    sh.ch = 128;
    const KernelLaunch wide = lower(sh, s);
    EXPECT_EQ(wide.threads, 256);
    EXPECT_EQ(wide.regs, 112);
    EXPECT_EQ(wide.ctas_per_sm, 2);
    // The latency one more cycle per tensor-core instruction adds to a chunk, at each width.
    Spec more = s;
    more.attention_mma_latency_per_mma += 1;
    auto added = [&](int64_t ch) {
        sh.ch = ch;
        ChunkWork a, b;
        lower(sh, s).work(0, 0, a);
        lower(sh, more).work(0, 0, b);
        return b.latency - a.latency;
    };
    const double d8 = added(16), d64 = added(128);
    ASSERT_GT(d8, 0);
    EXPECT_DOUBLE_EQ(d64 / d8, 40.0 / 14.0);
}

// The norm's per-row cost does not shrink with the row: one more cycle per row adds as much to a chunk of
// 16-wide rows as to one of 256-wide rows.
TEST(GpuLowering, NormPaysItsPerRowCostAtAnyWidth) {
    const Spec s = parse_spec(HwConfig::resolve("gpu", "gpu-h200", "", nlohmann::json::object()));
    Spec more = s;
    more.norm_row_latency += 1;
    KernelShape sh;
    sh.kind = KernelKind::norm_i8;
    auto added = [&](int64_t d) {
        sh.d = d;
        sh.elements = 65536 * d;
        ChunkWork a, b;
        lower(sh, s).work(0, 0, a);
        lower(sh, more).work(0, 0, b);
        return std::pair{b.latency - a.latency, a.latency};
    };
    const auto [add16, base16] = added(16);
    const auto [add256, base256] = added(256);
    EXPECT_GT(add16, 0);
    EXPECT_DOUBLE_EQ(add16, add256);
    EXPECT_LT(base16, base256);  // and the per-step cost still grows with d
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

TEST(GpuLowering, NoSharedMemoryAndNoReservationSetNoLimit) {
    // Issue 16: sm.smem_reserved_per_cta_bytes=0 (in its range) with a kernel without shared memory divided
    // by zero. Such a kernel is limited by its threads.
    HwConfig c = HwConfig::resolve("gpu", "gpu-h100-sxm", "", {{"sm.smem_reserved_per_cta_bytes", 0}});
    const Spec s = parse_spec(c);
    KernelShape sh;
    sh.kind = KernelKind::s4d_scan_i8;
    sh.batch = 2;
    sh.len = 100;
    sh.ch = 1000;
    sh.state = 16;
    const KernelLaunch k = lower(sh, s);
    EXPECT_EQ(k.smem, 0);
    EXPECT_NE(k.occupancy_limit, "smem");
    EXPECT_GE(k.ctas_per_sm, 1);
    EXPECT_LE(k.ctas_per_sm, s.max_ctas_per_sm);
}

TEST(GpuModel, ZeroSharedMemoryReservationRuns) {
    const auto w = lra(Task::image, Arch::mamba, 64);
    const RunResult zero = run_gpu(w.trace, nullptr, {{"sm.smem_reserved_per_cta_bytes", 0}});
    const RunResult deflt = run_gpu(w.trace, nullptr);
    EXPECT_GT(zero.report["cycles"].get<double>(), 0);
    EXPECT_LE(zero.report["cycles"].get<double>(), deflt.report["cycles"].get<double>());
}

TEST(GpuModel, CyclesDoNotDependOnTheOrderOfTheTensors) {
    // Issue 16: the L2's tensor ids were positions in trace.tensors, and a folder loads its tensors in
    // another order than a trace built in memory: the same trace gave other cycles.
    const auto w = lra(Task::listops, Arch::transformer, 256);
    Trace reversed = w.trace;
    std::reverse(reversed.tensors.begin(), reversed.tensors.end());
    reversed.reindex();
    const RunResult a = run_gpu(w.trace, nullptr);
    const RunResult b = run_gpu(reversed, nullptr);
    EXPECT_EQ(a.report["cycles"], b.report["cycles"]);
    EXPECT_EQ(a.report.dump(), b.report.dump());
}

TEST(GpuModel, ATraceFolderGivesTheCyclesOfTheSameTraceInMemory) {
    const auto dir = scratch_dir("gpu_folder_order");
    const std::string wl = "lra:listops:transformer --seq-len 256";
    const auto gen = run_ssmsim("gen " + wl + " --shape-only --out '" + (dir / "trace").string() + "'");
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
    const auto mem = run_ssmsim("run -q --model gpu --timing-only --workload " + wl + " --out '" +
                                (dir / "mem").string() + "'");
    ASSERT_EQ(mem.exit_code, 0) << mem.output;
    const auto folder = run_ssmsim("run -q --model gpu --timing-only --workload '" +
                                   (dir / "trace").string() + "' --out '" + (dir / "folder").string() + "'");
    ASSERT_EQ(folder.exit_code, 0) << folder.output;
    nlohmann::json a = read_json(dir / "mem" / "report.json");
    nlohmann::json b = read_json(dir / "folder" / "report.json");
    EXPECT_EQ(a["cycles"], b["cycles"]);
    a.erase("workload");  // the one field that names where the trace came from
    b.erase("workload");
    EXPECT_EQ(a, b);
    std::filesystem::remove_all(dir);
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
