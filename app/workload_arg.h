// Resolving a --workload argument: a trace folder (or trace.json) or "lra:<task>[:<arch>]".
#pragma once

#include <optional>
#include <string>

#include "sim/trace/trace.h"

namespace ssmsim::cli {

struct WorkloadOptions {
    uint64_t seed = 1;
    int64_t seq_len = 0;
    int64_t batch = 1;  // samples of an lra: workload (--batch), the B of its [B, L, ...] tensors
    std::string numerics = "int8";
    std::string weights;
    int64_t calibration_samples = 1;  // WorkloadSpec::calibration_samples
    int64_t memory_budget_mib = 0;    // 0: three quarters of physical memory
    // Given on the command line (not defaulted): a trace folder fixes its seed and numerics, so it refuses
    // them rather than ignore them.
    bool seed_given = false;
    bool numerics_given = false;
};

struct ResolvedWorkload {
    std::string name;  // what report.json calls it
    Trace trace;
    std::optional<TensorStore> data;  // absent for shape-only traces and timing-only runs
};

// Builds or loads the workload. Refuses, before its data is generated or read, one whose live tensors
// would exceed opts.memory_budget_mib; for a batch, before any sample after the first is generated.
ResolvedWorkload resolve_workload(const std::string& arg, const WorkloadOptions& opts, bool want_data);

// Refuses a trace whose live tensors would not fit in opts.memory_budget_mib (`validate` and `run`).
void check_memory_budget(const Trace& t, const WorkloadOptions& opts);

// The check of a --batch argument as the command line gives it, for CLI11's Option::check: empty when it
// is an integer in [1, workloads::kMaxBatch], else what is wrong ("expected ..., found ...").
std::string check_batch_arg(const std::string& text);

}  // namespace ssmsim::cli
