// The systolic model's timing, memory and report behaviour: GEMM cycles equal SCALE-Sim's when memory is not
// limiting, SRAM size changes DRAM traffic the way the mapping says, timing does not depend on data, reports
// are deterministic, and configs are checked.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "models/systolic/gemm_timing.h"
#include "sim/util/error.h"
#include "tests/support/op_harness.h"
#include "tests/systolic/model_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;
using workloads::Arch;
using workloads::Task;

namespace {

// One linear y[M, N] = x[M, K] w[N, K]^T on random data.
TraceBuilder one_linear(int64_t m, int64_t k, int64_t n) {
    Rng rng(7);
    return one_op({.kind = "linear",
                   .inputs = {{"x", random_tensor<int8_t>(rng, {1, m, k}, -128, 127)},
                              {"w", random_tensor<int8_t>(rng, {n, k}, -127, 127)}},
                   .attrs = {{"mult", 3}, {"shift", 12}},
                   .out_shape = {1, m, n}});
}

// Memories large and wide enough that only the array limits the GEMM.
nlohmann::json unlimited_memory(const char* dataflow, int64_t rows, int64_t cols) {
    return {{"array.dataflow", dataflow},
            {"array.rows", rows},
            {"array.cols", cols},
            {"array.accumulator_kib", 1 << 20},
            {"sram.activations.kib", 1 << 20},
            {"sram.activations.banks", 1024},
            {"sram.weights.kib", 1 << 20},
            {"sram.weights.banks", 1024}};
}

TEST(SystolicModel, GemmArrayCyclesEqualScaleSim) {
    struct Shape3 {
        int64_t m, k, n;
    };
    for (const Shape3 s :
         {Shape3{64, 64, 64}, Shape3{100, 50, 70}, Shape3{128, 256, 64}, Shape3{300, 17, 5}}) {
        const auto b = one_linear(s.m, s.k, s.n);
        const Trace t = b.build();
        for (const char* df : {"ws", "os"}) {
            for (auto [rows, cols] : {std::pair<int64_t, int64_t>{32, 32}, {8, 4}}) {
                const RunResult r = run_systolic(t, nullptr, unlimited_memory(df, rows, cols));
                const auto d = std::string(df) == "ws" ? systolic::Dataflow::ws : systolic::Dataflow::os;
                const int64_t expected = systolic::scalesim_cycles(d, {s.m, s.k, s.n}, rows, cols);
                EXPECT_EQ(r.report["ops"][0]["busy_cycles"]["array"].get<int64_t>(), expected)
                    << df << " " << rows << "x" << cols << " gemm " << s.m << "x" << s.k << "x" << s.n;
                EXPECT_EQ(r.report["ops"][0]["mapping"]["m_blocks"].get<int64_t>(), 1);
            }
        }
    }
}

TEST(SystolicModel, TimingDoesNotDependOnData) {
    const auto w = lra(Task::image, Arch::mamba, 64);
    const RunResult with_data = run_systolic(w.trace, &w.data);
    const RunResult timing_only = run_systolic(w.trace, nullptr);
    EXPECT_EQ(with_data.report["cycles"], timing_only.report["cycles"]);
    EXPECT_EQ(with_data.report["dram_bytes"], timing_only.report["dram_bytes"]);
    EXPECT_EQ(with_data.report["energy_pj"], timing_only.report["energy_pj"]);
    EXPECT_FALSE(timing_only.report.contains("saturations"));
    EXPECT_TRUE(timing_only.outputs.empty());
}

TEST(SystolicModel, SameRunSameReportAndTimeline) {
    const auto w = lra(Task::listops, Arch::s4d, 64);
    const RunResult a = run_systolic(w.trace, &w.data);
    const RunResult b = run_systolic(w.trace, &w.data);
    EXPECT_EQ(a.report.dump(), b.report.dump());
    EXPECT_EQ(a.files.at("timeline.json"), b.files.at("timeline.json"));
}

TEST(SystolicModel, ReportFieldsAreConsistent) {
    const auto w = lra(Task::text, Arch::mamba, 128);
    const RunResult r = run_systolic(w.trace, nullptr);
    const auto& rep = r.report;
    EXPECT_GT(rep["cycles"].get<int64_t>(), 0);
    EXPECT_DOUBLE_EQ(rep["seconds"].get<double>(),
                     rep["cycles"].get<double>() / rep["clock_hz"].get<double>());
    double sum = 0;
    for (const auto& [k, v] : rep["energy_breakdown_pj"].items()) sum += v.get<double>();
    EXPECT_NEAR(sum, rep["energy_pj"].get<double>(), 1e-6 * sum);
    int64_t cycles = 0, dram = 0;
    for (const auto& op : rep["ops"]) {
        cycles += op["cycles"].get<int64_t>();
        dram += op["dram_read_bytes"].get<int64_t>() + op["dram_write_bytes"].get<int64_t>();
        for (const char* u : {"array", "scan", "vector", "dram"}) {
            EXPECT_LE(op["utilisation"][u].get<double>(), 1.0 + 1e-12) << op["name"] << " " << u;
        }
    }
    EXPECT_EQ(cycles, rep["cycles"].get<int64_t>());  // ops run back to back
    EXPECT_EQ(dram, rep["dram_bytes"].get<int64_t>());
    EXPECT_LE(rep["sram_peak_bytes"].get<int64_t>(), rep["sram_capacity_bytes"].get<int64_t>());
}

TEST(SystolicModel, TimelineHasOneTrackPerUnit) {
    const auto w = lra(Task::listops, Arch::mamba, 64);
    const RunResult r = run_systolic(w.trace, nullptr);
    const auto doc = nlohmann::json::parse(r.files.at("timeline.json"));
    std::set<std::string> tracks;
    size_t spans = 0;
    for (const auto& e : doc["traceEvents"]) {
        if (e["ph"] == "M" && e["name"] == "thread_name") tracks.insert(e["args"]["name"].get<std::string>());
        if (e["ph"] == "X") {
            ++spans;
            EXPECT_GE(e["dur"].get<double>(), 0.0);
        }
    }
    for (const char* t : {"ops", "array", "scan", "vector", "dram"}) EXPECT_TRUE(tracks.count(t)) << t;
    EXPECT_GE(spans, w.trace.ops.size());
}

TEST(SystolicModel, LargerSramNeverMovesMoreDramBytes) {
    const auto w = lra(Task::listops, Arch::mamba, 1024);
    int64_t previous = INT64_MAX;
    std::vector<int64_t> bytes;
    for (int64_t kib : {64, 256, 1024, 4096, 16384, 65536}) {
        const RunResult r = run_systolic(w.trace, nullptr,
                                         {{"sram.activations.kib", kib}, {"sram.weights.kib", kib / 2 + 1}});
        const int64_t b = r.report["dram_bytes"].get<int64_t>();
        EXPECT_LE(b, previous) << kib << " KiB";
        previous = b;
        bytes.push_back(b);
    }
    // With everything on chip, DRAM carries what must cross it once: weights, tokens, tables, the logits.
    int64_t compulsory = 0;
    for (const auto& t : w.trace.tensors) {
        if (t.is_graph_input()) compulsory += t.nbytes();
    }
    EXPECT_LT(bytes.back(), compulsory + 4096);
    EXPECT_GT(bytes.front(), 4 * bytes.back());  // the knee: small SRAMs stream activations through DRAM
}

TEST(SystolicModel, SlowerDramTakesLongerFasterClockFewerSeconds) {
    const auto w = lra(Task::image, Arch::s4d, 256);
    const auto base = run_systolic(w.trace, nullptr);
    const auto slow = run_systolic(w.trace, nullptr, {{"dram.bandwidth_gb_s", 1.0}});
    EXPECT_GT(slow.report["cycles"].get<int64_t>(), base.report["cycles"].get<int64_t>());
    EXPECT_GT(slow.report["memory_bound_ops"].get<int>(), base.report["memory_bound_ops"].get<int>());
}

TEST(SystolicModel, DoubleBufferingHidesLoads) {
    const auto w = lra(Task::text, Arch::mamba, 256);
    const auto two = run_systolic(w.trace, nullptr, {{"dma.buffers", 2}});
    const auto one = run_systolic(w.trace, nullptr, {{"dma.buffers", 1}});
    EXPECT_LT(two.report["cycles"].get<int64_t>(), one.report["cycles"].get<int64_t>());
}

void expect_input_error(const nlohmann::json& overrides, const std::string& fragment,
                        const std::string& config = "") {
    const auto b = one_linear(8, 8, 8);
    const Trace t = b.build();
    try {
        run_systolic(t, nullptr, overrides, config);
        ADD_FAILURE() << "no error for " << overrides.dump();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(SystolicConfig, BadOverridesAreRefusedWithTheKeyAndWhatWasExpected) {
    expect_input_error({{"array.rowz", 4}}, "--set array.rowz=4: expected a config key");
    expect_input_error({{"array.rows", 0}}, "--set array.rows=0: expected an integer in [1, 4096], found 0");
    expect_input_error({{"array.rows", "big"}}, "expected an integer, found a string");
    expect_input_error({{"array.dataflow", "is"}}, "expected one of \"ws\", \"os\", found \"is\"");
    expect_input_error({{"dram.bandwidth_gb_s", -1}}, "dram.bandwidth_gb_s=-1: expected a number in");
    expect_input_error({{"sram", 1}},
                       "--set sram=1: expected a leaf key (one value), found the group 'sram'");
}

TEST(SystolicConfig, ConfigFilesAreCheckedKeyByKey) {
    const auto dir = std::filesystem::temp_directory_path() / "ssmsim_systolic_config_test";
    std::filesystem::create_directories(dir);
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    };
    expect_input_error({}, ":/sram/weights/kibs: expected a known config key",
                       write("typo.json", R"({"model": "systolic", "sram": {"weights": {"kibs": 4}}})"));
    expect_input_error({}, ":/model: expected \"systolic\"", write("gpu.json", R"({"model": "gpu"})"));
    expect_input_error({}, "expected valid JSON", write("broken.json", R"({"model": "systolic",)"));
    expect_input_error({}, "no such file", (dir / "missing.json").string());
    const std::string ok = write("ok.json", R"({"model": "systolic", "array": {"rows": 16}})");
    const auto b = one_linear(8, 8, 8);
    const RunResult r = run_systolic(b.build(), nullptr, nlohmann::json::object(), ok);
    EXPECT_EQ(r.report["config"]["array"]["rows"], 16);
    EXPECT_EQ(r.report["config"]["array"]["cols"], 32);  // the rest comes from the default config
}

TEST(SystolicConfig, ShippedConfigsResolveAndRun) {
    const auto w = lra(Task::listops, Arch::s4d, 64);
    for (const char* name : {"systolic-edge", "systolic-epochcore"}) {
        const RunResult r = run_systolic(w.trace, nullptr, nlohmann::json::object(), name);
        EXPECT_EQ(r.report["config"]["name"], name);
        EXPECT_GT(r.report["cycles"].get<int64_t>(), 0);
    }
}

TEST(SystolicConfig, Float32TracesAreRefused) {
    workloads::WorkloadSpec s;
    s.task = Task::image;
    s.arch = Arch::s4d;
    s.seq_len = 16;
    s.numerics = Numerics::float32;
    const auto w = workloads::build_lra(s);
    EXPECT_THROW(run_systolic(w.trace, &w.data), InputError);
}

}  // namespace
