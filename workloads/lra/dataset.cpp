#include "workloads/lra/dataset.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "sim/trace/npy.h"
#include "sim/util/atomic_file.h"
#include "sim/util/error.h"
#include "sim/util/json_input.h"
#include "workloads/inputs/inputs.h"
#include "workloads/lra/batch.h"

namespace ssmsim::workloads {

namespace fs = std::filesystem;

namespace {

bool is_pathfinder(Task t) { return t == Task::pathfinder || t == Task::pathx; }

}  // namespace

Dataset make_dataset(Task task, uint64_t seed, int64_t count, int64_t seq_len, int jobs,
                     std::string_view generator, PathfinderDifficulty difficulty) {
    const TaskInfo& info = task_info(task);
    if (!is_pathfinder(task) && difficulty != PathfinderDifficulty::hard)
        throw std::invalid_argument(
            fmt::format("a difficulty applies to lra:pathfinder and lra:pathx only, not lra:{}", info.name));
    const int64_t len = seq_len ? seq_len : info.seq_len;
    // Sample 0 fixes the row count and vocabulary (and throws, naming the task, on a length it refuses).
    const TaskInput first = make_input(task, seed, len, difficulty);
    const int64_t rows = first.rows;
    Dataset d{Tensor(DType::int32, rows == 1 ? Shape{count, len} : Shape{count, rows, len}),
              Tensor(DType::int32, {count}),
              {}};
    auto tok = d.tokens.as<int32_t>();
    auto lab = d.labels.as<int32_t>();
    const auto per_sample = static_cast<ptrdiff_t>(rows * len);

    // Every example is a pure function of (seed, index): the threads' interleaving cannot change a byte.
    std::atomic<int64_t> next{0};
    std::string error;
    std::mutex error_mutex;
    auto worker = [&] {
        for (int64_t i = next++; i < count; i = next++) {
            try {
                const TaskInput in = i == 0 ? first : make_input(task, sample_seed(seed, i), len, difficulty);
                const Tensor t = token_prefix(in, len);
                std::ranges::copy(t.as<int32_t>(), tok.begin() + i * per_sample);
                lab[static_cast<size_t>(i)] = in.label;
            } catch (const std::exception& e) {
                const std::lock_guard lock(error_mutex);
                if (error.empty()) error = fmt::format("example {}: {}", i, e.what());
            }
        }
    };
    const int threads = jobs > 0 ? jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    {
        std::vector<std::jthread> pool;
        for (int64_t j = 0; j < std::min<int64_t>(threads, count); ++j) pool.emplace_back(worker);
    }
    if (!error.empty()) throw std::runtime_error(error);

    std::vector<int64_t> histogram(static_cast<size_t>(info.classes), 0);
    for (const int32_t l : lab) ++histogram.at(static_cast<size_t>(l));
    d.meta = {
        {"task", info.name},
        {"seed", seed},
        {"count", count},
        {"seq_len", len},
        {"rows", rows},
        {"vocab", first.vocab},
        {"classes", info.classes},
        {"label_counts", histogram},
        {"samples", "example i is sample i of --seed <seed> --batch <count> (docs/workloads.md, Batches)"},
        {"generator", std::string(generator)}};
    if (is_pathfinder(task)) d.meta["difficulty"] = std::string(pathfinder_difficulty_name(difficulty));
    return d;
}

PathfinderDifficulty dataset_difficulty(const Dataset& d) {
    const auto it = d.meta.find("difficulty");
    return it == d.meta.end() ? PathfinderDifficulty::hard
                              : parse_pathfinder_difficulty(it->get<std::string>());
}

void write_dataset(const fs::path& dir, const Dataset& d) {
    fs::remove(dir / "dataset.json");
    write_npy(dir / "tokens.npy", d.tokens);
    write_npy(dir / "labels.npy", d.labels);
    write_file_atomic(dir / "dataset.json", d.meta.dump(2) + "\n");
}

namespace {

int64_t meta_int(const nlohmann::json& meta, const std::string& file, const char* key, int64_t lo,
                 int64_t hi) {
    const auto it = meta.find(key);
    if (it == meta.end() || !it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi)
        throw InputError(file + ":/" + key, fmt::format("an integer in [{}, {}]", lo, hi),
                         it == meta.end() ? "no such key" : it->dump());
    return it->get<int64_t>();
}

}  // namespace

Dataset read_dataset(const fs::path& dir) {
    const std::string jf = (dir / "dataset.json").string();
    Dataset d;
    d.meta = load_json_file<nlohmann::json>(
        dir / "dataset.json", jf, "a dataset.json (written by ssmsim dataset, last, when complete)");
    if (!d.meta.is_object()) throw InputError(jf, "a JSON object", d.meta.type_name());
    const auto task = d.meta.find("task");
    if (task == d.meta.end() || !task->is_string())
        throw InputError(jf + ":/task", "an LRA task name",
                         task == d.meta.end() ? "no such key" : task->dump());
    const Task t = parse_workload_spec("lra:" + task->get<std::string>()).task;
    const TaskInfo& info = task_info(t);
    const int64_t count = meta_int(d.meta, jf, "count", 1, kMaxBatch);
    const int64_t len = meta_int(d.meta, jf, "seq_len", 1, int64_t{1} << 24);
    const int64_t rows = meta_int(d.meta, jf, "rows", 1, 2);
    const int64_t classes = meta_int(d.meta, jf, "classes", info.classes, info.classes);
    const int64_t vocab = meta_int(d.meta, jf, "vocab", 1, int64_t{1} << 24);
    if (const auto diff = d.meta.find("difficulty"); diff != d.meta.end()) {
        const bool named =
            diff->is_string() && (*diff == "easy" || *diff == "intermediate" || *diff == "hard");
        if (!named || (!is_pathfinder(t) && *diff != "hard"))
            throw InputError(
                jf + ":/difficulty",
                is_pathfinder(t) ? "easy, intermediate or hard" : "no difficulty (Pathfinder only)",
                diff->dump());
    }

    const fs::path tf = dir / "tokens.npy", lf = dir / "labels.npy";
    d.tokens = read_npy(tf);
    d.labels = read_npy(lf);
    const Shape want_tokens = rows == 1 ? Shape{count, len} : Shape{count, rows, len};
    if (d.tokens.dtype() != DType::int32 || d.tokens.shape() != want_tokens)
        throw InputError(
            tf.string(),
            fmt::format("int32 {} (dataset.json's count, rows and seq_len)", shape_str(want_tokens)),
            fmt::format("{} {}", dtype_name(d.tokens.dtype()), shape_str(d.tokens.shape())));
    if (d.labels.dtype() != DType::int32 || d.labels.shape() != Shape{count})
        throw InputError(lf.string(), fmt::format("int32 [{}] (dataset.json's count)", count),
                         fmt::format("{} {}", dtype_name(d.labels.dtype()), shape_str(d.labels.shape())));
    const auto lab = d.labels.as<int32_t>();
    for (size_t i = 0; i < lab.size(); ++i)
        if (lab[i] < 0 || lab[i] >= classes)
            throw InputError(fmt::format("{}[{}]", lf.string(), i),
                             fmt::format("a class in [0, {})", classes), std::to_string(lab[i]));
    const auto tok = d.tokens.as<int32_t>();
    for (size_t i = 0; i < tok.size(); ++i)
        if (tok[i] < 0 || tok[i] >= vocab)
            throw InputError(fmt::format("{} (flat element {})", tf.string(), i),
                             fmt::format("a token in [0, {}) (dataset.json's vocab)", vocab),
                             std::to_string(tok[i]));
    return d;
}

}  // namespace ssmsim::workloads
