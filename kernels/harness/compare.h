// The GPU run against the C++ reference on the same trace and data. int8: every op's output byte for byte
// and every op's saturation count. float32: each output within a relative L2 tolerance (stated, not bit for
// bit: docs/numerics.md, "float32 mode"), and each op's error reported.
#pragma once

#include <nlohmann/json.hpp>

#include "kernels/harness/gpu_executor.h"

namespace ssmsim::cuda {

struct Comparison {
    bool ok = true;
    std::string summary;            // one line for the terminal
    nlohmann::ordered_json detail;  // per op
};

// `gpu` must come from a run with keep_all.
Comparison compare_with_reference(const Trace& trace, const TensorStore& data, const GpuRun& gpu,
                                  double float_tolerance);

// ||a - b|| / ||b|| and max |a - b| over two float32 tensors of the same shape.
struct FloatError {
    double rel_l2 = 0.0, max_abs = 0.0;
};
FloatError float_error(const Tensor& a, const Tensor& b);

}  // namespace ssmsim::cuda
