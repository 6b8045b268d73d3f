// How the trace runs in algorithmic timesteps. One timestep is one token: every op's neurons update once
// and the spikes they send arrive at the next op for the next timestep (a pipeline, one stage per op).
// Ops that need a whole sequence before their first output end the pipeline: a scan that runs backwards in
// time, attention (the x86 fallback), and the ops after pooling, which run once per sample. The trace is
// cut there into segments; what crosses a cut is buffered (docs/models/neuromorphic.md, "Schedule").
#pragma once

#include <cstdint>
#include <vector>

#include "sim/trace/trace.h"

namespace ssmsim::neuromorphic {

enum class SegmentKind { stream, sample, host };

struct Segment {
    SegmentKind kind = SegmentKind::stream;
    bool reverse = false;     // stream segments: tokens run from the last to the first
    std::vector<size_t> ops;  // trace op indices, in trace order
    int64_t steps = 1;        // timesteps of data: batch x sequence (stream), rows (sample), 1 (host)
    int64_t depth = 0;        // pipeline stages (ops that compute)
};

// The time axis of a tensor as the model sees it: `rows` = batch x steps rows of `channels` elements.
struct TimeAxis {
    int64_t batch = 1, steps = 1, channels = 1;
    int64_t rows() const { return batch * steps; }
};
TimeAxis time_axis(const TensorDecl& t);  // [B, L, C]: (B, L, C); [R, C]: (R, 1, C); [C]: (1, 1, C)

struct Schedule {
    std::vector<Segment> segments;
    std::vector<int> segment_of;  // per op
    std::vector<int> stage_of;    // per op: pipeline stage within its segment (-1: no compute)
};

Schedule make_schedule(const Trace& trace);

const char* segment_kind_name(SegmentKind k);

}  // namespace ssmsim::neuromorphic
