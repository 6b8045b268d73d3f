// Runs a whole trace on the GPU: one checked pass that produces the outputs, every op's saturation count
// and output hash, then timed passes (CUDA events around every op, after warm-up; median of the repeats),
// and optionally the whole trace captured once as a CUDA Graph and timed replay by replay.
#pragma once

#include <string>
#include <vector>

#include "kernels/harness/board_power.h"
#include "sim/trace/trace.h"

namespace ssmsim::cuda {

struct GpuRunOptions {
    int warmup = 2;   // untimed passes before the timed ones
    int repeat = 10;  // timed passes; each op's time is the median over them
    bool op_hashes = true;
    bool keep_all = false;  // download every op's output too (comparisons op by op)
    bool graph = false;     // also time the whole trace launched as one CUDA Graph (end-to-end latency)
    double power_s = 0;     // > 0 (with graph): replay the graph back to back this long, reading board power
};

struct GpuOpResult {
    uint64_t saturations = 0;
    std::string output_sha256;  // of the op's output tensor (when op_hashes)
    double median_ms = 0.0, min_ms = 0.0, max_ms = 0.0;
};

struct GpuRun {
    TensorStore outputs;  // the trace's outputs, downloaded after the checked pass
    TensorStore all;      // every op's output, with keep_all
    std::vector<GpuOpResult> ops;
    uint64_t saturations = 0;
    double total_median_ms = 0.0;  // first op's start to last op's end, median over repeats
    double graph_median_ms = 0.0;  // one replay of the whole trace as a CUDA Graph (with `graph`), median
    double graph_min_ms = 0.0, graph_max_ms = 0.0;
    int warmup = 0, repeat = 0;
    PowerWindow power;             // with power_s: the board while the graph replays back to back
    double power_replay_ms = 0.0;  // the mean replay time in that window (window / replays)
};

GpuRun run_on_gpu(const Trace& trace, const TensorStore& data, const GpuRunOptions& options);

}  // namespace ssmsim::cuda
