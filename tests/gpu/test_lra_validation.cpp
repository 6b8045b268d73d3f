// The GPU model against whole LRA workloads measured on an H200 (its validation family, docs/models/gpu.md,
// "Whole workloads"): the committed predictions (docs/models/gpu_lra_validation.csv, written by
// `ssmsim-gpu-calibrate workloads`) cover every measured run, the model still gives them (checked on the
// short runs, which simulate in seconds), and the page states the MAPE and worst error they give.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "sim/backend/backend.h"
#include "sim/util/csv_rows.h"
#include "tests/gpu/gpu_harness.h"
#include "workloads/lra/batch.h"
#include "workloads/lra/lra.h"

using namespace ssmsim;

namespace {

using json = nlohmann::json;
using Key = std::tuple<std::string, std::string, int64_t, int64_t>;  // task, arch, seq_len, batch

Key key_of(const std::map<std::string, std::string>& r) {
    return {r.at("task"), r.at("arch"), std::stoll(r.at("seq_len")), std::stoll(r.at("batch"))};
}

const std::string kSource = SSMSIM_SOURCE_DIR;

// The committed predictions (docs/models/<committed>) hold one row per measured run (reference/gpu-timings/
// <measured>), with the measured figure copied to within `tolerance` (the CSV's rounding).
void expect_every_run_covered(const std::string& measured_csv, const char* measured_col,
                              const std::string& committed_csv, const char* committed_col, double tolerance) {
    std::map<Key, double> measured;
    for (const auto& r : read_csv_rows(kSource + "/reference/gpu-timings/" + measured_csv))
        measured[key_of(r)] = std::stod(r.at(measured_col));
    const auto predicted = read_csv_rows(kSource + "/docs/models/" + committed_csv);
    ASSERT_EQ(predicted.size(), measured.size());
    for (const auto& r : predicted) {
        const auto it = measured.find(key_of(r));
        ASSERT_NE(it, measured.end()) << r.at("task") << " " << r.at("arch");
        EXPECT_NEAR(std::stod(r.at(committed_col)), it->second, tolerance);
    }
}

// Mean and largest absolute value of a percentage column of a committed predictions CSV.
std::pair<double, double> mape_and_worst(const std::string& committed_csv, const char* column) {
    double sum = 0, worst = 0;
    const auto rows = read_csv_rows(kSource + "/docs/models/" + committed_csv);
    for (const auto& r : rows) {
        const double e = std::fabs(std::stod(r.at(column)));
        sum += e;
        worst = std::max(worst, e);
    }
    return {sum / static_cast<double>(rows.size()), worst};
}

TEST(GpuLraValidation, PredictionsCoverEveryMeasuredRun) {
    expect_every_run_covered("h200-lra-validation.csv", "graph_ms", "gpu_lra_validation.csv",
                             "measured_graph_ms",
                             5.1e-5);  // written to 4 decimals
}

TEST(GpuLraValidation, ThePageStatesTheCommittedError) {
    const auto [mape, worst] = mape_and_worst("gpu_lra_validation.csv", "error_pct");
    std::ifstream f(kSource + "/docs/models/gpu.md");
    std::stringstream page;
    page << f.rdbuf();
    const std::string text = page.str();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(whole-workload MAPE ([0-9.]+)%, worst ([0-9.]+)%)")))
        << "docs/models/gpu.md must state 'whole-workload MAPE X%, worst Y%'";
    EXPECT_NEAR(std::stod(m[1]), mape, 0.05);
    EXPECT_NEAR(std::stod(m[2]), worst, 0.05);
}

// The validation statements that report.json carries (each shipped config's "validation.time") quote the
// errors this page states: the H200's whole-workload MAPE and worst error, the H100's held-out kernel MAPE
// and maximum. A new evaluation changes the page; this test then names the config to change with it.
TEST(GpuLraValidation, TheConfigsStatementsQuoteThePage) {
    const auto read = [](const std::string& path) {
        std::ifstream f(path);
        std::stringstream s;
        s << f.rdbuf();
        return s.str();
    };
    const std::string page = read(kSource + "/docs/models/gpu.md");
    const auto statement = [&](const char* config) {
        return nlohmann::json::parse(read(kSource + "/configs/" + config + ".json"))
            .at("validation")
            .at("time")
            .get<std::string>();
    };
    std::smatch doc, cfg;
    const std::regex h200(
        R"(whole-workload MAPE ([0-9.]+)%, worst ([0-9.]+)%(\*\*)? (on|over) ([0-9]+) (H200 )?runs)");
    ASSERT_TRUE(std::regex_search(page, doc, h200));
    const std::string h200_text = statement("gpu-h200");
    ASSERT_TRUE(std::regex_search(h200_text, cfg, h200)) << h200_text;
    EXPECT_EQ(cfg[1], doc[1]) << "configs/gpu-h200.json validation.time: MAPE";
    EXPECT_EQ(cfg[2], doc[2]) << "configs/gpu-h200.json validation.time: worst";
    EXPECT_EQ(cfg[5], doc[5]) << "configs/gpu-h200.json validation.time: runs";

    std::smatch mape, max;
    ASSERT_TRUE(std::regex_search(
        page, mape,
        std::regex(R"(held-out half of ([0-9]+) measured H100 kernel shapes — MAPE: ([0-9.]+)%)")));
    ASSERT_TRUE(std::regex_search(page, max, std::regex(R"(max error ([0-9.]+)%; section "Validation")")));
    const std::string h100_text = statement("gpu-h100-sxm");
    ASSERT_TRUE(std::regex_search(h100_text, cfg, std::regex(R"(held-out MAPE ([0-9.]+)%, max ([0-9.]+)%)")))
        << h100_text;
    EXPECT_EQ(cfg[1], mape[2]) << "configs/gpu-h100-sxm.json validation.time: MAPE";
    EXPECT_EQ(cfg[2], max[1]) << "configs/gpu-h100-sxm.json validation.time: max";
    // The A100 config was never measured: its statement must not claim an error figure.
    EXPECT_EQ(statement("gpu-a100").rfind("not validated", 0), 0u);
}

// The power model's validation (docs/models/gpu.md, "Energy"): the committed predictions
// (docs/models/gpu_lra_power.csv) cover every run of reference/gpu-timings/h200-lra-power.csv with its
// measured power, the page and the H200 config state the MAPE and worst error those rows give, and the model
// still gives the committed power on the short runs.
TEST(GpuLraValidation, PowerPredictionsCoverEveryMeasuredRun) {
    expect_every_run_covered("h200-lra-power.csv", "board_w", "gpu_lra_power.csv", "measured_w",
                             5.1e-3);  // written to 2 decimals
}

TEST(GpuLraValidation, ThePageStatesTheCommittedPowerError) {
    const auto [mape, worst] = mape_and_worst("gpu_lra_power.csv", "power_error_pct");
    const std::regex stated(R"(power MAPE ([0-9.]+)%, worst ([0-9.]+)%)");
    for (const std::string& path : {kSource + "/docs/models/gpu.md", kSource + "/configs/gpu-h200.json"}) {
        std::ifstream f(path);
        std::stringstream text;
        text << f.rdbuf();
        const std::string t = text.str();
        std::smatch m;
        ASSERT_TRUE(std::regex_search(t, m, stated)) << path << " must state 'power MAPE X%, worst Y%'";
        EXPECT_NEAR(std::stod(m[1]), mape, 0.05) << path;
        EXPECT_NEAR(std::stod(m[2]), worst, 0.05) << path;
    }
}

// The per-op evaluation (docs/models/gpu_lra_ops_validation.csv, ops of 10 us or more of the validation
// runs): every op is one the runs measured, and the page states the MAPE and worst error the CSV gives.
TEST(GpuLraValidation, ThePageStatesThePerOpError) {
    std::map<std::tuple<std::string, std::string, int64_t, int64_t, std::string>, double> measured;
    for (const auto& r : read_csv_rows(kSource + "/reference/gpu-timings/h200-lra-validation-ops.csv")) {
        const auto [t, a, l, b] = key_of(r);
        measured[{t, a, l, b, r.at("op")}] = std::stod(r.at("gpu_ms_median"));
    }
    const auto rows = read_csv_rows(kSource + "/docs/models/gpu_lra_ops_validation.csv");
    ASSERT_GT(rows.size(), 1000u);
    for (const auto& r : rows) {
        const auto [t, a, l, b] = key_of(r);
        const auto it = measured.find({t, a, l, b, r.at("op")});
        ASSERT_NE(it, measured.end()) << t << ":" << a << " " << r.at("op");
        EXPECT_GE(it->second, 0.010);
        EXPECT_NEAR(std::stod(r.at("measured_ms")), it->second, 5.1e-5);
    }
    const auto [mape, worst] = mape_and_worst("gpu_lra_ops_validation.csv", "error_pct");
    std::ifstream f(kSource + "/docs/models/gpu.md");
    std::stringstream page;
    page << f.rdbuf();
    const std::string text = page.str();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(per-op MAPE ([0-9.]+)%, worst ([0-9.]+)%)")));
    EXPECT_NEAR(std::stod(m[1]), mape, 0.05);
    EXPECT_NEAR(std::stod(m[2]), worst, 0.05);
}

// Runs the H200 model on the short runs (L <= 256, batch 1: seconds, not minutes) of a committed predictions
// CSV and hands each row and report to `check`; returns how many ran.
int for_each_short_run(
    const std::string& committed_csv,
    const std::function<void(const std::map<std::string, std::string>&, const json&)>& check) {
    int checked = 0;
    for (const auto& r : read_csv_rows(kSource + "/docs/models/" + committed_csv)) {
        const auto [task, arch, len, batch] = key_of(r);
        if (len > 256 || batch != 1) continue;
        workloads::WorkloadSpec spec = workloads::parse_workload_spec("lra:" + task + ":" + arch);
        spec.seq_len = len;
        const workloads::Workload w = workloads::build_lra(spec);
        const Trace trace = workloads::widen_declarations(w.trace, batch);
        check(r, ssmsim::testing::run_gpu(trace, nullptr, nlohmann::json::object(),
                                          kSource + "/configs/gpu-h200.json")
                     .report);
        ++checked;
    }
    return checked;
}

TEST(GpuLraValidation, TheModelStillGivesTheCommittedPower) {
    const int n = for_each_short_run("gpu_lra_power.csv", [](const auto& r, const json& report) {
        const double watts =
            1e-12 * report.at("energy_pj").get<double>() / report.at("seconds").get<double>();
        EXPECT_NEAR(watts, std::stod(r.at("predicted_w")), 6e-3)
            << r.at("task") << ":" << r.at("arch");  // 2 decimals
    });
    EXPECT_EQ(n, 6);  // image and pathfinder at L = 256, three architectures
}

TEST(GpuLraValidation, TheModelStillGivesTheCommittedPredictions) {
    const int n = for_each_short_run("gpu_lra_validation.csv", [](const auto& r, const json& report) {
        const double ms = 1e3 * report.at("seconds").get<double>();
        const double committed = std::stod(r.at("predicted_ms"));
        EXPECT_NEAR(ms, committed, 1e-3 * committed) << r.at("task") << ":" << r.at("arch");
    });
    EXPECT_EQ(n, 6);  // image and pathfinder at L = 256, three architectures
}

// The committed per-op predictions are the model's op times in the same run with the event gap in place of
// the graph node's (the ops were timed one by one with an event pair around each, the runs as one graph).
TEST(GpuLraValidation, TheModelStillGivesTheCommittedPerOpPredictions) {
    const std::string config = kSource + "/configs/gpu-h200.json";
    std::ifstream f(config);
    const json launch = json::parse(f).at("launch");
    const double event_extra_ms =
        1e-6 * (launch.at("event_kernel_ns").get<double>() - launch.at("kernel_ns").get<double>());
    std::map<Key, std::map<std::string, double>> committed;  // short runs only: op -> predicted ms
    for (const auto& r : read_csv_rows(kSource + "/docs/models/gpu_lra_ops_validation.csv")) {
        const auto key = key_of(r);
        if (std::get<2>(key) <= 256 && std::get<3>(key) == 1)
            committed[key][r.at("op")] = std::stod(r.at("predicted_ms"));
    }
    int checked = 0;
    for (const auto& [key, ops] : committed) {
        const auto& [task, arch, len, batch] = key;
        workloads::WorkloadSpec spec = workloads::parse_workload_spec("lra:" + task + ":" + arch);
        spec.seq_len = len;
        const Trace trace = workloads::widen_declarations(workloads::build_lra(spec).trace, batch);
        const json report = ssmsim::testing::run_gpu(trace, nullptr, json::object(), config).report;
        for (const auto& op : report.at("ops")) {
            const auto it = ops.find(op.at("name").get<std::string>());
            if (it == ops.end()) continue;
            EXPECT_NEAR(1e3 * op.at("seconds").get<double>() + event_extra_ms, it->second, 6e-5)
                << task << ":" << arch << " " << it->first;
            ++checked;
        }
    }
    EXPECT_EQ(checked, 50);  // the ops of 10 us or more of image and pathfinder at L = 256, batch 1
}

}  // namespace
