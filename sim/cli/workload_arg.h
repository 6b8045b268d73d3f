// Resolving a --workload argument: a trace folder (or trace.json) or "lra:<task>[:<arch>]".
#pragma once

#include <optional>
#include <string>

#include "sim/trace/trace.h"

namespace ssmsim::cli {

struct WorkloadOptions {
    uint64_t seed = 1;
    int64_t seq_len = 0;
    std::string numerics = "int8";
    std::string weights;
    int64_t memory_budget_mib = 0;  // 0: three quarters of physical memory
};

struct ResolvedWorkload {
    std::string name;  // what report.json calls it
    Trace trace;
    std::optional<TensorStore> data;  // absent for shape-only traces and timing-only runs
};

ResolvedWorkload resolve_workload(const std::string& arg, const WorkloadOptions& opts, bool want_data);

}  // namespace ssmsim::cli
