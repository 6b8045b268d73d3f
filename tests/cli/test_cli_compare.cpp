// `ssmsim compare` through the real binary: the files it writes, their rows and columns, the ratios, where
// measured rows have figures (full length, measured batches only), bad input, and determinism.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;
using json = nlohmann::json;

namespace {

const std::vector<std::string> kColumns = {"workload",
                                           "task",
                                           "arch",
                                           "seq_len",
                                           "batch",
                                           "label",
                                           "model",
                                           "config",
                                           "source",
                                           "clock_mhz",
                                           "latency_ms",
                                           "throughput_per_s",
                                           "energy_mj",
                                           "power_w",
                                           "dram_bytes",
                                           "utilisation",
                                           "utilisation_unit",
                                           "bound",
                                           "bound_cycle_share",
                                           "baseline",
                                           "latency_ratio",
                                           "energy_ratio"};

// Two reduced-length workloads (one task whole), two simulated labels of which one has its own config,
// both measured sources, two batches.
const std::string kArgs =
    "compare -q --workloads lra:image:mamba,lra:listops --models systolic,gpu@h200,measured-gpu,pytorch "
    "--config gpu@h200=gpu-h200 --set systolic:sram.activations.kib=512 --timing-only --seq-len 64 "
    "--batch 1,32 --baseline systolic --out ";

class CliCompare : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = scratch_dir("cli_compare");
        first_ = run_ssmsim(kArgs + (dir_ / "a").string());
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    static fs::path dir_;
    static CommandResult first_;
};
fs::path CliCompare::dir_;
CommandResult CliCompare::first_;

std::vector<std::string> csv_lines(const fs::path& p) {
    std::vector<std::string> lines;
    std::stringstream ss(read_text(p));
    for (std::string line; std::getline(ss, line);) lines.push_back(line);
    return lines;
}

TEST_F(CliCompare, WritesCsvJsonHtmlAndPlotsWithTheExpectedRows) {
    ASSERT_EQ(first_.exit_code, 0) << first_.output;
    const fs::path out = dir_ / "a";
    for (const char* f : {"compare.csv", "compare.json", "index.html", "plots/compare-image-latency.png",
                          "plots/compare-image-latency.svg", "plots/compare-image-energy.png",
                          "plots/compare-listops-latency.png", "plots/compare-listops-energy.svg"})
        EXPECT_TRUE(fs::exists(out / f)) << f;
    EXPECT_FALSE(fs::exists(out / ".compare-data.json"));
    EXPECT_FALSE(fs::exists(out / ".compare_plots.py"));

    const json doc = read_json(out / "compare.json");
    std::vector<std::string> names;
    for (const auto& c : doc.at("columns")) names.push_back(c.at("name"));
    EXPECT_EQ(names, kColumns);
    // 4 workloads (image:mamba, listops x 3 architectures) x 2 batches x 4 labels, in that nesting.
    const auto& rows = doc.at("rows");
    ASSERT_EQ(rows.size(), 32u);
    EXPECT_EQ(rows[0].at("workload"), "lra:image:mamba");
    EXPECT_EQ(rows[0].at("label"), "systolic");
    EXPECT_EQ(rows[1].at("label"), "gpu@h200");
    EXPECT_EQ(rows[4].at("batch"), 32);
    std::set<std::string> workloads;
    for (const auto& r : rows) {
        workloads.insert(r.at("workload"));
        EXPECT_EQ(r.at("seq_len"), 64);
        std::vector<std::string> keys;
        for (const auto& [k, v] : r.items()) keys.push_back(k);
        EXPECT_EQ(keys.size(), kColumns.size());
    }
    EXPECT_EQ(workloads, (std::set<std::string>{"lra:image:mamba", "lra:listops:s4d", "lra:listops:mamba",
                                                "lra:listops:transformer"}));
    // Each label's config: its own --config and --set, named in the row.
    EXPECT_EQ(rows[0].at("config"), "systolic-edge --set sram.activations.kib=512");
    EXPECT_EQ(rows[1].at("config"), "gpu-h200");
    EXPECT_EQ(rows[1].at("clock_mhz").get<double>(), read_json(out / "compare.json")
                                                             .at("provenance")
                                                             .at("models")[1]
                                                             .at("config")
                                                             .at("clock_hz")
                                                             .get<double>() /
                                                         1e6);
    for (const auto& r : rows) {
        if (r.at("model") == "systolic" || r.at("model") == "gpu") {
            EXPECT_GT(r.at("latency_ms").get<double>(), 0);
            EXPECT_GT(r.at("energy_mj").get<double>(), 0);
            EXPECT_NEAR(r.at("throughput_per_s").get<double>(),
                        r.at("batch").get<double>() / (r.at("latency_ms").get<double>() * 1e-3),
                        1e-9 * r.at("throughput_per_s").get<double>());
            EXPECT_TRUE(r.at("bound") == "compute" || r.at("bound") == "memory");
            EXPECT_TRUE(r.at("utilisation").is_number());
            EXPECT_TRUE(r.at("dram_bytes").is_number_integer());
        }
    }

    const auto lines = csv_lines(out / "compare.csv");
    ASSERT_EQ(lines.size(), 33u);
    std::string header;
    for (const auto& c : kColumns) header += (header.empty() ? "" : ",") + c;
    EXPECT_EQ(lines[0], header);
    // The stdout table: a header and one line per row, n/a where a figure does not apply.
    EXPECT_NE(first_.output.find("latency_ms"), std::string::npos);
    EXPECT_NE(first_.output.find("gpu@h200"), std::string::npos);
    EXPECT_NE(first_.output.find("n/a"), std::string::npos);
}

// The baseline row's ratios are 1; every other row's are its figure over the baseline's.
TEST_F(CliCompare, RatiosAreAgainstTheBaselineRow) {
    ASSERT_EQ(first_.exit_code, 0) << first_.output;
    const json rows = read_json(dir_ / "a" / "compare.json").at("rows");
    std::map<std::pair<std::string, int>, json> base;
    for (const auto& r : rows)
        if (r.at("label") == "systolic") base[{r.at("workload"), r.at("batch")}] = r;
    ASSERT_EQ(base.size(), 8u);
    for (const auto& r : rows) {
        EXPECT_EQ(r.at("baseline"), "systolic");
        const json& b = base.at({r.at("workload"), r.at("batch")});
        if (r.at("label") == "systolic") {
            EXPECT_EQ(r.at("latency_ratio"), 1.0);
            EXPECT_EQ(r.at("energy_ratio"), 1.0);
        } else if (r.at("latency_ms").is_number()) {
            EXPECT_DOUBLE_EQ(r.at("latency_ratio").get<double>(),
                             r.at("latency_ms").get<double>() / b.at("latency_ms").get<double>());
            EXPECT_DOUBLE_EQ(r.at("energy_ratio").get<double>(),
                             r.at("energy_mj").get<double>() / b.at("energy_mj").get<double>());
        } else {
            EXPECT_TRUE(r.at("latency_ratio").is_null());
        }
    }
}

// At a reduced length no measurement applies: measured rows are there, every figure n/a.
TEST_F(CliCompare, MeasuredRowsAreNaAtReducedLength) {
    ASSERT_EQ(first_.exit_code, 0) << first_.output;
    const json rows = read_json(dir_ / "a" / "compare.json").at("rows");
    int measured = 0;
    for (const auto& r : rows) {
        if (r.at("model") != "measured-gpu" && r.at("model") != "pytorch") continue;
        ++measured;
        for (const char* k : {"latency_ms", "throughput_per_s", "energy_mj", "power_w", "dram_bytes",
                              "latency_ratio", "energy_ratio", "clock_mhz"})
            EXPECT_TRUE(r.at(k).is_null()) << k;
        EXPECT_EQ(r.at("source").get<std::string>().rfind("not measured", 0), 0u);
    }
    EXPECT_EQ(measured, 16);
    for (const auto& line : csv_lines(dir_ / "a" / "compare.csv")) {
        if (line.find(",measured-gpu,") != std::string::npos) {
            EXPECT_NE(line.find(",n/a,n/a,n/a,"), std::string::npos) << line;
        }
    }
}

// At full length the measured rows carry the CSV's figures at its batches (1, 32) and n/a at any other,
// with the provenance of the run that measured them.
TEST_F(CliCompare, MeasuredRowsAtFullLengthAndMeasuredBatchesOnly) {
    const fs::path out = dir_ / "m";
    const auto r = run_ssmsim(
        "compare -q --workloads lra:pathx:mamba,lra:image:s4d --models measured-gpu,pytorch "
        "--batch 1,8,32 --out " +
        out.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json doc = read_json(out / "compare.json");
    EXPECT_EQ(doc.at("provenance").at("baseline"), "measured-gpu");  // the default when it is listed
    std::map<std::tuple<std::string, int, std::string>, json> by;
    for (const auto& row : doc.at("rows")) by[{row.at("workload"), row.at("batch"), row.at("label")}] = row;
    ASSERT_EQ(by.size(), 12u);
    // reference/gpu-timings/h200-lra-e2e.csv: ours_graph_ms and torch_best_ms.
    EXPECT_EQ(by.at({"lra:pathx:mamba", 1, "measured-gpu"}).at("latency_ms"), 6.2811);
    // Mamba's PyTorch rows: mamba-ssm's fused selective scan (reference/gpu-timings/h200-mamba-ssm.csv,
    // bfloat16, CUDA graph), faster than torch_baseline.py's chunked scan (813.9 ms), with its own
    // provenance.
    EXPECT_EQ(by.at({"lra:pathx:mamba", 32, "pytorch"}).at("latency_ms"), 60.9179);
    const std::string fused = by.at({"lra:pathx:mamba", 32, "pytorch"}).at("source");
    EXPECT_NE(fused.find("mamba_ssm_baseline.py"), std::string::npos) << fused;
    EXPECT_NE(fused.find("commit 4ae390f, 2026-11-30T01:48:08"), std::string::npos) << fused;
    EXPECT_NE(fused.find("PyTorch mamba-ssm bfloat16 graph"), std::string::npos) << fused;
    EXPECT_EQ(by.at({"lra:image:s4d", 1, "measured-gpu"}).at("latency_ms"), 0.8341);
    EXPECT_EQ(by.at({"lra:image:s4d", 32, "measured-gpu"}).at("latency_ms"), 9.8444);
    EXPECT_DOUBLE_EQ(by.at({"lra:image:s4d", 32, "measured-gpu"}).at("throughput_per_s").get<double>(),
                     32 / 9.8444e-3);
    EXPECT_EQ(by.at({"lra:image:s4d", 1, "measured-gpu"}).at("seq_len"), 1024);
    const std::string pathx = by.at({"lra:pathx:mamba", 1, "measured-gpu"}).at("source");
    EXPECT_NE(pathx.find("NVIDIA H200"), std::string::npos) << pathx;
    EXPECT_NE(pathx.find("commit 34fa29c"), std::string::npos) << pathx;
    const std::string image = by.at({"lra:image:s4d", 1, "measured-gpu"}).at("source");
    EXPECT_NE(image.find("commit 34fa29c"), std::string::npos) << image;
    EXPECT_NE(image.find("2026-11-30T10:01:59Z"), std::string::npos) << image;
    EXPECT_NE(by.at({"lra:image:s4d", 1, "pytorch"}).at("source").get<std::string>().find("PyTorch 2.11.0"),
              std::string::npos);
    for (const char* label : {"measured-gpu", "pytorch"}) {
        for (const char* w : {"lra:pathx:mamba", "lra:image:s4d"}) {
            const json& row = by.at({w, 8, label});
            EXPECT_TRUE(row.at("latency_ms").is_null()) << w << " " << label;
            EXPECT_TRUE(row.at("latency_ratio").is_null());
            EXPECT_TRUE(row.at("energy_mj").is_null());
            EXPECT_TRUE(row.at("power_w").is_null());
        }
        // DRAM and utilisation were never measured: n/a at every batch.
        EXPECT_TRUE(by.at({"lra:image:s4d", 1, label}).at("dram_bytes").is_null());
    }
    // Board power: our kernels' only (reference/gpu-timings/h200-lra-power.csv, board_w); energy per
    // inference is that power over this row's latency, per sample of the batch. PyTorch's power was not
    // measured.
    for (const auto& [w, b, watts] :
         {std::tuple{"lra:image:s4d", 1, 331.91}, std::tuple{"lra:image:s4d", 32, 476.39},
          std::tuple{"lra:pathx:mamba", 1, 352.15}}) {
        const json& ours = by.at({w, b, "measured-gpu"});
        EXPECT_EQ(ours.at("power_w"), watts) << w << " b" << b;
        EXPECT_DOUBLE_EQ(ours.at("energy_mj").get<double>(), watts * ours.at("latency_ms").get<double>() / b)
            << w << " b" << b;
        EXPECT_NE(ours.at("source").get<std::string>().find("board power: NVIDIA H200, commit 105aaf8"),
                  std::string::npos);
        EXPECT_TRUE(by.at({w, b, "pytorch"}).at("energy_mj").is_null());
        EXPECT_TRUE(by.at({w, b, "pytorch"}).at("power_w").is_null());
    }
    EXPECT_EQ(by.at({"lra:image:s4d", 32, "pytorch"}).at("latency_ratio").get<double>(), 13.4856 / 9.8444);
}

// Every row of one run carries that run's provenance, whatever the batch; board power names each row's own
// commit and time (h200-lra-power.csv, columns commit and date_utc), which may be an earlier run's. (A "#
// <task>,<arch> rows ... re-measured ..." line would give its rows their own run's provenance,
// app/measured.cpp; the committed CSV, measured in one run, has none.)
TEST_F(CliCompare, EachRowCarriesItsRunsProvenanceAndItsPowersCommit) {
    const fs::path out = dir_ / "r";
    const auto r = run_ssmsim(
        "compare -q --workloads lra:listops:s4d --models measured-gpu --batch 1,32 --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json doc = read_json(out / "compare.json");
    std::map<int, json> by;
    for (const auto& row : doc.at("rows")) by[row.at("batch").get<int>()] = row;
    ASSERT_EQ(by.size(), 2u);
    EXPECT_EQ(by.at(32).at("latency_ms"), 7.229);
    EXPECT_EQ(by.at(32).at("power_w"), 430.37);
    for (const int b : {1, 32}) {
        const std::string src = by.at(b).at("source");
        EXPECT_NE(src.find("NVIDIA H200, commit 34fa29c, 2026-11-30T10:01:59Z"), std::string::npos) << src;
    }
    EXPECT_NE(by.at(32).at("source").get<std::string>().find("board power: NVIDIA H200, commit 105aaf8, "
                                                             "2026-11-30T13:37:06Z"),
              std::string::npos);
    EXPECT_NE(by.at(1).at("source").get<std::string>().find("board power: NVIDIA H200, commit 105aaf8, "
                                                            "2026-11-30T13:34:33Z"),
              std::string::npos);
}

TEST_F(CliCompare, SameInputsGiveByteIdenticalCsvAndJson) {
    ASSERT_EQ(first_.exit_code, 0) << first_.output;
    const std::string csv = read_text(dir_ / "a" / "compare.csv");
    const std::string js = read_text(dir_ / "a" / "compare.json");
    const auto again = run_ssmsim(kArgs + (dir_ / "a").string());
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_EQ(read_text(dir_ / "a" / "compare.csv"), csv);
    EXPECT_EQ(read_text(dir_ / "a" / "compare.json"), js);
}

// Bad values exit 2 with one line naming the option and the value, before --out is created.
TEST_F(CliCompare, BadValuesExit2NamingTheOptionBeforeOutIsTouched) {
    struct Case {
        std::string args;
        std::vector<std::string> says;
    };
    const std::string ok = "--workloads lra:image:mamba --seq-len 64 --timing-only ";
    const std::vector<Case> cases = {
        {ok + "--models systolic,tpu", {"--models tpu", "'tpu'"}},
        {ok + "--models systolic,systolic", {"--models", "'systolic' twice"}},
        {ok + "--models gpu,measured-gpu@x", {"--models measured-gpu@x", "no @<tag>"}},
        {ok + "--models gpu@a/b", {"--models gpu@a/b", "'a/b'"}},
        {ok + "--models systolic,,gpu", {"--models", "no empty item"}},
        {ok + "--models reference", {"--models reference", "runs without data"}},
        {ok + "--models gpu --config systolic=systolic-epochcore",
         {"--config systolic=systolic-epochcore", "'systolic'"}},
        {ok + "--models gpu --config gpu", {"--config gpu", "<label>=<config name or path>"}},
        {ok + "--models gpu,pytorch --config pytorch=gpu-h200",
         {"--config pytorch=gpu-h200", "measured source"}},
        {ok + "--models gpu --config gpu=no-such-config", {"no-such-config"}},
        {ok + "--models gpu --set gpu:no.such.key=1", {"no.such.key"}},
        {ok + "--models gpu --set clock_hz=1", {"--set clock_hz=1", "<label>:<key>=<value>"}},
        {ok + "--models gpu --batch 0", {"--batch", "'0'"}},
        {ok + "--models gpu --batch 1,x", {"--batch", "'x'"}},
        {ok + "--models gpu --batch 2,2", {"--batch", "each batch size once"}},
        {ok + "--models gpu --baseline systolic", {"--baseline", "'systolic'"}},
        {"--workloads lra:nosuch --models gpu", {"nosuch"}},
        {"--workloads lra:image:mamba,/no/such/trace --models gpu", {"/no/such/trace"}},
        {"--workloads lra:image:mamba --models gpu --seq-len 1.5", {"--seq-len", "1.5"}},
    };
    for (const auto& c : cases) {
        const fs::path out = dir_ / "bad";
        fs::remove_all(out);
        const auto r = run_ssmsim("compare -q " + c.args + " --out " + out.string());
        EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
        EXPECT_EQ(r.output.rfind("ssmsim: error: ", 0), 0u) << r.output;
        EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
        for (const auto& s : c.says)
            EXPECT_NE(r.output.find(s), std::string::npos) << c.args << "\n" << r.output;
        EXPECT_FALSE(fs::exists(out)) << c.args;
    }
}

// A trace folder runs once at its own batch; --batch and --seq-len, which it fixes, are refused.
TEST_F(CliCompare, TraceFolderRunsAtItsOwnShape) {
    const fs::path trace = dir_ / "trace";
    const auto g = run_ssmsim("gen lra:image:s4d --seq-len 64 --shape-only --out " + trace.string());
    ASSERT_EQ(g.exit_code, 0) << g.output;
    const fs::path out = dir_ / "t";
    const auto r = run_ssmsim("compare -q --workloads " + trace.string() +
                              " --models gpu,measured-gpu --timing-only --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json rows = read_json(out / "compare.json").at("rows");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("task"), "traces");
    EXPECT_TRUE(rows[0].at("latency_ms").is_number());
    EXPECT_TRUE(rows[1].at("latency_ms").is_null());  // never measured: n/a, not invented
    EXPECT_TRUE(fs::exists(out / "plots" / "compare-traces-latency.png"));
    for (const char* extra : {" --batch 2", " --seq-len 16"}) {
        const auto bad =
            run_ssmsim("compare -q --workloads " + trace.string() + " --models gpu --timing-only" + extra +
                       " --out " + (dir_ / "t2").string());
        EXPECT_EQ(bad.exit_code, 2) << bad.output;
        EXPECT_NE(bad.output.find("trace folder"), std::string::npos) << bad.output;
    }
}

}  // namespace

namespace {

// A value only the model checks (a range) fails the run: exit 2 naming the label, and an earlier compare's
// files in --out are gone rather than left looking like this run's.
TEST_F(CliCompare, AFailedRunLeavesNoFileLookingComplete) {
    const fs::path out = dir_ / "f";
    const std::string args = "compare -q --workloads lra:image:mamba --seq-len 64 --timing-only --models gpu";
    const auto ok = run_ssmsim(args + " --out " + out.string());
    ASSERT_EQ(ok.exit_code, 0) << ok.output;
    ASSERT_TRUE(fs::exists(out / "compare.json"));
    write_text(out / "notes.txt", "mine");
    const auto bad = run_ssmsim(args + " --set gpu:clock_hz=-1 --out " + out.string());
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("gpu on lra:image:mamba: --set clock_hz=-1"), std::string::npos) << bad.output;
    for (const char* f : {"compare.json", "compare.csv", "index.html", "plots/compare-image-latency.png",
                          ".compare-data.json"})
        EXPECT_FALSE(fs::exists(out / f)) << f;
    EXPECT_EQ(read_text(out / "notes.txt"), "mine");  // not its file: left alone
}

}  // namespace

namespace {

// The plots come last, so a Python without matplotlib is refused first, before a long run and before --out.
TEST_F(CliCompare, PythonWithoutMatplotlibIsRefusedBeforeAnythingRuns) {
    const fs::path out = dir_ / "nompl";
    const auto r = run_command("SSMSIM_PYTHON=/bin/false " + std::string(SSMSIM_BINARY) +
                               " compare -q --workloads lra:image:mamba --models gpu --out " + out.string());
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("python3 with matplotlib"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(out));
}

}  // namespace

namespace {

// Each simulated label's validation statement is in the table's footnotes, compare.json and index.html; a
// comparison whose energy tables come from different technology nodes says so, one that shares a node does
// not.
TEST_F(CliCompare, ValidationNotesAndAMixedNodesNoteOnlyWhenNodesDiffer) {
    const std::string args = "compare -q --workloads lra:image:mamba --timing-only --seq-len 64 --out ";
    const fs::path mixed = dir_ / "nodes-mixed";
    const auto r = run_ssmsim(args + mixed.string() + " --models systolic,gpu,measured-gpu");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json doc = read_json(mixed / "compare.json");
    const std::string html = read_text(mixed / "index.html");
    for (const auto& m : doc.at("provenance").at("models")) {
        if (m.at("label") == "measured-gpu") continue;
        EXPECT_TRUE(m.at("validation").is_object()) << m;
    }
    EXPECT_EQ(doc.at("provenance").at("models")[0].at("validation").at("energy_node_nm"), 28);
    EXPECT_EQ(doc.at("provenance").at("models")[1].at("validation").at("energy_node_nm"), 5);
    const auto& notes = doc.at("notes");
    ASSERT_EQ(notes.size(), 3u) << notes;  // systolic, gpu, the mixed-nodes note
    EXPECT_EQ(notes[0].get<std::string>().rfind("systolic: time: GEMM array cycles equal SCALE-Sim v2", 0),
              0u);
    EXPECT_NE(notes[1].get<std::string>().find("MAPE"), std::string::npos) << notes[1];
    EXPECT_EQ(notes[2].get<std::string>().rfind("mixed technology nodes", 0), 0u) << notes[2];
    for (const auto& n : notes) {
        EXPECT_NE(r.output.find(n.get<std::string>()), std::string::npos) << n;
        EXPECT_NE(html.find(n.get<std::string>().substr(0, 40)), std::string::npos) << n;
    }

    const fs::path same = dir_ / "nodes-same";
    const auto s = run_ssmsim(args + same.string() + " --models gpu,gpu@h200 --config gpu@h200=gpu-h200");
    ASSERT_EQ(s.exit_code, 0) << s.output;
    const json same_doc = read_json(same / "compare.json");
    ASSERT_EQ(same_doc.at("notes").size(), 2u) << same_doc.at("notes");
    EXPECT_NE(same_doc.at("notes")[1].get<std::string>().find("whole-workload MAPE"), std::string::npos);
    EXPECT_EQ(s.output.find("mixed technology nodes"), std::string::npos) << s.output;
    EXPECT_EQ(read_text(same / "index.html").find("mixed technology nodes"), std::string::npos);
}

}  // namespace
