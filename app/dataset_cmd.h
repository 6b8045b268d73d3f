// `ssmsim dataset lra:<task> --count N --out DIR` (docs/accuracy.md, "Data sets"): N generated examples of
// one LRA task as tokens.npy and labels.npy, for training and for `ssmsim accuracy`. Example i is sample i
// of `--seed S --batch N`, so a run of the same seed and batch sees exactly these inputs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace ssmsim::cli {

struct DatasetArgs {
    std::string
        task;  // lra:<task> (an :<arch> suffix is accepted and ignored: the inputs do not depend on it)
    int64_t count = 0;
    uint64_t seed = 1;
    int64_t seq_len = 0;              // 0: the task's full length
    int jobs = 0;                     // threads (0: the number of cores)
    std::string difficulty = "hard";  // Pathfinder and Path-X: easy, intermediate or hard (the published one)
    std::string out;
};

// Registers the subcommand with its options on `app` (ssmsim and ssmsim-cuda both have it).
CLI::App* add_dataset_command(CLI::App& app, DatasetArgs& a);

// `program` ("ssmsim 0.9.0") is recorded in dataset.json as the generator.
int cmd_dataset(const DatasetArgs& a, std::string_view program);

}  // namespace ssmsim::cli
