// The GPU model against whole LRA workloads measured on the GPU (its validation family): prints MAPE and the
// worst errors per architecture and batch, and writes one row per run to `out` when given.
#pragma once

#include <cstdint>
#include <string>

namespace ssmsim::gpu {

// config: a --config file ("" for the model's default); max_len: skip longer rows (0: none). With ops_csv
// (the runs' per-op times, h200-lra-validation-ops.csv) also every op of 10 us or more against the model's
// time for it in the same run, per kind and overall, written to ops_out when given.
int run_workload_validation(const std::string& config, const std::string& csv, const std::string& out,
                            int64_t max_len, const std::string& ops_csv = "",
                            const std::string& ops_out = "");

}  // namespace ssmsim::gpu
