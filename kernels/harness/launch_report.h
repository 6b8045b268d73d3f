// `ssmsim-cuda launch`: what the GPU spends between kernels, measured with empty kernels in the three ways
// ssmsim times work: nodes of one CUDA Graph (whole runs), back-to-back launches of one stream (the kernel
// grid), and launches with an event pair around each (per-op timing). The GPU model's launch gap
// (launch.kernel_ns, docs/models/gpu.md) is the first.
#pragma once

#include <string>

namespace ssmsim::cuda {

// Prints the figures; writes them as JSON to `json_out` when it is not empty.
int run_launch_report(const std::string& json_out);

}  // namespace ssmsim::cuda
