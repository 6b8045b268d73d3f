#include "app/commands.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <functional>

#include "app/model_args.h"
#include "app/out_dir.h"
#include "app/run_summary.h"
#include "app/validation_notes.h"
#include "sim/backend/backend.h"
#include "sim/config/hw_config.h"
#include "sim/ops/op_schema.h"
#include "sim/report/ops_csv.h"
#include "sim/report/report.h"
#include "sim/trace/trace_io.h"
#include "sim/util/atomic_file.h"
#include "sim/util/error.h"
#include "sim/util/progress.h"
#include "workloads/lra/lra.h"

namespace ssmsim::cli {

namespace fs = std::filesystem;

namespace {

std::vector<const BackendInfo*> select_models(const std::string& model) {
    if (model == "all") return BackendRegistry::all();
    if (const BackendInfo* b = BackendRegistry::find(model)) return {b};
    std::string names;
    for (const auto* b : BackendRegistry::all()) names += b->name + ", ";
    throw InputError("--model", "one of " + names + "all", "'" + model + "'");
}

// Each model's config and overrides, checked before --out is touched. One model: as ever, --config is a
// name or path and --set key=value. --model all: compare's per-model forms (app/model_args.h), and a bare
// form is refused with the fix, since one config cannot fit models whose configs have different keys.
std::vector<CompareModel> plan_models(const RunArgs& a, const std::vector<const BackendInfo*>& models) {
    std::vector<CompareModel> setups;
    for (const auto* b : models)
        setups.push_back({b->name, b->name, false, "", nlohmann::json::object(), {}});
    if (a.model != "all") {
        if (a.configs.size() > 1)
            throw InputError("--config", "one config name or path for --model " + a.model,
                             std::to_string(a.configs.size()) + " of them");
        if (!a.baseline.empty())
            throw InputError("--baseline", "--model all (ratios are between models)", "--model " + a.model);
        if (!a.configs.empty()) setups[0].config = a.configs[0];
        setups[0].overrides = parse_sets(a.sets);  // a malformed --set is refused before --out is touched
        return setups;
    }
    for (const auto& c : a.configs) {
        if (c.find('=') == std::string::npos)
            throw InputError(
                "--config " + c,
                "<model>=<config name or path> with --model all (e.g. --config systolic=" + c + ")",
                "'" + c + "'");
    }
    for (const auto& s : a.sets) {
        const auto colon = s.find(':');
        if (colon == std::string::npos || colon > s.find('='))
            throw InputError("--set " + s,
                             "<model>:<key>=<value> with --model all (e.g. --set systolic:" + s + ")",
                             "'" + s + "'");
    }
    apply_model_args(setups, a.configs, a.sets, "model");
    return setups;
}

// --model all's baseline: the one named, which must be a timing model, or the first timing model listed.
std::string pick_baseline(const RunArgs& a, const std::vector<const BackendInfo*>& models) {
    std::string timing;
    for (const auto* b : models) {
        if (b->default_config.empty()) continue;  // no clock, time or energy: the reference
        if (a.baseline.empty()) return b->name;
        if (b->name == a.baseline) return b->name;
        timing += (timing.empty() ? "" : ", ") + b->name;
    }
    throw InputError("--baseline", "a timing model of --model all (" + timing + ")", "'" + a.baseline + "'");
}

struct Row {
    std::string model;
    nlohmann::ordered_json report;
    double wall_seconds;
};

std::string cell(const nlohmann::ordered_json& r, const char* key) {
    if (!r.contains(key)) return "-";
    const auto& v = r.at(key);
    return v.is_string() ? v.get<std::string>() : v.dump();
}

void print_summary(const std::string& workload, const Trace& trace, const std::vector<Row>& rows) {
    fmt::print("\n{} ({} ops, {} numerics)\n", workload, trace.ops.size(), numerics_name(trace.numerics));
    fmt::print("{:<14} {:>10} {:>14} {:>12} {:>12} {:>11} {:>10} {:>9}  {}\n", "model", "GMAC", "cycles",
               "energy_uJ", "dram_MB", "saturations", "pred/label", "wall_s", "output_sha256");
    for (const Row& row : rows) {
        const auto& r = row.report;
        const double gmac = r.value("macs", int64_t{0}) / 1e9;
        const std::string energy =
            r.contains("energy_pj") ? fmt::format("{:.2f}", r["energy_pj"].get<double>() / 1e6) : "-";
        const std::string dram =
            r.contains("dram_bytes") ? fmt::format("{:.2f}", r["dram_bytes"].get<double>() / 1e6) : "-";
        std::string pred = "-";
        if (r.contains("predicted_class") && !r["predicted_class"].empty()) {
            pred = r["predicted_class"][0].dump() + "/" + (r.contains("label") ? r["label"].dump() : "?");
        }
        const std::string sha =
            r.contains("output_sha256") ? r["output_sha256"].get<std::string>().substr(0, 16) : "-";
        fmt::print("{:<14} {:>10.3f} {:>14} {:>12} {:>12} {:>11} {:>10} {:>9.2f}  {}\n", row.model, gmac,
                   cell(r, "cycles"), energy, dram, cell(r, "saturations"), pred, row.wall_seconds, sha);
    }
}

// --hash-ops: each op's output hash into its report entry; an op the model does not compute bit-exactly
// (its hash left "") gets null.
void put_op_hashes(nlohmann::ordered_json& report, const std::vector<std::string>& hashes) {
    if (hashes.empty() || !report.contains("ops")) return;
    auto& ops = report["ops"];
    for (size_t i = 0; i < hashes.size() && i < ops.size(); ++i) {
        if (hashes[i].empty()) {
            ops[i]["output_sha256"] = nullptr;
        } else {
            ops[i]["output_sha256"] = hashes[i];
        }
    }
}

int run_models(const RunArgs& a, const std::vector<const BackendInfo*>& models,
               const std::vector<CompareModel>& setups,
               const std::function<fs::path(const BackendInfo*)>& out_dir) {
    const bool many = a.model == "all";
    // Building an lra: workload (weights, calibration) can take longer than the run itself: say so.
    Progress building("trace", 1, !a.quiet);
    building.phase("building " + a.workload);
    ResolvedWorkload w = resolve_workload(a.workload, a.workload_opts, !a.timing_only);
    building.finish();
    std::vector<Row> rows;
    std::vector<ModelRun> runs;
    for (size_t i = 0; i < models.size(); ++i) {
        const BackendInfo* b = models[i];
        const CompareModel& setup = setups[i];
        if (b->needs_data && !w.data) {
            if (many) continue;  // `all` runs the timing models on a shape-only trace
            throw InputError("--model " + b->name, "a trace with data (not --timing-only, not shape-only)",
                             a.timing_only ? "--timing-only" : "a shape-only trace");
        }
        auto backend = b->make();
        RunRequest req{w.trace, w.data ? &*w.data : nullptr, setup.overrides, setup.config, !a.quiet};
        req.hash_ops = a.hash_ops && w.data;
        const auto start = std::chrono::steady_clock::now();
        RunResult result = backend->run(req);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        nlohmann::ordered_json report =
            common_report(b->name, w.name, w.trace, w.data ? &result.outputs : nullptr);
        report["timing_only"] = !w.data.has_value();
        if (w.trace.meta.contains("weights")) report["weights"] = w.trace.meta["weights"];  // --weights
        for (auto& [k, v] : result.report.items()) report[k] = v;
        put_op_hashes(report, result.op_sha256);
        if (!a.out.empty()) {
            result.files["ops.csv"] = ops_csv(w.trace, report);
            write_run_output(out_dir(b), report, result.outputs, result.files);
        }
        runs.push_back({b->name, setup.sets, report});
        rows.push_back({b->name, std::move(report), wall});
    }
    if (rows.empty()) {
        throw InputError("--model all", "a model that runs without data (none is registered yet)",
                         "a run without data");
    }
    if (!many) {
        print_summary(w.name, w.trace, rows);
        return 0;
    }
    const std::string baseline = pick_baseline(a, models);
    const auto summary = summary_rows(runs, w.trace.meta.value("batch", int64_t{1}), baseline);
    fmt::print("\n{} ({} ops, {} numerics)\n{}", w.name, w.trace.ops.size(), numerics_name(w.trace.numerics),
               summary_text(summary));
    fmt::print(
        "baseline: {}; ratios are this row's figure over the baseline's (below 1: faster, less energy)\n",
        baseline);
    std::vector<LabelledValidation> validations;
    for (const auto& r : runs)
        if (r.report.contains("validation")) validations.emplace_back(r.model, r.report["validation"]);
    for (const auto& note : validation_notes(validations)) fmt::print("  * {}\n", note);
    std::string walls;
    for (const auto& row : rows)
        walls += fmt::format("{}{} {:.2f} s", walls.empty() ? "" : ", ", row.model, row.wall_seconds);
    fmt::print("wall time: {}\n", walls);
    if (!a.out.empty()) write_file_atomic(fs::path(a.out) / "summary.csv", summary_csv(summary));
    return 0;
}

}  // namespace

int cmd_run(const RunArgs& a) {
    const auto models = select_models(a.model);
    const auto setups = plan_models(a, models);  // every config and --set checked before --out is touched
    const bool many = a.model == "all";          // one folder per model, however many are registered
    if (many) (void)pick_baseline(a, models);
    auto out_dir = [&](const BackendInfo* b) { return many ? fs::path(a.out) / b->name : fs::path(a.out); };
    if (!a.out.empty()) {
        prepare_out_dir(a.out, "--out");
        for (const auto* b : models) clear_previous_report(out_dir(b));
        if (many) fs::remove(fs::path(a.out) / "summary.csv");
    }
    // A failed run leaves nothing of its own behind either: no report.json, no partial outputs/.
    try {
        return run_models(a, models, setups, out_dir);
    } catch (...) {
        if (!a.out.empty()) {
            for (const auto* b : models) clear_previous_report(out_dir(b));
            if (many) fs::remove(fs::path(a.out) / "summary.csv");
        }
        throw;
    }
}

int cmd_gen(const std::string& workload, const WorkloadOptions& opts, const std::string& out,
            bool shape_only) {
    if (workload.rfind("lra:", 0) != 0)
        throw InputError("gen", "a workload of the form lra:<task>[:<arch>]", "'" + workload + "'");
    (void)workloads::parse_workload_spec(workload);  // a bad name before --out is touched
    prepare_out_dir(out, "--out");                   // before the generation, which may take long
    ResolvedWorkload w = resolve_workload(workload, opts, true);
    save_trace(out, w.trace, shape_only ? TensorStore{} : *w.data);
    int64_t bytes = 0;
    for (const auto& [name, t] : *w.data) bytes += shape_only ? 0 : static_cast<int64_t>(t.nbytes());
    fmt::print("wrote {}: {} ops, {} tensors, {:.1f} MB of data\n", (fs::path(out) / "trace.json").string(),
               w.trace.ops.size(), w.trace.tensors.size(), bytes / 1e6);
    return 0;
}

int cmd_validate(const std::string& path, const WorkloadOptions& opts) {
    const Trace t = load_trace(path);
    check_memory_budget(t, opts);  // as `run` would, before the data is read
    if (t.has_data) {
        load_tensor_data(t);  // reads every file: catches files that changed since the header check
    }
    const int64_t macs = total_cost(t).macs;
    const LiveBytes peak = peak_live_bytes(t);
    fmt::print("{}: valid {} trace '{}': {} tensors, {} ops, {:.3f} GMAC, peak live tensors {:.1f} MB, {}\n",
               path, numerics_name(t.numerics), t.name, t.tensors.size(), t.ops.size(), macs / 1e9,
               peak.bytes / 1e6, t.has_data ? "with data" : "shape-only");
    return 0;
}

int cmd_list() {
    fmt::print("models:\n");
    for (const auto* b : BackendRegistry::all()) fmt::print("  {:<14} {}\n", b->name, b->description);
    fmt::print("hardware configs (--config <name>, docs/configs.md):\n");
    for (const auto& c : shipped_configs()) {
        const auto doc = nlohmann::json::parse(c.text);
        std::string about = doc.value("description", "");
        about = about.substr(0, about.find(": "));  // its first clause
        const std::string derived = doc.contains("validation") ? doc["validation"].value("derived", "") : "";
        fmt::print("  {:<22} model {:<13} {}{}\n", c.name, doc.value("model", "?"), about,
                   derived.empty() ? "" : " [derived: " + derived + "]");
    }
    fmt::print("LRA tasks (lra:<task>[:<arch>]):\n");
    for (const auto& t : workloads::lra_tasks()) {
        fmt::print("  {:<11} L={:<6} classes={:<3} {}\n", t.name, t.seq_len, t.classes, t.description);
    }
    fmt::print("architectures:");
    for (auto a : workloads::lra_archs()) fmt::print(" {}", workloads::arch_name(a));
    fmt::print("\nop kinds:\n");
    for (auto k : op_kinds()) fmt::print("  {:<24} {}\n", k, find_op_schema(k)->summary);
    return 0;
}

}  // namespace ssmsim::cli
