// Runs a trace op by op with the reference kernels, freeing each tensor after its last reader.
#pragma once

#include <functional>
#include <vector>

#include "sim/trace/trace.h"

namespace ssmsim::reference {

struct OpStats {
    uint64_t saturations = 0;
    double wall_seconds = 0.0;  // for benchmarks and the CLI's summary; never written to report.json
};

struct Execution {
    TensorStore outputs;  // the trace's outputs, or every tensor with keep_all
    std::vector<OpStats> ops;
    uint64_t saturations = 0;
    size_t peak_bytes = 0;  // largest total of live tensors
};

using ProgressFn = std::function<void(size_t done, const std::string& op)>;
// Sees every op's outputs right after it runs, before anything is freed: calibration reads them, the
// per-op quantization sensitivity (workloads/lra/fake_quant.h) rounds them in place.
using ObserverFn = std::function<void(const OpDecl& op, TensorStore& live)>;

// `data` holds every graph input. With keep_all, no intermediate is freed (tests).
Execution execute(const Trace& trace, TensorStore data, const ProgressFn& progress = {},
                  bool keep_all = false, const ObserverFn& observer = {});

}  // namespace ssmsim::reference
