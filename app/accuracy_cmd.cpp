#include "app/accuracy_cmd.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "app/int_arg.h"
#include "app/out_dir.h"
#include "app/set_arg.h"
#include "app/workload_arg.h"
#include "sim/backend/backend.h"
#include "sim/config/hw_config.h"
#include "sim/sweep/runner.h"
#include "sim/trace/npy.h"
#include "sim/util/atomic_file.h"
#include "sim/util/csv_rows.h"
#include "sim/util/error.h"
#include "sim/util/progress.h"
#include "workloads/lra/dataset.h"
#include "workloads/lra/fake_quant.h"

namespace ssmsim::cli {

namespace fs = std::filesystem;

namespace {

constexpr double kNoTimeLimit = 1e12;  // seconds: a shard runs as long as its examples take

struct Example {
    int64_t index = 0;
    int32_t label = 0;
    int32_t predicted = 0;
    int32_t float32_predicted = 0;
    double seconds = std::numeric_limits<double>::quiet_NaN();    // the run's time (timing models)
    double energy_pj = std::numeric_limits<double>::quiet_NaN();  // the run's energy over its examples
    std::vector<double> logits;
};

int32_t argmax(const std::vector<double>& v) {
    return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());  // first maximum wins
}

// One model on examples [begin, end), `batch` at a time; the last run is filled up by repeating its last
// example (whose repeats are not counted), so every run has the workload's shape.
class ExampleRunner {
public:
    ExampleRunner(const AccuracyArgs& a, const workloads::Dataset& d, const std::string& model,
                  const std::string& numerics)
        : d_(d), info_(BackendRegistry::find(model)) {
        if (!info_) throw InputError("--model", "a registered model (ssmsim list)", "'" + model + "'");
        WorkloadOptions o;
        o.seed = d.meta.at("seed").get<uint64_t>();  // sample 0 (calibration) is the data set's example 0
        o.seq_len = d.meta.at("seq_len").get<int64_t>();
        o.batch = a.batch;
        o.numerics = numerics;
        o.weights = a.weights;
        o.calibration_samples = a.calibrate;
        w_ = resolve_workload(a.workload, o, true);
        // --fake-quant: the grid of int8 PTQ on the chosen op kinds only (workloads/lra/fake_quant.h).
        if (!a.fake_quant.empty()) {
            fake_kinds_ = {a.fake_quant.begin(), a.fake_quant.end()};
            absmax_ = workloads::calibrate(w_.trace, *w_.data);  // on example 0, as quantize() is
            workloads::fake_quantize_weights(w_.trace, *w_.data, fake_kinds_);
        }
        if (model != "reference") {
            config_ = a.config;
            overrides_ = parse_sets(a.sets);
        }
        backend_ = info_->make();
    }

    std::vector<Example> run(int64_t begin, int64_t end, const std::function<void(int64_t)>& tick) {
        const auto tokens = d_.tokens.as<int32_t>();
        const auto labels = d_.labels.as<int32_t>();
        const int64_t batch = w_.trace.meta.value("batch", int64_t{1});
        const size_t per_example = tokens.size() / static_cast<size_t>(d_.labels.shape()[0]);
        std::vector<Example> out;
        for (int64_t first = begin; first < end; first += batch) {
            const int64_t n = std::min(batch, end - first);
            auto dst = w_.data->at("tokens").as<int32_t>();
            for (int64_t b = 0; b < batch; ++b) {
                const int64_t src = first + std::min(b, n - 1);
                std::copy_n(tokens.begin() + static_cast<ptrdiff_t>(src * per_example), per_example,
                            dst.begin() + static_cast<ptrdiff_t>(b * per_example));
            }
            RunResult r;
            if (fake_kinds_.empty()) {
                r = backend_->run(RunRequest{w_.trace, &*w_.data, overrides_, config_, false});
            } else {
                r.outputs = workloads::run_fake_quant(w_.trace, *w_.data, fake_kinds_, absmax_);
            }
            const Tensor& logits = r.outputs.at(w_.trace.outputs.front());
            const int64_t classes = logits.shape().back();
            const double seconds = r.report.contains("seconds") ? r.report["seconds"].get<double>()
                                                                : std::numeric_limits<double>::quiet_NaN();
            const double energy = r.report.contains("energy_pj")
                                      ? r.report["energy_pj"].get<double>() / static_cast<double>(batch)
                                      : std::numeric_limits<double>::quiet_NaN();
            for (int64_t b = 0; b < n; ++b) {
                Example e;
                e.index = first + b;
                e.label = labels[static_cast<size_t>(first + b)];
                for (int64_t c = 0; c < classes; ++c)
                    e.logits.push_back(logits.dtype() == DType::int32
                                           ? logits.as<int32_t>()[static_cast<size_t>(b * classes + c)]
                                           : logits.as<float>()[static_cast<size_t>(b * classes + c)]);
                e.predicted = argmax(e.logits);
                e.seconds = seconds;
                e.energy_pj = energy;
                out.push_back(std::move(e));
            }
            tick(n);
        }
        return out;
    }

private:
    const workloads::Dataset& d_;
    const BackendInfo* info_;
    ResolvedWorkload w_;
    nlohmann::json overrides_ = nlohmann::json::object();
    std::string config_;
    std::unique_ptr<Backend> backend_;
    std::set<std::string> fake_kinds_;
    workloads::AbsMax absmax_;
};

std::string num(double v) { return std::isnan(v) ? "" : fmt::format("{}", v); }

std::string examples_csv(const std::vector<Example>& ex) {
    std::string s = "index,label,predicted,float32_predicted,seconds,energy_pj";
    const size_t classes = ex.empty() ? 0 : ex.front().logits.size();
    for (size_t c = 0; c < classes; ++c) s += fmt::format(",logit_{}", c);
    s += "\n";
    for (const auto& e : ex) {
        s += fmt::format("{},{},{},{},{},{}", e.index, e.label, e.predicted, e.float32_predicted,
                         num(e.seconds), num(e.energy_pj));
        for (double l : e.logits) s += fmt::format(",{}", l);
        s += "\n";
    }
    return s;
}

double cell(const std::map<std::string, std::string>& row, const std::string& key) {
    const auto it = row.find(key);
    if (it == row.end() || it->second.empty()) return std::numeric_limits<double>::quiet_NaN();
    return std::stod(it->second);
}

std::vector<Example> read_examples(const fs::path& csv) {
    std::vector<Example> out;
    for (const auto& row : read_csv_rows(csv)) {
        Example e;
        e.index = std::stoll(row.at("index"));
        e.label = std::stoi(row.at("label"));
        e.predicted = std::stoi(row.at("predicted"));
        e.float32_predicted = std::stoi(row.at("float32_predicted"));
        e.seconds = cell(row, "seconds");
        e.energy_pj = cell(row, "energy_pj");
        for (int c = 0; row.contains(fmt::format("logit_{}", c)); ++c)
            e.logits.push_back(std::stod(row.at(fmt::format("logit_{}", c))));
        out.push_back(std::move(e));
    }
    return out;
}

// The worker's part: the model's predictions, and the float32 reference's (the agreement column) unless the
// model is that reference.
std::vector<Example> run_range(const AccuracyArgs& a, const workloads::Dataset& d, int64_t begin, int64_t end,
                               bool progress) {
    const bool is_float_ref = a.model == "reference" && a.numerics == "float32" && a.fake_quant.empty();
    const int64_t total = (end - begin) * (is_float_ref ? 1 : 2);
    Progress bar("examples", static_cast<size_t>(total), progress);
    int64_t done = 0;
    auto tick = [&](int64_t n) { bar.update(static_cast<size_t>(done += n), a.model); };
    ExampleRunner model(a, d, a.model, a.numerics);
    std::vector<Example> ex = model.run(begin, end, tick);
    if (is_float_ref) {
        for (auto& e : ex) e.float32_predicted = e.predicted;
    } else {
        AccuracyArgs ref = a;
        ref.fake_quant.clear();
        ref.batch = std::max<int64_t>(a.batch, 8);  // the reference's time is not reported: batch it
        ExampleRunner f32(ref, d, "reference", "float32");
        const auto base = f32.run(begin, end, tick);
        for (size_t i = 0; i < ex.size(); ++i) ex[i].float32_predicted = base[i].predicted;
    }
    bar.finish();
    return ex;
}

// Trained weights replace every parameter: a file missing from the folder would leave a random one in the
// model and its accuracy would mean nothing, so it is refused by name (`run --weights` allows a subset).
// Dtypes and shapes are checked here too, before any worker starts.
void require_every_parameter(const std::string& workload, const std::string& dir, int64_t seq_len) {
    workloads::WorkloadSpec spec = workloads::parse_workload_spec(workload);
    spec.seq_len = seq_len;
    spec.numerics = Numerics::float32;
    const Trace t = workloads::build_lra_shapes(spec);
    int64_t missing = 0;
    std::string first;
    for (const TensorDecl& td : t.tensors) {
        if (!td.is_graph_input() || td.name == "tokens") continue;
        const fs::path f = fs::path(dir) / (td.name + ".npy");
        if (!fs::exists(f)) {
            if (missing++ == 0) first = td.name;
            continue;
        }
        const NpyHeader h = read_npy_header(f);
        if (h.dtype != td.dtype || h.shape != td.shape)
            throw InputError(f.string(),
                             fmt::format("{} of shape {}", dtype_name(td.dtype), shape_str(td.shape)),
                             fmt::format("{} of shape {}", dtype_name(h.dtype), shape_str(h.shape)));
    }
    if (missing)
        throw InputError("--weights " + dir,
                         fmt::format("a float32 .npy file for every parameter of {}", workload),
                         fmt::format("{} missing, the first '{}.npy'", missing, first));
}

// --fake-quant is a float32 reference run, over op kinds the workload has.
void require_fake_quant_kinds(const AccuracyArgs& a, int64_t seq_len) {
    if (a.model != "reference" || a.numerics != "float32")
        throw InputError("--fake-quant", "--model reference --numerics float32 (it rounds a float32 run)",
                         "--model " + a.model + " --numerics " + a.numerics);
    WorkloadOptions o;
    o.seq_len = seq_len;
    o.numerics = "float32";
    const ResolvedWorkload w = resolve_workload(a.workload, o, false);
    std::set<std::string> kinds;
    for (const auto& op : w.trace.ops) kinds.insert(op.kind);
    for (const auto& k : a.fake_quant)
        if (!kinds.count(k))
            throw InputError(
                "--fake-quant",
                "an op kind of " + a.workload + " (" + fmt::format("{}", fmt::join(kinds, ", ")) + ")",
                "'" + k + "'");
}

std::pair<int64_t, int64_t> parse_shard(const std::string& s) {
    const auto slash = s.find('/');
    const auto k = parse_integer<int64_t>(s.substr(0, slash), 0, kMaxJobs);
    const auto j =
        slash == std::string::npos ? std::nullopt : parse_integer<int64_t>(s.substr(slash + 1), 1, kMaxJobs);
    if (!k || !j || *k >= *j) throw InputError("--shard", "k/J with 0 <= k < J", "'" + s + "'");
    return {*k, *j};
}

std::vector<std::string> worker_args(const AccuracyArgs& a, int64_t count, const fs::path& out,
                                     const std::string& shard) {
    std::vector<std::string> v{"accuracy",
                               "--workload",
                               a.workload,
                               "--weights",
                               a.weights,
                               "--test",
                               a.test,
                               "--model",
                               a.model,
                               "--numerics",
                               a.numerics,
                               "--count",
                               std::to_string(count),
                               "--batch",
                               std::to_string(a.batch),
                               "--out",
                               out.string(),
                               "--shard",
                               shard,
                               "--quiet"};
    if (!a.config.empty()) v.insert(v.end(), {"--config", a.config});
    for (const auto& s : a.sets) v.insert(v.end(), {"--set", s});
    for (const auto& k : a.fake_quant) v.insert(v.end(), {"--fake-quant", k});
    if (a.calibrate > 1) v.insert(v.end(), {"--calibrate", std::to_string(a.calibrate)});
    return v;
}

nlohmann::ordered_json summarise(const AccuracyArgs& a, const workloads::Dataset& d,
                                 const std::vector<Example>& ex) {
    const int64_t classes = d.meta.at("classes").get<int64_t>();
    std::vector<std::vector<int64_t>> confusion(classes, std::vector<int64_t>(classes, 0));
    int64_t correct = 0, agree = 0, float_correct = 0;
    double seconds = 0, energy = 0, s_min = INFINITY, s_max = 0, e_min = INFINITY, e_max = 0;
    bool timed = !ex.empty() && !std::isnan(ex.front().seconds);
    for (const auto& e : ex) {
        ++confusion[e.label][e.predicted];
        correct += e.predicted == e.label;
        float_correct += e.float32_predicted == e.label;
        agree += e.predicted == e.float32_predicted;
        if (timed) {
            seconds += e.seconds, energy += e.energy_pj;
            s_min = std::min(s_min, e.seconds), s_max = std::max(s_max, e.seconds);
            e_min = std::min(e_min, e.energy_pj), e_max = std::max(e_max, e.energy_pj);
        }
    }
    const auto n = static_cast<double>(ex.size());
    nlohmann::ordered_json r;
    r["workload"] = a.workload;
    r["model"] = a.model;
    r["numerics"] = a.numerics;
    if (!a.config.empty()) r["config"] = a.config;
    if (!a.sets.empty()) r["set"] = a.sets;
    if (!a.fake_quant.empty()) r["fake_quant"] = a.fake_quant;
    if (a.calibrate > 1) r["calibration_examples"] = a.calibrate;
    r["weights"] = a.weights;
    r["test_set"] = {{"dir", a.test},
                     {"seed", d.meta["seed"]},
                     {"count", d.meta["count"]},
                     {"seq_len", d.meta["seq_len"]},
                     {"generator", d.meta["generator"]}};
    r["examples"] = ex.size();
    r["batch"] = a.batch;
    r["correct"] = correct;
    r["accuracy"] = static_cast<double>(correct) / n;
    r["float32_reference_accuracy"] = static_cast<double>(float_correct) / n;
    r["agreement_with_float32"] = static_cast<double>(agree) / n;
    r["confusion"] = confusion;  // rows: label, columns: predicted
    if (timed) {
        r["per_inference"] = {{"seconds_mean", seconds / n},
                              {"seconds_min", s_min},
                              {"seconds_max", s_max},
                              {"energy_pj_mean", energy / n},
                              {"energy_pj_min", e_min},
                              {"energy_pj_max", e_max},
                              {"note",
                               "seconds: the simulated run of `batch` examples; energy: the run's over "
                               "its examples"}};
    }
    return r;
}

}  // namespace

CLI::App* add_accuracy_command(CLI::App& app, AccuracyArgs& a) {
    auto* c = app.add_subcommand("accuracy",
                                 "a model's accuracy on a test set from `ssmsim dataset` (docs/accuracy.md)");
    c->add_option("--workload", a.workload, "lra:<task>:<arch>")->required();
    c->add_option("--weights", a.weights, "folder of float32 <tensor>.npy parameters (trained weights)")
        ->required();
    c->add_option("--test", a.test, "folder written by ssmsim dataset")->required();
    c->add_option("--model", a.model, "a registered model")->capture_default_str();
    c->add_option("--numerics", a.numerics, "int8 or float32")
        ->check(CLI::IsMember({"int8", "float32"}))
        ->capture_default_str();
    c->add_option("--config", a.config, "hardware config name or JSON file (default: the model's own)");
    c->add_option("--set", a.sets, "override a config value: key=value (repeatable)");
    c->add_option("--fake-quant", a.fake_quant,
                  "op kind to put on its int8 grid in a float32 reference run (repeatable): the per-op "
                  "sensitivity of int8 quantization");
    c->add_option("--calibrate", a.calibrate,
                  "int8 scales from max |x| over test examples 0..N-1 at the full length (default: example 0 "
                  "at up to 1,024 steps, as run does)")
        ->check(integer_arg<int64_t>(1, 256, "examples"))
        ->capture_default_str();
    c->add_option("--count", a.count, "the first N examples (default: all)")
        ->check(integer_arg<int64_t>(1, workloads::kMaxBatch, "examples"));
    c->add_option("--batch", a.batch, "examples per simulated run")
        ->check(integer_arg<int64_t>(1, 4096, "examples"))
        ->capture_default_str();
    c->add_option("--jobs", a.jobs, "processes (default: the number of cores)")
        ->check(integer_arg<int>(1, kMaxJobs, "processes"));
    c->add_option("--out", a.out, "folder for accuracy.json and examples.csv");
    c->add_option("--shard", a.shard, "internal: k/J, the part a worker process runs")->group("");
    c->add_flag("-q,--quiet", a.quiet, "no progress bar");
    return c;
}

int cmd_accuracy(const AccuracyArgs& a) {
    const workloads::Dataset d = workloads::read_dataset(a.test);
    const auto spec = workloads::parse_workload_spec(a.workload);
    const std::string task(workloads::task_info(spec.task).name);
    if (d.meta["task"] != task)
        throw InputError("--test " + a.test, "a data set of task '" + task + "' (the workload's)",
                         "one of task " + d.meta["task"].dump());
    if (workloads::dataset_difficulty(d) != workloads::PathfinderDifficulty::hard)
        throw InputError("--test " + a.test + " (dataset.json:/difficulty)",
                         "hard, the difficulty of the workload and of published results",
                         d.meta["difficulty"].dump());
    if (a.workload.find(':', 4) == std::string::npos)
        throw InputError("--workload", "lra:<task>:<arch> (the architecture the weights are for)",
                         "'" + a.workload + "'");
    const int64_t count =
        a.count ? std::min(a.count, d.meta["count"].get<int64_t>()) : d.meta["count"].get<int64_t>();
    // The weights, the config and the --set keys before anything runs; a worker's parent has checked them.
    if (a.shard.empty()) {
        if (!a.fake_quant.empty()) require_fake_quant_kinds(a, d.meta["seq_len"].get<int64_t>());
        if (a.calibrate > 1 && a.numerics != "int8")
            throw InputError("--calibrate", "--numerics int8 (it sets int8 scales)",
                             "--numerics " + a.numerics);
        require_every_parameter(a.workload, a.weights, d.meta["seq_len"].get<int64_t>());
        if (a.model != "reference") {
            const auto* b = BackendRegistry::find(a.model);
            if (!b) throw InputError("--model", "a registered model (ssmsim list)", "'" + a.model + "'");
            if (!b->default_config.empty())
                (void)HwConfig::resolve(a.model, b->default_config, a.config, parse_sets(a.sets));
        }
    }

    if (!a.shard.empty()) {  // a worker: its slice, to examples.csv in --out
        const auto [k, j] = parse_shard(a.shard);
        const int64_t begin = count * k / j, end = count * (k + 1) / j;
        const auto ex = run_range(a, d, begin, end, false);
        write_file_atomic(fs::path(a.out) / "examples.csv", examples_csv(ex));
        return 0;
    }

    if (!a.out.empty()) {
        prepare_out_dir(a.out, "--out");
        fs::remove(fs::path(a.out) / "accuracy.json");
    }
    const auto start = std::chrono::steady_clock::now();
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int64_t jobs = std::min<int64_t>(a.jobs ? a.jobs : cores, (count + a.batch - 1) / a.batch);
    std::vector<Example> ex;
    if (jobs <= 1) {
        ex = run_range(a, d, 0, count, !a.quiet);
    } else {
        const fs::path work = a.out.empty()
                                  ? fs::temp_directory_path() / fmt::format("ssmsim-accuracy-{}", ::getpid())
                                  : fs::path(a.out) / "shards";
        std::vector<ChildTask> tasks;
        for (int64_t k = 0; k < jobs; ++k) {
            const fs::path dir = work / std::to_string(k);
            fs::create_directories(dir);
            fs::remove(dir / "examples.csv");
            tasks.push_back({worker_args(a, count, dir, fmt::format("{}/{}", k, jobs)), dir / "log.txt"});
        }
        Progress bar("shards", tasks.size(), !a.quiet);
        size_t done = 0;
        std::string failure;
        bool input_error = false;
        run_children(self_executable(), tasks, static_cast<int>(jobs), kNoTimeLimit,
                     [&](size_t i, const ChildOutcome& o) {
                         bar.update(++done, fmt::format("shard {}", i));
                         if (!o.ok && failure.empty()) {
                             failure = fmt::format("shard {}/{}: {}", i, jobs, o.error);
                             input_error = o.exit_code == 2;  // the worker's bad input stays bad input
                         }
                     });
        bar.finish();
        if (input_error) throw InputError(failure);
        if (!failure.empty()) throw std::runtime_error(failure);
        for (int64_t k = 0; k < jobs; ++k) {
            auto part = read_examples(work / std::to_string(k) / "examples.csv");
            ex.insert(ex.end(), part.begin(), part.end());
        }
        fs::remove_all(work);
    }
    const auto r = summarise(a, d, ex);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print(
        "{} on {} ({}), {} examples of {}: accuracy {:.2f}% ({}/{}), float32 reference {:.2f}%, "
        "agreement with float32 {:.2f}%\n",
        a.workload, a.model, a.numerics, ex.size(), a.test, 100.0 * r["accuracy"].get<double>(),
        r["correct"].get<int64_t>(), ex.size(), 100.0 * r["float32_reference_accuracy"].get<double>(),
        100.0 * r["agreement_with_float32"].get<double>());
    if (r.contains("per_inference"))
        fmt::print("per inference (batch {}): {:.4g} ms, {:.4g} mJ (energy {:.4g}-{:.4g} mJ)\n", a.batch,
                   1e3 * r["per_inference"]["seconds_mean"].get<double>(),
                   1e-9 * r["per_inference"]["energy_pj_mean"].get<double>(),
                   1e-9 * r["per_inference"]["energy_pj_min"].get<double>(),
                   1e-9 * r["per_inference"]["energy_pj_max"].get<double>());
    fmt::print("wall time {:.1f} s\n", wall);
    if (!a.out.empty()) {
        write_file_atomic(fs::path(a.out) / "examples.csv", examples_csv(ex));
        write_file_atomic(fs::path(a.out) / "accuracy.json", r.dump(2) + "\n");  // last: marks it complete
    }
    return 0;
}

}  // namespace ssmsim::cli
