#include "models/neuromorphic/schedule.h"

#include <algorithm>

namespace ssmsim::neuromorphic {

TimeAxis time_axis(const TensorDecl& t) {
    const Shape& s = t.shape;
    if (s.size() >= 3) return {s[0], element_count(s) / (s[0] * s.back()), s.back()};
    if (s.size() == 2) return {s[0], 1, s[1]};
    return {1, 1, s.empty() ? 1 : s[0]};
}

const char* segment_kind_name(SegmentKind k) {
    switch (k) {
        case SegmentKind::stream:
            return "stream";
        case SegmentKind::sample:
            return "sample";
        case SegmentKind::host:
            return "host";
    }
    return "?";
}

namespace {

enum class Direction { any, forward, backward };

// Ops whose state carries from one token to the next, and the direction they need.
Direction needs_direction(const OpDecl& op) {
    if (op.kind == "s4d_scan" || op.kind == "selective_scan")
        return op.attrs.value("reverse", false) ? Direction::backward : Direction::forward;
    if (op.kind == "conv1d_causal_depthwise" || op.kind == "pool") return Direction::forward;
    return Direction::any;
}

bool on_sequence(const Trace& trace, const OpDecl& op) {
    // pool reads a sequence and emits once: it belongs to the stream that feeds it.
    const TensorDecl& in = trace.tensor(op.inputs[0]);
    const TensorDecl& out = trace.tensor(op.outputs[0]);
    return out.shape.size() >= 3 || (op.kind == "pool" && in.shape.size() >= 3) || op.kind == "embedding";
}

}  // namespace

Schedule make_schedule(const Trace& trace) {
    Schedule s;
    s.segment_of.assign(trace.ops.size(), -1);
    s.stage_of.assign(trace.ops.size(), -1);
    Direction dir = Direction::any;
    auto open = [&](SegmentKind k) {
        s.segments.push_back({});
        s.segments.back().kind = k;
        dir = Direction::any;
    };
    for (size_t i = 0; i < trace.ops.size(); ++i) {
        const OpDecl& op = trace.ops[i];
        if (op.kind == "attention") {
            open(SegmentKind::host);
        } else if (on_sequence(trace, op)) {
            const Direction need = needs_direction(op);
            const bool fits = !s.segments.empty() && s.segments.back().kind == SegmentKind::stream &&
                              (need == Direction::any || dir == Direction::any || need == dir);
            if (!fits) open(SegmentKind::stream);
            if (need != Direction::any) dir = need;
            s.segments.back().reverse = dir == Direction::backward;
        } else if (s.segments.empty() || s.segments.back().kind != SegmentKind::sample) {
            open(SegmentKind::sample);
        }
        Segment& seg = s.segments.back();
        s.segment_of[i] = static_cast<int>(s.segments.size() - 1);
        if (op.kind != "reshape") s.stage_of[i] = static_cast<int>(seg.depth++);
        seg.ops.push_back(i);
        // Steps: the longest time axis among the segment's tensors.
        const TimeAxis a = time_axis(trace.tensor(op.kind == "pool" ? op.inputs[0] : op.outputs[0]));
        seg.steps = std::max(seg.steps, seg.kind == SegmentKind::host ? 1 : a.rows());
    }
    return s;
}

}  // namespace ssmsim::neuromorphic
