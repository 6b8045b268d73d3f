// The GPU model against whole LRA workloads measured on the GPU (its validation family): prints MAPE and the
// worst errors per architecture and batch, and writes one row per run to `out` when given.
#pragma once

#include <cstdint>
#include <string>

namespace ssmsim::gpu {

// config: a --config file ("" for the model's default); max_len: skip longer rows (0: none).
int run_workload_validation(const std::string& config, const std::string& csv, const std::string& out,
                            int64_t max_len);

}  // namespace ssmsim::gpu
