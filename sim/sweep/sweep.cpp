#include "sim/sweep/sweep.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/backend/backend.h"
#include "sim/config/hw_config.h"
#include "sim/report/report.h"
#include "sim/sweep/runner.h"
#include "sim/util/atomic_file.h"
#include "sim/util/checked_int.h"
#include "sim/util/csv_rows.h"
#include "sim/util/error.h"
#include "sim/util/interrupt.h"
#include "sim/util/json_input.h"
#include "sim/util/progress.h"

namespace ssmsim {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// The report.json fields a sweep keeps for each point.
const char* const kMetrics[] = {"cycles",          "seconds",       "energy_pj",           "dram_bytes",
                                "sram_peak_bytes", "sram_area_mm2", "sram_capacity_bytes", "saturations",
                                "output_sha256"};

std::vector<std::string> metric_names(const SweepSpec& spec) {
    std::vector<std::string> names(std::begin(kMetrics), std::end(kMetrics));
    for (const auto& m : spec.metrics) {
        if (std::find(names.begin(), names.end(), m) == names.end()) names.push_back(m);
    }
    return names;
}

std::string set_arg(const std::string& key, const json& v) {
    return key + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
}

std::string trace_folder_name(const std::string& workload, const SweepSpec& s) {
    std::string n;
    for (char c : workload) n += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    const std::string batch = s.batch != 1 ? fmt::format("-b{}", s.batch) : "";
    return fmt::format("{}-L{}{}-s{}-{}", n, s.seq_len, batch, s.seed, s.timing_only ? "shape" : "data");
}

// A stored result.json or a point's report.json, or null where it cannot be trusted (not a regular file, over
// the size bound, not valid JSON, a key twice, nested too deep): resume then runs the point again.
json read_json_file(const fs::path& p) {
    try {
        return load_json_file<json>(p, p.string(), "a stored JSON result");
    } catch (const InputError&) {
        return json();
    }
}

void append_line(const fs::path& p, const std::string& line) {
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) throw std::runtime_error("cannot append to " + p.string());
    const std::string l = line + "\n";
    const ssize_t n = ::write(fd, l.data(), l.size());  // one write: a whole line or nothing
    ::close(fd);
    if (n != static_cast<ssize_t>(l.size())) throw std::runtime_error("short write to " + p.string());
}

json point_header(const DesignPoint& p) {
    return {
        {"index", p.index}, {"id", p.id}, {"model", p.model}, {"workload", p.workload}, {"swept", p.swept}};
}

// A point's stored result, as resume reuses it: a record of this very point (its content id) that ended ok
// or failed. Anything else (cut short, emptied, edited) is treated as missing and the point runs again.
bool usable_record(const json& r, const DesignPoint& p) {
    if (!r.is_object()) return false;
    const auto id = r.find("id");
    const auto status = r.find("status");
    return id != r.end() && *id == p.id && status != r.end() && (*status == "ok" || *status == "failed");
}

// The value at a metric's JSON pointer, or null where the report has none (the spec's check bounds array
// indices; this keeps any other surprise a missing value rather than the end of the sweep).
const json* find_pointer(const json& doc, const std::string& pointer) {
    try {
        const json::json_pointer ptr(pointer);
        return doc.contains(ptr) ? &doc.at(ptr) : nullptr;
    } catch (const json::exception&) {
        return nullptr;
    }
}

// A trace generated into a private folder: "<trace>.tmp-<host>-<pid>-<rank>". The host keeps ranks of other
// nodes that share the file system from taking a live generation of theirs for a dead one of ours.
std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "host";
    std::string h(buf);
    for (char& c : h) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return h;
}

// Removes private trace folders of generations that were killed with their sweep (this host's, whose
// process is gone), so that interrupted sweeps do not pile them up in traces/.
// Folders of the earlier form "<trace>.tmp-<pid>-<rank>" count as this host's.
void remove_stale_generations(const fs::path& traces) {
    const std::string host = host_name() + "-";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(traces, ec)) {
        const std::string name = e.path().filename().string();
        const auto at = name.rfind(".tmp-");
        if (at == std::string::npos) continue;
        std::string rest = name.substr(at + 5);  // "<host>-<pid>-<rank>" or "<pid>-<rank>"
        if (rest.starts_with(host)) rest = rest.substr(host.size());
        const auto pid = parse_integer<pid_t>(rest.substr(0, rest.find('-')), 1);
        if (pid && ::kill(*pid, 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
    }
}

// Removes the listed folders when the scope ends early (an interrupt, an error) or late.
struct RemoveOnExit {
    std::vector<fs::path>& paths;
    ~RemoveOnExit() {
        std::error_code ec;
        for (const auto& p : paths) fs::remove_all(p, ec);
    }
};

std::string csv_cell(const json& v) {
    if (v.is_null()) return "";
    return csv_quote(v.is_string() ? v.get<std::string>() : v.dump());
}

}  // namespace

void check_sweep_keys(const SweepSpec& spec) {
    for (size_t i = 0; i < spec.models.size(); ++i) {
        if (!BackendRegistry::find(spec.models[i])) {
            std::string names;
            for (const auto* b : BackendRegistry::all()) names += (names.empty() ? "" : ", ") + b->name;
            throw InputError(location(spec.file, fmt::format("/models/{}", i)), "a model: one of " + names,
                             "'" + spec.models[i] + "'");
        }
    }
    for (const auto& model : spec.models) {
        // A model's configs all have the same keys; the message names the one the points start from: the
        // sweep's own config where it is one of the model's shipped configs, else the model's default.
        const ShippedConfig* shape = find_shipped_config(spec.config);
        const json own = shape ? json::parse(shape->text, nullptr, false) : json();
        if (!own.is_object() || own.value("model", "") != model) {
            const BackendInfo* backend = BackendRegistry::find(model);
            shape = backend ? find_shipped_config(backend->default_config) : nullptr;
        }
        if (!shape) continue;  // a model without configs: its runs report what they refuse
        const json tree = json::parse(shape->text);
        auto check = [&](const std::string& key, const std::string& ptr) {
            if (!tree.contains(json::json_pointer(dotted_to_pointer(key))) || key.empty()) {
                throw InputError(location(spec.file, ptr),
                                 fmt::format("a config key of model '{}' (configs/{}.json, docs/configs.md)",
                                             model, shape->name),
                                 "'" + key + "'");
            }
        };
        for (const auto& [k, v] : spec.fixed.items()) check(k, "/set/" + pointer_escape(k));
        for (const auto& a : spec.axes)
            check(a.key, (spec.method == "grid" ? "/grid/" : "/samples/space/") + pointer_escape(a.key));
    }
}

SweepRun run_sweep(const SweepSpec& spec, const SweepOptions& opts) {
    // A signal stops the children and unwinds through here (the generations' folders removed), instead of
    // killing this process with its children left running.
    const interrupt::Polled polled;
    SweepRun run;
    run.points = expand_points(spec);
    fs::create_directories(opts.out / "points");
    fs::create_directories(opts.out / "traces");
    remove_stale_generations(opts.out / "traces");
    const std::string exe = self_executable();

    // This rank's points, minus those already recorded.
    std::vector<const DesignPoint*> todo;
    std::map<size_t, json> results;
    for (const auto& p : run.points) {
        if (static_cast<int>(p.index % static_cast<size_t>(opts.ranks)) != opts.rank) continue;
        const fs::path rec = opts.out / "points" / p.id / "result.json";
        if (fs::exists(rec)) {
            json r = read_json_file(rec);
            if (usable_record(r, p) && (r["status"] == "ok" || !opts.retry_failed)) {
                // Matched by content: the record may come from a sweep where this point sat elsewhere.
                r.update(point_header(p));
                results[p.index] = std::move(r);
                ++run.skipped;
                continue;
            }
        }
        todo.push_back(&p);
    }

    // Each lra: workload is generated once (shape-only for timing-only sweeps) and reused by every point.
    std::map<std::string, fs::path> traces;
    std::map<std::string, std::string> trace_errors;
    std::vector<ChildTask> gens;
    std::vector<std::string> gen_names;
    std::vector<fs::path> gen_tmp;
    const RemoveOnExit remove_gen_tmp{gen_tmp};
    for (const auto* p : todo) {
        if (traces.count(p->workload)) continue;
        if (p->workload.rfind("lra:", 0) != 0) {
            traces[p->workload] = p->workload;
            continue;
        }
        const fs::path dir = opts.out / "traces" / trace_folder_name(p->workload, spec);
        traces[p->workload] = dir;
        if (fs::exists(dir / "trace.json")) continue;
        // Generated into a private folder and renamed into place, so that ranks sharing a file system never
        // see a half-written trace; the loser of a race keeps the winner's (identical) folder.
        const fs::path tmp = dir.string() + fmt::format(".tmp-{}-{}-{}", host_name(), ::getpid(), opts.rank);
        fs::remove_all(tmp);
        std::vector<std::string> args{"gen",        p->workload, "--out",
                                      tmp.string(), "--seed",    std::to_string(spec.seed)};
        if (spec.seq_len) args.insert(args.end(), {"--seq-len", std::to_string(spec.seq_len)});
        if (spec.batch != 1) args.insert(args.end(), {"--batch", std::to_string(spec.batch)});
        if (spec.timing_only) args.push_back("--shape-only");
        gens.push_back({args, opts.out / "traces" / (dir.filename().string() + ".log")});
        gen_names.push_back(p->workload);
        gen_tmp.push_back(tmp);
    }
    // Generation is most of a short sweep's time: its own bar, with a clock while the first trace is built.
    Progress gen_bar("traces", gens.size(), opts.progress && !gens.empty());
    gen_bar.phase(fmt::format("building {} trace{}", gens.size(), gens.size() == 1 ? "" : "s"));
    size_t generated = 0;
    run_children(exe, gens, opts.jobs, spec.timeout_s, [&](size_t i, const ChildOutcome& o) {
        gen_bar.update(++generated, gen_names[i]);
        if (!o.ok) {
            trace_errors[gen_names[i]] = "generating the workload failed: " + o.error;
        } else {
            std::error_code ec;
            fs::rename(gen_tmp[i], traces[gen_names[i]], ec);  // fails only when another rank got there first
        }
        fs::remove_all(gen_tmp[i]);
    });
    gen_bar.finish();

    std::vector<ChildTask> tasks;
    std::vector<const DesignPoint*> task_points;
    const fs::path log_file = opts.out / "results.jsonl";
    auto record = [&](const DesignPoint& p, json r) {
        const fs::path dir = opts.out / "points" / p.id;
        fs::create_directories(dir);
        write_file_atomic(dir / "result.json", r.dump(2) + "\n");
        append_line(log_file, r.dump());
        results[p.index] = std::move(r);
    };
    for (const auto* p : todo) {
        if (trace_errors.count(p->workload)) {
            json r = point_header(*p);
            r["status"] = "failed";
            r["error"] = trace_errors[p->workload];
            clear_previous_report(opts.out / "points" / p->id / "run");  // an earlier attempt's leftovers
            record(*p, std::move(r));
            ++run.failed;
            continue;
        }
        const fs::path dir = opts.out / "points" / p->id;
        fs::create_directories(dir);
        std::vector<std::string> args{"run",
                                      "--model",
                                      p->model,
                                      "--workload",
                                      traces[p->workload].string(),
                                      "-q",
                                      "--out",
                                      (dir / "run").string()};
        if (!spec.config.empty()) args.insert(args.end(), {"--config", spec.config});
        for (const auto& [k, v] : p->sets.items()) args.insert(args.end(), {"--set", set_arg(k, v)});
        if (spec.timing_only) args.push_back("--timing-only");
        tasks.push_back({args, dir / "log.txt"});
        task_points.push_back(p);
    }
    Progress bar("sweep", tasks.size(), opts.progress);
    size_t finished = 0;
    run_children(exe, tasks, opts.jobs, spec.timeout_s, [&](size_t i, const ChildOutcome& o) {
        const DesignPoint& p = *task_points[i];
        json r = point_header(p);
        const json rep = o.ok ? read_json_file(opts.out / "points" / p.id / "run" / "report.json") : json();
        if (o.ok && rep.is_object()) {
            r["status"] = "ok";
            for (const auto& k : metric_names(spec)) {
                if (k.starts_with('/')) {  // a JSON pointer into report.json, for nested fields
                    if (const json* v = find_pointer(rep, k)) r[k] = *v;
                } else if (rep.contains(k)) {
                    r[k] = rep[k];
                }
            }
        } else {
            r["status"] = "failed";
            r["exit_code"] = o.exit_code;
            r["error"] = o.ok ? "no report.json" : o.error;
            ++run.failed;
            // A child killed at its time limit (SIGKILL) could not remove what it was writing: no partial
            // outputs or report.json.tmp.<pid> stay beside the failed record.
            clear_previous_report(opts.out / "points" / p.id / "run");
        }
        record(p, std::move(r));
        ++run.ran;
        bar.update(++finished, p.workload + " " + p.model);
    });
    bar.finish();
    if (const int sig = interrupt::pending()) throw interrupt::Interrupted(sig);
    for (auto& [i, r] : results) run.results.push_back(std::move(r));
    return run;
}

void write_sweep_results(const SweepSpec& spec, const fs::path& out, const std::vector<DesignPoint>& points,
                         const std::vector<json>& results) {
    // Results are matched to points by content id, never by position: a resumed record may have been written
    // by a sweep whose points were ordered differently.
    std::map<std::string, const json*> by_id;
    for (const auto& r : results) {
        const auto id = r.find("id");
        if (id != r.end() && id->is_string()) by_id[id->get<std::string>()] = &r;
    }
    std::vector<std::string> swept;
    for (const auto& a : spec.axes) swept.push_back(a.key);

    std::string csv = "index,id,status,model,workload";
    // Appended piecewise: `"," + std::string` trips GCC 12's -Wrestrict false positive.
    for (const auto& k : swept) csv.append(",").append(csv_cell(k));
    const std::vector<std::string> metrics = metric_names(spec);
    for (const auto& m : metrics) csv.append(",").append(csv_cell(m));
    csv += ",error\n";
    json all = json::array();
    for (const auto& p : points) {
        const auto it = by_id.find(p.id);
        if (it == by_id.end()) continue;  // not run (another rank's, lost)
        json r = *it->second;
        r["index"] = p.index;
        csv += fmt::format("{},{},{},{},{}", p.index, p.id, r.value("status", ""), csv_cell(p.model),
                           csv_cell(p.workload));
        for (const auto& k : swept) csv.append(",").append(csv_cell(p.swept.value(k, json())));
        for (const auto& m : metrics) csv.append(",").append(csv_cell(r.value(m, json())));
        csv.append(",").append(csv_cell(r.value("error", json()))).append("\n");
        all.push_back(std::move(r));
    }
    json doc = {{"sweep", spec.name}, {"file", spec.file}, {"swept_keys", swept}, {"points", all}};
    write_file_atomic(out / "results.csv", csv);
    write_file_atomic(out / "results.json", doc.dump(2) + "\n");
}

}  // namespace ssmsim
