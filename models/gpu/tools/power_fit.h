// `ssmsim-gpu-calibrate fit-power`: the GPU model's power model fitted on board power measured over the
// kernel grid (reference/gpu-timings/h200-power.csv, ssmsim-cuda bench --power). Never reads the whole-
// workload power runs (h200-lra-power.csv): those are its validation family (docs/models/gpu.md, "Energy").
#pragma once

#include <string>

namespace ssmsim::gpu {

// Prints the fitted energy.* keys (key=value lines, for the config) and the calibration rows' errors;
// with `out`, also writes every calibration row's measured and fitted power there.
int run_power_fit(const std::string& config, const std::string& csv, const std::string& out);

}  // namespace ssmsim::gpu
