#include "models/neuromorphic/functional.h"

#include <set>
#include <stdexcept>

#include "models/neuromorphic/datapath.h"
#include "models/neuromorphic/sigma_delta.h"
#include "sim/report/report.h"

namespace ssmsim::neuromorphic {

bool is_activation_input(const Trace& trace, const OpDecl& op, size_t k) {
    if (op.kind == "embedding") return k == 0;  // token ids arrive from the host each timestep
    return !trace.tensor(op.inputs[k]).is_graph_input();
}

namespace {

bool reverse_of(const Schedule& s, size_t op) { return s.segments[s.segment_of[op]].reverse; }

// Changes per row of an int8 tensor as a receiver walking it in `reverse` order sees them.
std::vector<int32_t> changes_per_row(std::span<const int8_t> x, const TimeAxis& a, bool reverse) {
    std::vector<int32_t> out(static_cast<size_t>(a.rows()), 0);
    for (int64_t b = 0; b < a.batch; ++b) {
        const int8_t* prev = nullptr;
        for (int64_t s = 0; s < a.steps; ++s) {
            const int64_t row = b * a.steps + (reverse ? a.steps - 1 - s : s);
            const int8_t* v = x.data() + row * a.channels;
            int32_t n = 0;
            for (int64_t c = 0; c < a.channels; ++c) n += v[c] != (prev ? prev[c] : 0);
            out[row] = n;
            prev = v;
        }
    }
    return out;
}

}  // namespace

Activity dense_activity(const Trace& trace, const Schedule& schedule) {
    (void)schedule;
    Activity act;
    act.dense = true;
    act.input_changes.resize(trace.ops.size());
    act.output_spikes.resize(trace.ops.size());
    act.saturations.assign(trace.ops.size(), 0);
    const std::set<std::string> outs(trace.outputs.begin(), trace.outputs.end());
    for (size_t i = 0; i < trace.ops.size(); ++i) {
        const OpDecl& op = trace.ops[i];
        act.input_changes[i].resize(op.inputs.size());
        for (size_t k = 0; k < op.inputs.size(); ++k) {
            if (!is_activation_input(trace, op, k)) continue;
            const TimeAxis a =
                op.kind == "embedding" ? op_axis(trace, op) : time_axis(trace.tensor(op.inputs[k]));
            const int32_t per_row = op.kind == "embedding" ? 1 : static_cast<int32_t>(a.channels);
            act.input_changes[i][k].assign(static_cast<size_t>(a.rows()), per_row);
        }
        const TimeAxis o = time_axis(trace.tensor(op.outputs[0]));
        act.output_spikes[i].assign(static_cast<size_t>(o.rows()), static_cast<int32_t>(o.channels));
        if (!outs.count(op.outputs[0]) && op.kind != "reshape") {
            act.encoded_values += o.rows() * o.channels;
            act.spikes += o.rows() * o.channels;
        }
    }
    act.max_payload = 255;
    return act;
}

FunctionalResult run_functional(const Trace& trace, const Schedule& schedule, const Mapping& mapping,
                                const Spec& spec, TensorStore store, bool hash_ops,
                                const std::function<void(size_t)>& on_op) {
    if (trace.numerics != Numerics::int8) throw std::logic_error("neuromorphic: int8 traces only");
    FunctionalResult r;
    Activity& act = r.activity;
    act.input_changes.resize(trace.ops.size());
    act.output_spikes.resize(trace.ops.size());
    act.saturations.assign(trace.ops.size(), 0);
    if (hash_ops) r.op_sha256.resize(trace.ops.size());
    const std::set<std::string> outs(trace.outputs.begin(), trace.outputs.end());
    for (size_t i = 0; i < trace.ops.size(); ++i) {
        const OpDecl& op = trace.ops[i];
        const bool reverse = reverse_of(schedule, i);
        // What each input brings, as the op's neurons receive it (its token order).
        act.input_changes[i].resize(op.inputs.size());
        for (size_t k = 0; k < op.inputs.size(); ++k) {
            if (!is_activation_input(trace, op, k)) continue;
            const TensorDecl& d = trace.tensor(op.inputs[k]);
            const TimeAxis a = op.kind == "embedding" ? op_axis(trace, op) : time_axis(d);
            if (op.kind == "embedding") {
                act.input_changes[i][k].assign(static_cast<size_t>(a.rows()), 1);
            } else if (d.dtype == DType::int8) {
                act.input_changes[i][k] = changes_per_row(store.at(d.name).as<int8_t>(), a, reverse);
            } else {
                act.input_changes[i][k].assign(static_cast<size_t>(a.rows()),
                                               static_cast<int32_t>(a.channels));
            }
        }
        act.saturations[i] = run_op(trace, i, schedule, mapping.ops[i], store);

        // The output crosses to its consumers as sigma-delta spikes (graph outputs go to the host as they
        // are; a reshape relabels spikes that were already encoded).
        const TensorDecl& od = trace.tensor(op.outputs[0]);
        const TimeAxis oa = time_axis(od);
        Tensor& out = store.at(od.name);
        if (!outs.count(od.name) && op.kind != "reshape" && od.dtype == DType::int8) {
            Encoded e = sigma_delta_encode(out.as<int8_t>(), oa, reverse, spec.threshold);
            act.output_spikes[i] = std::move(e.spikes_per_row);
            act.spikes += e.spikes;
            act.encoded_values += oa.rows() * oa.channels;
            act.max_payload = std::max(act.max_payload, e.max_payload);
        } else {
            act.output_spikes[i].assign(static_cast<size_t>(oa.rows()), static_cast<int32_t>(oa.channels));
        }
        if (hash_ops) r.op_sha256[i] = op_output_sha256(op, store);
        // Free what no later op reads.
        for (const auto& name : op.inputs) {
            const TensorDecl& t = trace.tensor(name);
            if (t.last_reader == static_cast<int>(i) && !outs.count(name)) store.erase(name);
        }
        if (on_op) on_op(i + 1);
    }
    for (const auto& name : trace.outputs) r.outputs.emplace(name, std::move(store.at(name)));
    return r;
}

}  // namespace ssmsim::neuromorphic
