#include "app/runs_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/sweep_cmd.h"
#include "sim/report/ops_csv.h"
#include "sim/util/atomic_file.h"
#include "sim/util/csv_rows.h"
#include "sim/util/error.h"
#include "sim/util/json_input.h"

namespace ssmsim::cli {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

struct Run {
    std::string label;  // the folder as the user named it (or it expanded to)
    fs::path dir;
    ojson report;
};

// The run folders `dir` stands for: itself when it holds report.json, else its subfolders that do (the
// per-model folders of `run --model all`), in name order.
std::vector<fs::path> run_folders(const std::string& dir) {
    const fs::path d(dir);
    std::error_code ec;
    if (fs::is_regular_file(d / "report.json", ec)) return {d};
    std::vector<fs::path> subs;
    if (fs::is_directory(d, ec))
        for (const auto& e : fs::directory_iterator(d, ec))
            if (e.is_directory(ec) && fs::is_regular_file(e.path() / "report.json", ec))
                subs.push_back(e.path());
    if (subs.empty())
        throw InputError(dir,
                         "a run folder with report.json (ssmsim run --out), a `run --model all` folder or a "
                         "sweep folder with results.json",
                         fs::exists(d, ec) ? "none of them" : "no such folder");
    std::sort(subs.begin(), subs.end());
    return subs;
}

Run load_run(const fs::path& dir) {
    const fs::path file = dir / "report.json";
    ojson r = load_json_file<ojson>(file, file.string(), "a report.json written by ssmsim run");
    if (!r.is_object()) throw InputError(file.string(), "a JSON object", r.type_name());
    for (const char* key : {"model", "workload"})
        if (!r.contains(key) || !r[key].is_string())
            throw InputError(file.string() + " /" + key, "a string",
                             r.contains(key) ? std::string(r[key].type_name()) : "nothing");
    return {dir.string(), dir, std::move(r)};
}

std::string cell(const ojson& r, const char* key) {
    if (!r.contains(key) || r[key].is_null()) return "";
    const ojson& v = r[key];
    if (v.is_string()) return csv_quote(v.get<std::string>());
    if (v.is_number_float()) return fmt::format("{}", v.get<double>());
    return v.dump();
}

// A figure of the table, scaled, or "-" when the model does not report it.
std::string figure(const ojson& r, const char* key, double scale, const char* format) {
    if (!r.contains(key) || !r[key].is_number()) return "-";
    return fmt::format(fmt::runtime(format), r[key].get<double>() * scale);
}

constexpr const char* kRunsHeader =
    "run,model,workload,numerics,timing_only,cycles,clock_hz,seconds,energy_pj,dram_bytes,sram_peak_bytes,"
    "saturations,output_sha256";

std::string runs_csv(const std::vector<Run>& runs) {
    std::string csv = std::string(kRunsHeader) + "\n";
    for (const auto& run : runs) {
        csv += csv_quote(run.label);
        for (const char* key :
             {"model", "workload", "numerics", "timing_only", "cycles", "clock_hz", "seconds", "energy_pj",
              "dram_bytes", "sram_peak_bytes", "saturations", "output_sha256"})
            csv.append(",").append(cell(run.report, key));
        csv += "\n";
    }
    return csv;
}

std::string merged_ops_csv(const std::vector<Run>& runs) {
    std::string csv = std::string("run,") + kOpsCsvHeader + "\n";
    for (const auto& run : runs) {
        const fs::path file = run.dir / "ops.csv";
        std::ifstream in(file);
        if (!in)
            throw InputError(file.string(), "the run's ops.csv (ssmsim run writes it beside report.json)",
                             "no such file");
        std::string line;
        if (!std::getline(in, line) || line != kOpsCsvHeader)
            throw InputError(file.string(), std::string("the header ") + kOpsCsvHeader, "'" + line + "'");
        // A row is complete when its quotes pair up (a mapping value may hold a quoted line break).
        std::string row;
        while (std::getline(in, line)) {
            row += (row.empty() ? "" : "\n") + line;
            if (std::count(row.begin(), row.end(), '"') % 2 != 0) continue;
            if (!row.empty()) csv += csv_quote(run.label) + "," + row + "\n";
            row.clear();
        }
        if (!row.empty()) throw InputError(file.string(), "complete rows", "an unterminated quoted cell");
    }
    return csv;
}

void print_table(const std::vector<Run>& runs) {
    size_t w = 3;
    for (const auto& r : runs) w = std::max(w, r.label.size());
    constexpr auto kRow = "{:<{}}  {:<12} {:<26} {:<8} {:>12} {:>12} {:>10} {:>11} {:>11}  {}\n";
    fmt::print(kRow, "run", w, "model", "workload", "numerics", "time ms", "energy mJ", "DRAM MiB",
               "SRAM KiB", "saturations", "output");
    for (const auto& run : runs) {
        const ojson& r = run.report;
        const std::string sha = r.value("output_sha256", "");
        fmt::print(kRow, run.label, w, r["model"].get<std::string>(), r["workload"].get<std::string>(),
                   r.value("numerics", ""), figure(r, "seconds", 1e3, "{:.4g}"),
                   figure(r, "energy_pj", 1e-9, "{:.4g}"), figure(r, "dram_bytes", 1.0 / (1 << 20), "{:.4g}"),
                   figure(r, "sram_peak_bytes", 1.0 / 1024, "{:.4g}"),
                   figure(r, "saturations", 1.0, "{:.0f}"), sha.substr(0, 16));
    }
}

}  // namespace

int cmd_report_any(const ReportArgs& a) {
    std::error_code ec;
    if (a.dirs.size() == 1 && fs::exists(fs::path(a.dirs[0]) / "results.json", ec)) {
        if (!a.out.empty() || !a.ops_out.empty())
            throw InputError(a.out.empty() ? "--ops-out" : "--out",
                             "run folders (a sweep folder has results.csv)", "the sweep folder " + a.dirs[0]);
        return cmd_report(a.dirs[0]);
    }
    std::vector<Run> runs;
    for (const auto& d : a.dirs)
        for (const auto& dir : run_folders(d)) runs.push_back(load_run(dir));
    // Everything is read before anything is written: a bad folder leaves no half-written table.
    const std::string ops = a.ops_out.empty() ? "" : merged_ops_csv(runs);
    print_table(runs);
    if (!a.out.empty()) write_file_atomic(a.out, runs_csv(runs));
    if (!a.ops_out.empty()) write_file_atomic(a.ops_out, ops);
    return 0;
}

}  // namespace ssmsim::cli
