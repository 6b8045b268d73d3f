#include "models/gpu/lower_op.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace ssmsim::gpu {

namespace {

bool is_lut(const std::string& k) {
    return k == "silu" || k == "softplus" || k == "exp" || k == "gelu" || k == "relu" || k == "sigmoid";
}

}  // namespace

std::vector<uint32_t> tensor_ids(const Trace& trace) {
    std::vector<size_t> by_name(trace.tensors.size());
    std::iota(by_name.begin(), by_name.end(), size_t{0});
    std::sort(by_name.begin(), by_name.end(),
              [&](size_t a, size_t b) { return trace.tensors[a].name < trace.tensors[b].name; });
    std::vector<uint32_t> ids(trace.tensors.size());
    for (size_t rank = 0; rank < by_name.size(); ++rank) ids[by_name[rank]] = static_cast<uint32_t>(rank);
    return ids;
}

KernelShape shape_of(const Trace& trace, const std::vector<uint32_t>& ids, const OpDecl& op) {
    const auto id_of = [&](const std::string& name) {
        return ids.at(&trace.tensor(name) - trace.tensors.data());
    };
    KernelShape s;
    const bool i8 = trace.numerics == Numerics::int8;
    const auto in = [&](size_t i) -> const TensorDecl& { return trace.tensor(op.inputs.at(i)); };
    const TensorDecl& out = trace.tensor(op.outputs.at(0));
    const int64_t n = element_count(out.shape);
    for (size_t i = 0; i < 3 && i < op.inputs.size(); ++i) s.in[i] = id_of(op.inputs[i]);
    s.out = id_of(op.outputs[0]);
    s.in_bytes = static_cast<int64_t>(dtype_size(in(0).dtype));
    s.out_bytes = static_cast<int64_t>(dtype_size(out.dtype));
    s.elements = n;
    if (n == 0) return s;  // KernelKind::none
    const std::string& k = op.kind;
    if (k == "embedding") {
        s.kind = KernelKind::embedding;
        s.elements = element_count(in(0).shape);
        s.n = in(1).shape[0];
        s.d = in(1).shape[1] * static_cast<int64_t>(dtype_size(in(1).dtype));
    } else if (k == "linear" || k == "classifier") {
        s.kind = i8 ? KernelKind::gemm_i8 : KernelKind::gemm_f32;
        s.n = in(1).shape[0];
        s.k = in(1).shape[1];
        s.m = element_count(in(0).shape) / s.k;
    } else if (k == "conv1d_causal_depthwise") {
        s.kind = i8 ? KernelKind::conv1d_i8 : KernelKind::conv1d_f32;
        s.batch = in(0).shape[0];
        s.len = in(0).shape[1];
        s.ch = in(0).shape[2];
        s.taps = in(1).shape[1];
        s.in[1] = s.in[2] = kNoTensor;  // taps and bias: a few bytes, read through L1
    } else if (is_lut(k)) {
        s.kind = i8 ? KernelKind::lut_i8 : KernelKind::map_f32;
        s.in[1] = s.in[2] = kNoTensor;  // the table lives in shared memory
    } else if (k == "mul" || k == "add" || k == "gate") {
        s.kind = !i8          ? KernelKind::map_f32
                 : k == "mul" ? KernelKind::mul_i8
                 : k == "add" ? KernelKind::add_i8
                              : KernelKind::gate_i8;
        s.in[2] = kNoTensor;
    } else if (k == "rmsnorm" || k == "layernorm") {
        s.kind = i8 ? KernelKind::norm_i8 : KernelKind::norm_f32;
        s.d = in(1).shape[0];
        s.center = k == "layernorm";
        s.in[1] = s.in[2] = kNoTensor;
    } else if (k == "selective_scan" || k == "s4d_scan") {
        const bool sel = k == "selective_scan";
        s.kind = sel ? (i8 ? KernelKind::selective_scan_i8 : KernelKind::selective_scan_f32)
                     : (i8 ? KernelKind::s4d_scan_i8 : KernelKind::s4d_scan_f32);
        s.batch = in(0).shape[0];
        s.len = in(0).shape[1];
        s.ch = in(0).shape[2];
        if (sel) {
            s.state = in(2).shape[1];
            s.in[2] = kNoTensor;
            s.aux[0] = id_of(op.inputs[3]);
            s.aux[1] = id_of(op.inputs[4]);
            const size_t z = i8 ? 7 : 6;
            s.gated = op.inputs.size() > z;
            if (s.gated) s.aux[2] = id_of(op.inputs[z]);
            if (i8) s.table = in(6).shape[0];
        } else {
            s.state = in(1).shape[1];
            s.in[1] = s.in[2] = kNoTensor;
        }
    } else if (k == "attention") {
        s.kind = i8 ? KernelKind::attention_i8 : KernelKind::attention_f32;
        s.batch = in(0).shape[0];
        s.len = in(0).shape[1];
        s.ch = in(0).shape[2];
        s.heads = op.attrs.at("heads").get<int64_t>();
        s.causal = op.attrs.value("causal", false);
        s.aux[0] = s.in[2];
        s.in[2] = kNoTensor;
    } else if (k == "pool") {
        s.kind = KernelKind::pool;
        s.batch = in(0).shape[0];
        s.len = in(0).shape[1];
        s.ch = in(0).shape[2];
    } else if (k == "reshape") {
        s.kind = KernelKind::copy;  // cudaMemcpyAsync device to device
        s.elements = out.nbytes();
        s.in_bytes = s.out_bytes = 1;
    } else {
        throw std::logic_error("gpu: no kernel for op kind '" + k + "'");
    }
    return s;
}

}  // namespace ssmsim::gpu
