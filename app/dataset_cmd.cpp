#include "app/dataset_cmd.h"

#include <fmt/format.h>

#include "app/int_arg.h"
#include "app/out_dir.h"
#include "sim/util/error.h"
#include "workloads/lra/dataset.h"

namespace ssmsim::cli {

CLI::App* add_dataset_command(CLI::App& app, DatasetArgs& a) {
    auto* c = app.add_subcommand(
        "dataset", "generated examples of an LRA task as tokens.npy and labels.npy (docs/accuracy.md)");
    c->add_option("task", a.task, "lra:<task>")->required();
    c->add_option("--count", a.count, "examples: example i is sample i of --seed S --batch N")
        ->required()
        ->check(integer_arg<int64_t>(1, workloads::kMaxBatch, "examples"));
    c->add_option("--seed", a.seed, "seed of the examples")
        ->check(integer_arg<uint64_t>(0, std::numeric_limits<uint64_t>::max()))
        ->capture_default_str();
    c->add_option("--seq-len", a.seq_len, "sequence length (0: the task's full length)")
        ->check(integer_arg<int64_t>(0, kMaxSeqLen, "time steps, 0: the task's own"));
    c->add_option("--jobs", a.jobs, "threads (default: the number of cores)")
        ->check(integer_arg<int>(1, kMaxJobs, "threads"));
    c->add_option("--difficulty", a.difficulty,
                  "Pathfinder and Path-X: target contours of 6, 9 or 14 paddles at side 32; easier ones are "
                  "for training curricula, the workloads and test sets use hard")
        ->check(CLI::IsMember({"easy", "intermediate", "hard"}))
        ->capture_default_str();
    c->add_option("--out", a.out, "folder for tokens.npy, labels.npy and dataset.json")->required();
    return c;
}

int cmd_dataset(const DatasetArgs& a, std::string_view program) {
    const workloads::WorkloadSpec spec = workloads::parse_workload_spec(a.task);
    const auto difficulty = workloads::parse_pathfinder_difficulty(a.difficulty);
    if (difficulty != workloads::PathfinderDifficulty::hard && spec.task != workloads::Task::pathfinder &&
        spec.task != workloads::Task::pathx)
        throw InputError("--difficulty", "hard (the only one of a task other than Pathfinder and Path-X)",
                         a.difficulty);
    prepare_out_dir(a.out, "--out");
    const workloads::Dataset d = workloads::make_dataset(spec.task, a.seed, a.count, a.seq_len, a.jobs,
                                                         fmt::format("{} dataset", program), difficulty);
    workloads::write_dataset(a.out, d);
    fmt::print("ssmsim: {} examples of lra:{} (length {}, seed {}) in {}\n", a.count,
               d.meta["task"].get<std::string>(), d.meta["seq_len"].get<int64_t>(), a.seed, a.out);
    return 0;
}

}  // namespace ssmsim::cli
