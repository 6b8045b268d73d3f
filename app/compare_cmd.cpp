#include "app/compare_cmd.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "app/compare_plan.h"
#include "app/compare_table.h"
#include "app/measured.h"
#include "app/out_dir.h"
#include "app/python_script.h"
#include "app/validation_notes.h"
#include "app/workload_arg.h"
#include "sim/backend/backend.h"
#include "sim/util/atomic_file.h"
#include "sim/util/error.h"
#include "sim/util/interrupt.h"
#include "sim/util/progress.h"
#include "workloads/lra/lra.h"

namespace ssmsim::cli {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

extern const char* const kComparePlotsPy;  // compare_plots.py, embedded at build time
extern const char* const kSsmsimCommit;    // the source tree's git commit at build time, "" when unknown

namespace {

// The files a compare writes; a new run first removes these (and only these), and a failed one its own.
void clear_outputs(const fs::path& out) {
    for (const char* f : {"compare.json", "compare.csv", "index.html", ".compare-data.json"})
        fs::remove(out / f);
    std::error_code ec;
    if (!fs::is_directory(out / "plots", ec)) return;
    for (const auto& e : fs::directory_iterator(out / "plots", ec)) {
        const std::string n = e.path().filename().string();
        if (n.rfind("compare-", 0) == 0) fs::remove(e.path());  // plots/compare-<task>-<metric>.png|svg
    }
}

// The row of a model that ran: every figure is read from its report (seconds, energy_pj, dram_bytes,
// clock_hz, utilisation, ops[].bound), only scaled to the row's units and per-inference where it says so.
ojson simulated_row(const CompareModel& m, const ojson& rep, int64_t batch, bool timing_only) {
    ojson f;
    const auto num = [&](const char* k) -> std::optional<double> {
        if (rep.contains(k) && rep[k].is_number()) return rep[k].get<double>();
        return std::nullopt;
    };
    std::string config = rep.contains("config") ? rep["config"].value("name", "") : "";
    for (const auto& s : m.sets) config += " --set " + s;
    f["config"] = config.empty() ? ojson(nullptr) : ojson(config);
    f["source"] = timing_only ? "simulated (timing only)" : "simulated";
    const auto clock = num("clock_hz");
    f["clock_mhz"] = clock ? ojson(*clock / 1e6) : ojson(nullptr);
    const auto seconds = num("seconds");
    const auto energy = num("energy_pj");
    f["latency_ms"] = seconds ? ojson(*seconds * 1e3) : ojson(nullptr);
    f["throughput_per_s"] =
        seconds && *seconds > 0 ? ojson(static_cast<double>(batch) / *seconds) : ojson(nullptr);
    f["energy_mj"] = energy ? ojson(*energy * 1e-9 / static_cast<double>(batch)) : ojson(nullptr);
    f["power_w"] = energy && seconds && *seconds > 0 ? ojson(*energy * 1e-12 / *seconds) : ojson(nullptr);
    f["dram_bytes"] = rep.contains("dram_bytes") ? rep["dram_bytes"] : ojson(nullptr);
    // The model's first listed unit (systolic: the array, gpu: SM issue); a model without the field has none.
    f["utilisation"] = nullptr;
    f["utilisation_unit"] = nullptr;
    if (rep.contains("utilisation") && rep["utilisation"].is_object() && !rep["utilisation"].empty()) {
        f["utilisation"] = rep["utilisation"].begin().value();
        f["utilisation_unit"] = rep["utilisation"].begin().key();
    }
    // The bound of the run: the one its ops' cycles mostly have, as the model classed each op.
    std::map<std::string, double> by_bound;
    double cycles = 0;
    for (const auto& op : rep.value("ops", ojson::array())) {
        const double c = op.value("cycles", 0.0);
        cycles += c;
        if (op.contains("bound") && op["bound"].is_string()) by_bound[op["bound"].get<std::string>()] += c;
    }
    f["bound"] = nullptr;
    f["bound_cycle_share"] = nullptr;
    for (const auto& [bound, c] : by_bound) {
        if (f["bound"].is_null() || c > f["bound_cycle_share"].get<double>() * cycles) {
            f["bound"] = bound;
            f["bound_cycle_share"] = cycles > 0 ? c / cycles : 0.0;
        }
    }
    return f;
}

// A measured source's row: its latency, its board power where that was measured, and nothing else.
ojson measured_row(const CompareModel& m, const CompareWorkload& w, int64_t batch, int64_t seq_len) {
    const MeasuredSource* src = find_measured_source(m.model);
    ojson f;
    f["config"] = src->file;
    const auto fig = w.lra ? src->find(w.task, w.arch, batch, seq_len) : std::nullopt;
    f["source"] = fig ? "measured: " + fig->method + "; " + fig->provenance
                      : std::string("not measured (") +
                            (w.lra ? "no row for this length and batch" : "a trace folder") + ")";
    f["clock_mhz"] = nullptr;
    f["latency_ms"] = fig ? ojson(fig->latency_ms) : ojson(nullptr);
    f["throughput_per_s"] =
        fig ? ojson(static_cast<double>(batch) / (fig->latency_ms * 1e-3)) : ojson(nullptr);
    for (const char* k : {"energy_mj", "power_w", "dram_bytes", "utilisation", "utilisation_unit", "bound",
                          "bound_cycle_share"})
        f[k] = nullptr;
    // Energy per inference from the board power of the same kernels run back to back, over this latency.
    if (fig && fig->power_w) {
        f["power_w"] = *fig->power_w;
        f["energy_mj"] = *fig->power_w * fig->latency_ms / static_cast<double>(batch);
        f["source"] = f["source"].get<std::string>() + "; board power: " + fig->power_provenance;
    }
    return f;
}

// Ratios against the baseline row of the same workload and batch: this row's figure over the baseline's.
void add_ratios(std::vector<ojson>& rows, const std::string& baseline) {
    std::map<std::pair<std::string, int64_t>, const ojson*> base;
    for (const auto& r : rows)
        if (r["label"] == baseline) base[{r["workload"].get<std::string>(), r["batch"].get<int64_t>()}] = &r;
    for (auto& r : rows) {
        const ojson* b = base.at({r["workload"].get<std::string>(), r["batch"].get<int64_t>()});
        r["baseline"] = baseline;
        for (auto [metric, ratio] :
             {std::pair{"latency_ms", "latency_ratio"}, {"energy_mj", "energy_ratio"}}) {
            const bool ok =
                r[metric].is_number() && (*b)[metric].is_number() && (*b)[metric].get<double>() > 0;
            r[ratio] = ok ? ojson(r[metric].get<double>() / (*b)[metric].get<double>()) : ojson(nullptr);
        }
    }
}

std::vector<ojson> run_all(const ComparePlan& plan, const CompareArgs& a, ojson& configs,
                           ojson& validations) {
    size_t sims = 0;
    for (const auto& m : plan.models) sims += m.measured ? 0 : 1;
    const bool any_trace = std::any_of(plan.workloads.begin(), plan.workloads.end(),
                                       [](const CompareWorkload& w) { return !w.lra; });
    Progress bar("compare", plan.workloads.size() * (any_trace ? 1 : plan.batches.size()) * sims,
                 !a.quiet && Progress::terminal());
    size_t done = 0;
    std::vector<ojson> rows;
    for (const auto& w : plan.workloads) {
        for (const int64_t batch_arg : plan.batches) {
            if (!w.lra && batch_arg != plan.batches.front()) continue;  // a trace folder fixes its own batch
            WorkloadOptions o;
            o.seed = a.seed;
            o.seq_len = w.lra ? a.seq_len : 0;
            o.batch = w.lra ? batch_arg : 1;
            // Measured sources alone need no trace: an lra: workload is then not built at all.
            std::optional<ResolvedWorkload> rw;
            if (sims > 0 || !w.lra) rw = resolve_workload(w.arg, o, !a.timing_only && sims > 0);
            const std::string name = rw ? rw->name : w.arg;
            const int64_t batch = w.lra ? batch_arg : rw->trace.meta.value("batch", int64_t{1});
            int64_t seq_len = 0;
            if (w.lra) seq_len = a.seq_len ? a.seq_len : workloads::parse_workload_spec(w.arg).length();
            for (const auto& m : plan.models) {
                ojson row;
                row["workload"] = name;
                row["task"] = w.task;
                row["arch"] = w.arch.empty() ? ojson(nullptr) : ojson(w.arch);
                row["seq_len"] = w.lra ? ojson(seq_len) : ojson(nullptr);
                row["batch"] = batch;
                row["label"] = m.label;
                row["model"] = m.model;
                ojson figures;
                if (m.measured) {
                    figures = measured_row(m, w, batch, seq_len);
                } else {
                    bar.update(done, name + " " + m.label);
                    const auto* b = BackendRegistry::find(m.model);
                    RunRequest req{rw->trace, rw->data ? &*rw->data : nullptr, m.overrides, m.config, false};
                    RunResult result;
                    try {
                        result = b->make()->run(req);
                    } catch (const InputError& e) {  // say which label and workload the model refused
                        throw InputError(m.label + " on " + name + ": " + e.what());
                    }
                    figures = simulated_row(m, result.report, batch, !rw->data);
                    if (!configs.contains(m.label) && result.report.contains("config"))
                        configs[m.label] = result.report["config"];
                    if (!validations.contains(m.label) && result.report.contains("validation"))
                        validations[m.label] = result.report["validation"];
                    ++done;
                }
                for (auto& [k, v] : figures.items()) row[k] = v;
                rows.push_back(std::move(row));
            }
        }
    }
    bar.finish();
    add_ratios(rows, plan.baseline);
    return rows;
}

ojson provenance(const ComparePlan& plan, const CompareArgs& a, const ojson& configs,
                 const ojson& validations) {
    ojson p;
    p["ssmsim"] = {{"version", SSMSIM_VERSION},
                   {"commit", kSsmsimCommit[0] ? ojson(kSsmsimCommit) : ojson(nullptr)}};
    p["command"] = a.command_line;
    p["timing_only"] = a.timing_only;
    p["seed"] = a.seed;
    p["seq_len"] = a.seq_len ? ojson(a.seq_len) : ojson("full");
    p["batches"] = plan.batches;
    p["baseline"] = plan.baseline;
    ojson models = ojson::array();
    for (const auto& m : plan.models) {
        ojson e = {{"label", m.label}, {"model", m.model}};
        if (m.measured) {
            const MeasuredSource* s = find_measured_source(m.model);
            e["file"] = s->file;
            e["description"] = s->description;
        } else {
            e["config_arg"] = m.config.empty() ? ojson(nullptr) : ojson(m.config);
            e["sets"] = m.sets;
            e["config"] = configs.contains(m.label) ? configs[m.label] : ojson(nullptr);
            e["validation"] = validations.contains(m.label) ? validations[m.label] : ojson(nullptr);
        }
        models.push_back(std::move(e));
    }
    p["models"] = std::move(models);
    return p;
}

int compare(const ComparePlan& plan, const CompareArgs& a) {
    ojson configs = ojson::object();
    ojson validations = ojson::object();
    const std::vector<ojson> rows = run_all(plan, a, configs, validations);
    std::vector<LabelledValidation> labelled;
    for (const auto& m : plan.models)
        if (validations.contains(m.label)) labelled.emplace_back(m.label, validations[m.label]);
    const std::vector<std::string> notes = validation_notes(labelled);
    ojson doc;
    doc["provenance"] = provenance(plan, a, configs, validations);
    doc["columns"] = compare_columns();
    doc["rows"] = rows;
    doc["notes"] = notes;  // each simulated label's validation statement, and the mixed-nodes note
    const std::string json_text = doc.dump(2) + "\n";
    const fs::path out(a.out);
    // The plots and index.html first, from the data the script is given; compare.json last, so that it
    // exists only when everything else was written.
    const fs::path data = out / ".compare-data.json";
    const interrupt::TempFile data_removed_on_signal(data.string());
    write_file_atomic(data, json_text);
    run_python_script("ssmsim compare", kComparePlotsPy, out / ".compare_plots.py",
                      {data.string(), out.string()});
    fs::remove(data);
    write_file_atomic(out / "compare.csv", compare_csv(rows));
    write_file_atomic(out / "compare.json", json_text);
    fmt::print("{}", compare_text_table(rows));
    // Where the measured rows come from: each distinct provenance once (a re-measured row has its own).
    std::vector<std::string> sources;
    for (const auto& r : rows) {
        const std::string s = r["label"].get<std::string>() + ": " + r["source"].get<std::string>();
        if (r["source"].get<std::string>().rfind("measured", 0) == 0 &&
            std::find(sources.begin(), sources.end(), s) == sources.end())
            sources.push_back(s);
    }
    for (const auto& s : sources) fmt::print("{}\n", s);
    for (const auto& n : notes) fmt::print("  * {}\n", n);
    fmt::print(
        "baseline: {}; ratios are this row's figure over the baseline's (below 1: faster, less energy)\n"
        "wrote {}, compare.csv, index.html, plots/\n",
        plan.baseline, (out / "compare.json").string());
    return 0;
}

}  // namespace

int cmd_compare(const CompareArgs& a) {
    const ComparePlan plan = plan_compare(a);   // every input checked before --out is touched
    check_python_matplotlib("ssmsim compare");  // the plots come last: not after a long run
    prepare_out_dir(a.out, "--out");
    clear_outputs(a.out);
    try {
        return compare(plan, a);
    } catch (...) {
        clear_outputs(a.out);  // a failed compare leaves nothing that looks complete
        throw;
    }
}

}  // namespace ssmsim::cli
