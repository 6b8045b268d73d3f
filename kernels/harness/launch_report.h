// `ssmsim-cuda launch`: what the GPU spends between kernels, measured in the three ways ssmsim times work:
// nodes of one CUDA Graph (whole runs), back-to-back launches of one stream (the kernel grid), and launches
// with an event after each (per-op timing); with empty kernels and with kernels busy for 5 and 20 us (does a
// launch's cost hide behind the kernel before it?). The GPU model's launch gaps (launch.*, docs/models/gpu.md).
#pragma once

#include <string>

namespace ssmsim::cuda {

// Prints the figures; writes them as JSON to `json_out` when it is not empty.
int run_launch_report(const std::string& json_out);

}  // namespace ssmsim::cuda
