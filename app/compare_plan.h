// What `ssmsim compare` will run, checked whole before anything runs or --out is touched: every workload,
// label, config, --set and batch, so that a typo costs one line on stderr (exit 2), not a half-done run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/compare_cmd.h"
#include "app/model_args.h"

namespace ssmsim::cli {

struct CompareWorkload {
    std::string arg;   // what resolve_workload takes: "lra:image:mamba" or a trace folder
    std::string task;  // the plot group: the LRA task, or "traces" for trace folders
    std::string arch;  // "" for trace folders
    bool lra = false;
};

struct ComparePlan {
    std::vector<CompareWorkload> workloads;
    std::vector<CompareModel> models;
    std::vector<int64_t> batches;
    std::string baseline;
};

ComparePlan plan_compare(const CompareArgs& a);

}  // namespace ssmsim::cli
