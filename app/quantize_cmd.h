// `ssmsim quantize FLOAT_TRACE [--calibration DIR] --out INT8_TRACE` (docs/workloads.md, "Quantization"):
// the post-training quantizer the LRA builder uses, for a user's own float32 trace.
#pragma once

#include <string>

namespace ssmsim::cli {

struct QuantizeArgs {
    std::string trace;        // a float32 trace folder with data
    std::string calibration;  // .npy files replacing graph inputs of the same name for calibration ("": none)
    std::string out;          // the int8 trace folder, with quantize_report.csv
};

int cmd_quantize(const QuantizeArgs& a);

}  // namespace ssmsim::cli
