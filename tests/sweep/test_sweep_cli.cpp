// `ssmsim sweep` and `ssmsim report` through the binary: results independent of --jobs and of MPI ranks,
// resume without recomputing, failed and timed-out points recorded while the others go on.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>

#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace ssmsim::testing;

namespace {

// Six timing-only points: two workloads x three activation SRAM sizes.
json small_sweep() {
    return json::parse(R"({
      "name": "test-sram", "models": ["systolic"], "workloads": ["lra:image:mamba", "lra:listops:s4d"],
      "config": "systolic-edge", "set": {"sram.cost_model": "cacti-28nm"},
      "grid": {"sram.activations.kib": [64, 1024, 16384]},
      "timing_only": true, "seq_len": 256, "timeout_s": 120, "metrics": ["/busy_cycles/array"]})");
}

int count_of(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

fs::path write_sweep(const fs::path& dir, const json& doc) {
    const fs::path p = dir / "sweep.json";
    write_text(p, doc.dump(2));
    return p;
}

CommandResult sweep(const fs::path& file, const fs::path& out, const std::string& extra = "") {
    return run_ssmsim("sweep -q '" + file.string() + "' --out '" + out.string() + "' " + extra);
}

std::map<std::string, fs::file_time_type> result_times(const fs::path& out) {
    std::map<std::string, fs::file_time_type> t;
    for (const auto& e : fs::directory_iterator(out / "points"))
        t[e.path().filename()] = fs::last_write_time(e.path() / "result.json");
    return t;
}

TEST(SweepCli, JobsDoNotChangeResultsAndAReRunResumes) {
    const fs::path dir = scratch_dir("sweep_jobs");
    const fs::path file = write_sweep(dir, small_sweep());
    const auto one = sweep(file, dir / "jobs1", "--jobs 1");
    ASSERT_EQ(one.exit_code, 0) << one.output;
    EXPECT_NE(one.output.find("6 points (6 ran, 0 already done, 0 failed)"), std::string::npos) << one.output;
    const auto two = sweep(file, dir / "jobs2", "--jobs 2");
    ASSERT_EQ(two.exit_code, 0) << two.output;
    EXPECT_EQ(read_text(dir / "jobs1" / "results.csv"), read_text(dir / "jobs2" / "results.csv"));
    EXPECT_EQ(read_text(dir / "jobs1" / "results.json"), read_text(dir / "jobs2" / "results.json"));

    const json results = read_json(dir / "jobs1" / "results.json");
    ASSERT_EQ(results["points"].size(), 6u);
    for (const auto& p : results["points"]) {
        EXPECT_EQ(p["status"], "ok");
        EXPECT_GT(p["cycles"].get<double>(), 0);
        EXPECT_GT(p["sram_area_mm2"].get<double>(), 0);
        EXPECT_GT(p["/busy_cycles/array"].get<double>(), 0);  // a metric named by JSON pointer
    }
    // More activation SRAM: no more DRAM traffic, more area (same workload, increasing size).
    for (size_t w = 0; w < 2; ++w) {
        for (size_t i = 1; i < 3; ++i) {
            const auto& a = results["points"][w * 3 + i - 1];
            const auto& b = results["points"][w * 3 + i];
            EXPECT_LE(b["dram_bytes"].get<double>(), a["dram_bytes"].get<double>());
            EXPECT_GT(b["sram_area_mm2"].get<double>(), a["sram_area_mm2"].get<double>());
        }
    }
    // The csv has a header and one row per point, in index order.
    const std::string csv = read_text(dir / "jobs1" / "results.csv");
    EXPECT_EQ(csv.rfind("index,id,status,model,workload,sram.activations.kib,cycles,", 0), 0u) << csv;
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);

    // A second run finds every point and touches none of them.
    const auto before = result_times(dir / "jobs1");
    const auto again = sweep(file, dir / "jobs1", "--jobs 2");
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find("(0 ran, 6 already done, 0 failed)"), std::string::npos) << again.output;
    EXPECT_EQ(result_times(dir / "jobs1"), before);
    EXPECT_EQ(read_text(dir / "jobs1" / "results.csv"), read_text(dir / "jobs2" / "results.csv"));

    // A lost point is run again, alone.
    fs::remove_all(dir / "jobs1" / "points" / results["points"][4]["id"].get<std::string>());
    const auto partial = sweep(file, dir / "jobs1");
    EXPECT_NE(partial.output.find("(1 ran, 5 already done, 0 failed)"), std::string::npos) << partial.output;
    EXPECT_EQ(read_text(dir / "jobs1" / "results.csv"), read_text(dir / "jobs2" / "results.csv"));

    // Widening the grid runs only the new points.
    json wider = small_sweep();
    wider["grid"]["sram.activations.kib"].push_back(4096);
    const auto more = sweep(write_sweep(dir, wider), dir / "jobs1");
    EXPECT_NE(more.output.find("8 points (2 ran, 6 already done, 0 failed)"), std::string::npos)
        << more.output;
}

TEST(SweepCli, AWiderGridInTheSameOutMatchesStoredResultsByContent) {
    // Issue 16: resumed result.json files kept their old index, so inserting values before the old ones gave
    // rows with other points' cycles and lost a row; a result.json emptied to {} failed every resume.
    const fs::path dir = scratch_dir("sweep_widen");
    json doc = small_sweep();
    doc["workloads"] = json::array({"lra:image:mamba"});
    doc["grid"]["sram.activations.kib"] = json::array({128, 1024});
    const auto first = sweep(write_sweep(dir, doc), dir / "out", "--jobs 2");
    ASSERT_EQ(first.exit_code, 0) << first.output;

    doc["grid"]["sram.activations.kib"] = json::array({64, 128, 512, 1024, 16384});
    const fs::path wide = write_sweep(dir, doc);
    const auto widened = sweep(wide, dir / "out", "--jobs 2");
    ASSERT_EQ(widened.exit_code, 0) << widened.output;
    EXPECT_NE(widened.output.find("5 points (3 ran, 2 already done, 0 failed)"), std::string::npos)
        << widened.output;
    const auto fresh = sweep(wide, dir / "fresh", "--jobs 2");
    ASSERT_EQ(fresh.exit_code, 0) << fresh.output;
    EXPECT_EQ(read_text(dir / "out" / "results.csv"), read_text(dir / "fresh" / "results.csv"));
    EXPECT_EQ(read_text(dir / "out" / "results.json"), read_text(dir / "fresh" / "results.json"));
    const json got = read_json(dir / "out" / "results.json");
    const json want = read_json(dir / "fresh" / "results.json");
    ASSERT_EQ(got["points"].size(), 5u);
    std::set<double> cycles;
    for (size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(got["points"][i]["index"], i);
        EXPECT_EQ(got["points"][i]["swept"], want["points"][i]["swept"]);
        EXPECT_EQ(got["points"][i]["cycles"], want["points"][i]["cycles"]) << i;
        cycles.insert(got["points"][i]["cycles"].get<double>());
    }
    EXPECT_EQ(cycles.size(), 5u);  // every size gives other cycles here: a mislabelled row would show

    // A result.json emptied to {} is a missing result: that point runs again, the others are kept.
    const std::string id = got["points"][1]["id"].get<std::string>();
    write_text(dir / "out" / "points" / id / "result.json", "{}");
    const auto again = sweep(wide, dir / "out");
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find("5 points (1 ran, 4 already done, 0 failed)"), std::string::npos)
        << again.output;
    EXPECT_EQ(read_text(dir / "out" / "results.csv"), read_text(dir / "fresh" / "results.csv"));
    EXPECT_EQ(read_json(dir / "out" / "points" / id / "result.json")["status"], "ok");
    fs::remove_all(dir);
}

TEST(SweepCli, FailedAndTimedOutPointsAreRecordedAndTheOthersGoOn) {
    const fs::path dir = scratch_dir("sweep_fail");
    json doc = small_sweep();
    doc["workloads"] = json::array({"lra:image:mamba"});
    doc["grid"]["sram.activations.kib"] = json::array({64, -5, 1024});
    const fs::path file = write_sweep(dir, doc);
    const auto r = sweep(file, dir / "out", "--jobs 2");
    EXPECT_EQ(r.exit_code, 1) << r.output;  // some points failed; everything is still written
    EXPECT_NE(r.output.find("(3 ran, 0 already done, 1 failed)"), std::string::npos) << r.output;
    const json res = read_json(dir / "out" / "results.json");
    ASSERT_EQ(res["points"].size(), 3u);
    EXPECT_EQ(res["points"][0]["status"], "ok");
    EXPECT_EQ(res["points"][1]["status"], "failed");
    EXPECT_EQ(res["points"][1]["exit_code"], 2);
    EXPECT_NE(
        res["points"][1]["error"].get<std::string>().find("expected an integer in [1, 4194304], found -5"),
        std::string::npos)
        << res["points"][1];
    EXPECT_EQ(res["points"][2]["status"], "ok");
    const std::string csv = read_text(dir / "out" / "results.csv");
    EXPECT_NE(csv.find(",failed,"), std::string::npos);

    // A re-run keeps the failure; --retry-failed runs only the failed point again.
    const auto again = sweep(file, dir / "out");
    EXPECT_NE(again.output.find("(0 ran, 3 already done, 0 failed)"), std::string::npos) << again.output;
    EXPECT_EQ(again.exit_code, 1);
    const auto retry = sweep(file, dir / "out", "--retry-failed");
    EXPECT_NE(retry.output.find("(1 ran, 2 already done, 1 failed)"), std::string::npos) << retry.output;

    // A point over its time limit is killed and recorded as timed out.
    doc["grid"]["sram.activations.kib"] = json::array({64});
    doc["seq_len"] = 4096;
    doc["timeout_s"] = 0.001;
    const auto slow = sweep(write_sweep(dir, doc), dir / "slow");
    EXPECT_EQ(slow.exit_code, 1) << slow.output;
    const json s = read_json(dir / "slow" / "results.json");
    ASSERT_EQ(s["points"].size(), 1u);
    EXPECT_EQ(s["points"][0]["status"], "failed");
    EXPECT_NE(s["points"][0]["error"].get<std::string>().find("timed out"), std::string::npos)
        << s["points"][0];

    // What a point killed at its limit (SIGKILL) was writing does not stay beside its failed record.
    const fs::path run = dir / "slow" / "points" / s["points"][0]["id"].get<std::string>() / "run";
    fs::create_directories(run / "outputs");
    write_text(run / "report.json.tmp.4242", "{\"cut");
    write_text(run / "outputs" / "logits.npy", "partial");
    const auto retried = sweep(write_sweep(dir, doc), dir / "slow", "--retry-failed");
    EXPECT_EQ(retried.exit_code, 1) << retried.output;
    EXPECT_FALSE(fs::exists(run / "report.json.tmp.4242"));
    EXPECT_FALSE(fs::exists(run / "outputs" / "logits.npy"));
}

TEST(SweepCli, BadSweepFilesAreRefusedBeforeAnythingRuns) {
    const fs::path dir = scratch_dir("sweep_bad");
    json doc = small_sweep();
    doc["grid"]["sram.activations.kib"] = "big";
    const auto r = sweep(write_sweep(dir, doc), dir / "out");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("sweep.json:/grid/sram.activations.kib"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir / "out" / "results.csv"));
    // A key the model's configs do not have is refused before any point runs.
    doc = small_sweep();
    doc["grid"]["sram.activation.kib"] = doc["grid"]["sram.activations.kib"];
    const auto typo = sweep(write_sweep(dir, doc), dir / "out");
    EXPECT_EQ(typo.exit_code, 2) << typo.output;
    EXPECT_NE(
        typo.output.find("sweep.json:/grid/sram.activation.kib: expected a config key of model 'systolic'"),
        std::string::npos)
        << typo.output;
    EXPECT_FALSE(fs::exists(dir / "out" / "points"));
    // The message names the config the points start from: the model's default, or the sweep's own.
    const json gpu = {
        {"models", {"gpu"}}, {"workloads", "lra:image:mamba"}, {"grid", {{"l2.mib", {10, 50}}}}};
    const auto deflt = sweep(write_sweep(dir, gpu), dir / "out");
    EXPECT_NE(
        deflt.output.find("/grid/l2.mib: expected a config key of model 'gpu' (configs/gpu-h100-sxm.json"),
        std::string::npos)
        << deflt.output;
    json a100 = gpu;
    a100["config"] = "gpu-a100";
    const auto own = sweep(write_sweep(dir, a100), dir / "out");
    EXPECT_NE(own.output.find("model 'gpu' (configs/gpu-a100.json"), std::string::npos) << own.output;
    write_text(dir / "broken.json", "{\"models\": [");
    const auto b = sweep(dir / "broken.json", dir / "out");
    EXPECT_EQ(b.exit_code, 2) << b.output;
    EXPECT_NE(b.output.find("valid JSON"), std::string::npos) << b.output;
    const auto missing = run_ssmsim("report '" + (dir / "nothing").string() + "'");
    EXPECT_EQ(missing.exit_code, 2) << missing.output;
}

TEST(SweepCli, ABatchReachesTheGeneratedTrace) {
    const fs::path dir = scratch_dir("sweep_batch");
    json doc = small_sweep();
    doc["workloads"] = "lra:image:mamba";
    doc["grid"] = {{"sram.activations.kib", {64}}};
    doc["seq_len"] = 16;
    doc["batch"] = 3;
    const auto r = sweep(write_sweep(dir, doc), dir / "out");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json trace = read_json(dir / "out" / "traces" / "lra-image-mamba-L16-b3-s1-shape" / "trace.json");
    EXPECT_EQ(trace["tensors"]["tokens"]["shape"], json({3, 16}));
    EXPECT_EQ(read_json(dir / "out" / "results.json")["points"][0]["status"], "ok");
    fs::remove_all(dir);
}

TEST(SweepCli, ReportWritesPlotsParetoAndHtml) {
    if (std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") != 0 &&
        !std::getenv("SSMSIM_PYTHON"))
        GTEST_SKIP() << "no python3-matplotlib";
    const fs::path dir = scratch_dir("sweep_report");
    const auto r = sweep(write_sweep(dir, small_sweep()), dir / "out", "--jobs 2");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto rep = run_ssmsim("report '" + (dir / "out").string() + "'");
    ASSERT_EQ(rep.exit_code, 0) << rep.output;
    for (const char* f : {"seconds", "dram_bytes", "energy_pj", "pareto"}) {
        for (const char* ext : {".png", ".svg"}) {
            const fs::path p = dir / "out" / "plots" / (std::string(f) + ext);
            ASSERT_TRUE(fs::exists(p)) << p;
            EXPECT_GT(fs::file_size(p), 1000u) << p;
        }
    }
    const std::string html = read_text(dir / "out" / "report.html");
    EXPECT_NE(html.find("<img src=\"plots/pareto.png\""), std::string::npos);
    // pareto.csv: one row per design (3 sizes over both workloads), each marked optimal or not. A larger SRAM
    // is never slower here and always larger, so a design is dominated only by one as fast and as frugal.
    const std::string csv = read_text(dir / "out" / "pareto.csv");
    EXPECT_EQ(
        csv.rfind("model,sram.activations.kib,seconds,energy_pj,sram_area_mm2,workloads,pareto_optimal", 0),
        0u)
        << csv;
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
    EXPECT_NE(csv.find("systolic,64,"), std::string::npos);
    EXPECT_NE(csv.find(",2,1\n"), std::string::npos);  // the smallest SRAM is optimal on area at least

    // Issue 19: every line plot's title and y label named a workload, without a unit. They name the metric
    // and its unit; the workloads are in the legend only.
    const std::vector<std::pair<std::string, std::string>> labels = {
        {"seconds", "latency per inference (ms)"},
        {"dram_bytes", "DRAM traffic per inference (MiB)"},
        {"energy_pj", "energy per inference (mJ)"}};
    for (const auto& [metric, y_label] : labels) {
        const std::string svg = read_text(dir / "out" / "plots" / (metric + ".svg"));
        EXPECT_NE(svg.find("test-sram: " + y_label + " vs sram.activations.kib"), std::string::npos)
            << metric << ": no title with the metric and unit";
        EXPECT_GE(count_of(svg, y_label), 2) << metric << ": title and y label";  // the title holds it too
        EXPECT_EQ(count_of(svg, "lra:listops:s4d"), 1) << metric << ": the workload, once, in the legend";
        EXPECT_NE(svg.find("recommended sram.activations.kib = "), std::string::npos) << metric;
        EXPECT_NE(svg.find("knee: smallest within 5%"), std::string::npos) << metric;
    }
    // The recommended size: in report.html, on stdout and in recommended.csv, by the documented rule.
    EXPECT_NE(html.find("Recommended SRAM size"), std::string::npos);
    EXPECT_NE(html.find("recommended sram.activations.kib = "), std::string::npos);
    EXPECT_NE(rep.output.find("recommended sram.activations.kib = "), std::string::npos) << rep.output;
    const std::string rec = read_text(dir / "out" / "recommended.csv");
    EXPECT_EQ(
        rec.rfind("model,other_swept,sram.activations.kib,suite_seconds,best_suite_seconds,tolerance\n", 0),
        0u)
        << rec;
    const json results = read_json(dir / "out" / "results.json");
    std::map<int64_t, double> suite;
    for (const auto& p : results["points"])
        suite[p["swept"]["sram.activations.kib"]] += p["seconds"].get<double>();
    double best = 1e300;
    for (const auto& [kib, s] : suite) best = std::min(best, s);
    int64_t expected = 0;
    for (const auto& [kib, s] : suite) {
        if (s <= best * 1.05) {
            expected = kib;
            break;
        }
    }
    EXPECT_NE(rec.find("systolic,," + std::to_string(expected) + ","), std::string::npos) << rec;
    EXPECT_NE(rep.output.find("recommended sram.activations.kib = " + std::to_string(expected) + " "),
              std::string::npos)
        << rep.output;
}

// One shell word, whatever the characters, for the test's own command lines.
std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

TEST(SweepCli, ReportPassesTheFolderToPythonAsOneArgumentNotThroughAShell) {
    // Issue 16: `ssmsim report` pasted the folder into a shell command line, so a folder named like this one
    // ran the touch (in the working folder).
    if (std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") != 0 &&
        !std::getenv("SSMSIM_PYTHON"))
        GTEST_SKIP() << "no python3-matplotlib";
    const fs::path dir = scratch_dir("sweep_report_name");
    const fs::path out = dir / "inj';touch PWNED;echo '";
    json doc = small_sweep();
    doc["workloads"] = json::array({"lra:image:mamba"});
    doc["grid"]["sram.activations.kib"] = json::array({64, 1024});
    doc["seq_len"] = 64;
    const auto r = run_ssmsim("sweep -q " + shell_quote(write_sweep(dir, doc).string()) + " --out " +
                              shell_quote(out.string()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const fs::path cwd = fs::current_path();
    fs::current_path(dir);  // where the injected command would have written PWNED
    const auto rep = run_ssmsim("report " + shell_quote(out.string()));
    fs::current_path(cwd);
    EXPECT_FALSE(fs::exists(dir / "PWNED"));
    EXPECT_FALSE(fs::exists(out / "PWNED"));
    ASSERT_EQ(rep.exit_code, 0) << rep.output;
    EXPECT_TRUE(fs::exists(out / "report.html"));
    EXPECT_TRUE(fs::exists(out / "plots" / "pareto.png"));
    EXPECT_FALSE(fs::exists(out / ".report_plots.py"));
    fs::remove_all(dir);
}

#ifdef SSMSIM_MPIEXEC
TEST(SweepCli, MpiRanksGiveTheSameResultsAsOneNode) {
    const fs::path dir = scratch_dir("sweep_mpi");
    const fs::path file = write_sweep(dir, small_sweep());
    const auto local = sweep(file, dir / "local", "--jobs 1");
    ASSERT_EQ(local.exit_code, 0) << local.output;
    // Root in CI containers; --oversubscribe: two ranks on however many cores there are.
    std::string env =
        "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_warn_on_fork=0 ";
#if defined(__SANITIZE_ADDRESS__)
    // Open MPI's components leak at exit and are unloaded before LeakSanitizer looks, so no suppression
    // can name them; the ranks run without leak checking (the local sweep tests check the sweep's own code).
    const char* asan = std::getenv("ASAN_OPTIONS");
    env += "ASAN_OPTIONS='" + std::string(asan ? asan : "") + ":detect_leaks=0' ";
#endif
    const std::string cmd = env + SSMSIM_MPIEXEC + std::string(" --oversubscribe -np 2 ") + SSMSIM_BINARY +
                            " sweep -q '" + file.string() + "' --out '" + (dir / "mpi").string() +
                            "' --jobs 1 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buf[4096];
    size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    const int status = pclose(pipe);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
    EXPECT_NE(out.find("6 points (6 ran, 0 already done, 0 failed)"), std::string::npos) << out;
    EXPECT_NE(out.find("on 2 MPI ranks"), std::string::npos) << out;
    EXPECT_EQ(read_text(dir / "mpi" / "results.csv"), read_text(dir / "local" / "results.csv"));
    EXPECT_EQ(read_text(dir / "mpi" / "results.json"), read_text(dir / "local" / "results.json"));
}
#endif

}  // namespace
