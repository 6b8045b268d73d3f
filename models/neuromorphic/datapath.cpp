#include "models/neuromorphic/datapath.h"

#include <stdexcept>

#include "models/neuromorphic/neurons.h"
#include "reference/op_view.h"
#include "sim/ops/value_checks.h"

namespace ssmsim::neuromorphic {

namespace {

bool is_elementwise(const std::string& k) {
    return k == "silu" || k == "softplus" || k == "exp" || k == "gelu" || k == "relu" || k == "sigmoid" ||
           k == "mul" || k == "add" || k == "gate";
}

}  // namespace

uint64_t run_op(const Trace& trace, size_t i, const Schedule& schedule, const Placement& place,
                TensorStore& store) {
    const OpDecl& op = trace.ops[i];
    reference::OpView v(trace, op, store);
    const std::string& k = op.kind;
    if (place.unit == Unit::x86) {
        // Attention is whole-op by design: its softmax needs a max and a division over the whole sequence,
        // which no neuron that sees one token at a time can do, so the model runs it on the embedded x86
        // cores, and an x86 core runs the contract's kernel (which makes its own value checks). This is
        // the model's only whole-op kernel (docs/models/neuromorphic.md, "Attention").
        if (k != "attention") throw std::logic_error("neuromorphic: only attention runs on the x86 cores");
        reference::find_kernel(k)(v);
        return v.saturations;
    }
    check_op_values(trace, op, [&](size_t n) -> const Tensor& { return v.in(n); });
    const OpPlan p{place.on, place.axis, schedule.segments[schedule.segment_of[i]].reverse};
    if (k == "linear" || k == "classifier") {
        dense_neurons(v, p);
    } else if (k == "s4d_scan") {
        s4d_neurons(v, p);
    } else if (k == "selective_scan") {
        selective_neurons(v, p);
    } else if (is_elementwise(k)) {
        elementwise_neurons(v, p);
    } else if (k == "conv1d_causal_depthwise") {
        conv_neurons(v, p);
    } else if (k == "pool") {
        pool_neurons(v, p);
    } else if (k == "rmsnorm" || k == "layernorm") {
        norm_neurons(v, p);
    } else if (k == "embedding") {
        embedding_injection(v, p);
    } else if (k == "reshape") {
        relabel_spikes(v);
    } else {
        throw std::logic_error("neuromorphic: no neuron program for op kind '" + k + "'");
    }
    return v.saturations;
}

}  // namespace ssmsim::neuromorphic
