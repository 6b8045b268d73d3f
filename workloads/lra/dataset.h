// Data sets of generated LRA examples (docs/accuracy.md, "Data sets"): tokens.npy [count, L] (Retrieval:
// [count, 2, L]) int32, labels.npy [count] int32 and dataset.json, for training and `ssmsim accuracy`.
// Example i is sample i of `--seed S --batch count` (batch.cpp), so a batch run sees exactly these inputs.
#pragma once

#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "sim/trace/tensor.h"
#include "workloads/inputs/inputs.h"
#include "workloads/lra/lra.h"

namespace ssmsim::workloads {

struct Dataset {
    Tensor tokens;        // int32 [count, L] or [count, rows, L]
    Tensor labels;        // int32 [count]
    nlohmann::json meta;  // task, seed, count, seq_len, rows, vocab, classes, label_counts, generator;
                          // Pathfinder and Path-X: difficulty too
};

// `jobs` threads (0: the number of cores); the bytes do not depend on it. A difficulty other than hard is
// refused (std::invalid_argument) for tasks other than Pathfinder and Path-X.
Dataset make_dataset(Task task, uint64_t seed, int64_t count, int64_t seq_len, int jobs,
                     std::string_view generator,
                     PathfinderDifficulty difficulty = PathfinderDifficulty::hard);

// A Pathfinder or Path-X data set's difficulty (hard when dataset.json, from before it was recorded, has
// none); hard for the other tasks.
PathfinderDifficulty dataset_difficulty(const Dataset& d);

// tokens.npy and labels.npy, each written under a temporary name and renamed, then dataset.json, which marks
// a complete folder (an older dataset.json is removed first).
void write_dataset(const std::filesystem::path& dir, const Dataset& d);

// Reads a folder write_dataset wrote. Throws InputError naming the file and what is wrong: a missing file,
// a dtype or shape that disagrees with dataset.json, a label outside [0, classes).
Dataset read_dataset(const std::filesystem::path& dir);

}  // namespace ssmsim::workloads
