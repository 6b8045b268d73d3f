#include "sim/ops/op_schema.h"

#include <array>

#include <fmt/format.h>

#include "sim/ops/op_check.h"

namespace ssmsim {

namespace {

using L = OpCheck;
namespace lim = limits;

int64_t bytes_of(const Trace& t, const std::vector<std::string>& names) {
    int64_t n = 0;
    for (const auto& name : names) n += t.tensor(name).nbytes();
    return n;
}

OpCost io_cost(const Trace& t, const OpDecl& op, int64_t macs, int64_t vector_ops) {
    return {macs, vector_ops, bytes_of(t, op.inputs), bytes_of(t, op.outputs)};
}

int64_t elements(const Trace& t, const std::string& name) { return element_count(t.tensor(name).shape); }

// [B, L, D] activations: batch, then sequence, then channels.
void check_sequence(const L& c, const char* name) {
    c.rank(name, 3);
    c.dim_at_most(name, 1, lim::kMaxSeqLen, "time steps");
}

// ---- embedding -----------------------------------------------------------------------------------------
void check_embedding(const OpSite& s) {
    L c(s, {{"tokens", Role::tokens}, {"table", Role::w8}});
    c.rank("tokens", 2);
    c.dim_at_most("tokens", 1, lim::kMaxSeqLen, "time steps");
    c.rank("table", 2);
    const Shape& tok = c.shape("tokens");
    c.output(0, {tok[0], tok[1], c.shape("table")[1]}, c.act_dtype());
}
OpCost cost_embedding(const Trace& t, const OpDecl& op) {
    return io_cost(t, op, 0, elements(t, op.outputs[0]));
}

// ---- linear --------------------------------------------------------------------------------------------
void check_linear(const OpSite& s) {
    L c(s, {{"x", Role::act}, {"w", Role::w8}, {"bias", Role::w32, true}});
    c.rank_at_least("x", 1);
    c.rank("w", 2);
    const Shape& x = c.shape("x");
    const Shape& w = c.shape("w");
    c.dim("w", 1, x.back(), "in_features, the last dimension of x");
    c.dim_at_most("w", 1, lim::kMaxReduction, "in_features (K)");
    if (c.has("bias")) {
        c.rank("bias", 1);
        c.dim("bias", 0, w[0], "out_features, the rows of w");
    }
    c.requant_attrs();
    Shape out = x;
    out.back() = w[0];
    c.output(0, out, c.act_dtype());
}
OpCost cost_linear(const Trace& t, const OpDecl& op) {
    const auto& w = t.tensor(op.inputs[1]).shape;
    const int64_t rows = elements(t, op.inputs[0]) / w[1];
    return io_cost(t, op, rows * w[0] * w[1], rows * w[0]);
}

// ---- conv1d_causal_depthwise ---------------------------------------------------------------------------
void check_conv(const OpSite& s) {
    L c(s, {{"x", Role::act}, {"w", Role::w8}, {"bias", Role::w32, true}});
    check_sequence(c, "x");
    c.rank("w", 2);
    c.dim("w", 0, c.shape("x")[2], "channels of x");
    c.dim_at_most("w", 1, lim::kMaxConvWidth, "taps");
    if (c.has("bias")) {
        c.rank("bias", 1);
        c.dim("bias", 0, c.shape("x")[2], "channels of x");
    }
    c.requant_attrs();
    c.output_like(0, "x");
}
OpCost cost_conv(const Trace& t, const OpDecl& op) {
    const int64_t n = elements(t, op.inputs[0]);
    return io_cost(t, op, n * t.tensor(op.inputs[1]).shape[1], n);
}

// ---- elementwise LUT ops: silu, softplus, exp, gelu, relu, sigmoid
// ------------------------------------------------------
void check_lut(const OpSite& s) {
    L c(s, {{"x", Role::act}, {"lut", Role::lut8}});
    c.output_like(0, "x");
}
OpCost cost_elementwise(const Trace& t, const OpDecl& op) {
    return io_cost(t, op, 0, elements(t, op.outputs[0]));
}

void check_mul(const OpSite& s) {
    L c(s, {{"a", Role::act}, {"b", Role::act}});
    c.same_shape("a", "b");
    c.requant_attrs();
    c.output_like(0, "a");
}

void check_add(const OpSite& s) {
    L c(s, {{"a", Role::act}, {"b", Role::act}});
    c.same_shape("a", "b");
    if (c.int_mode()) {
        c.attr_int("mult_a", -lim::kMaxMult, lim::kMaxMult);  // a negative multiplier subtracts
        c.attr_int("mult_b", -lim::kMaxMult, lim::kMaxMult);
        c.attr_int("shift", 0, lim::kMaxShift);
    }
    c.output_like(0, "a");
}

void check_gate(const OpSite& s) {
    L c(s, {{"a", Role::act}, {"z", Role::act}, {"lut", Role::lut8}});
    c.same_shape("a", "z");
    c.attr_enum_or("fn", {"silu", "sigmoid"}, "silu");
    c.requant_attrs();
    c.output_like(0, "a");
}

// ---- norms -----------------------------------------------------------------------------------------------
void check_norm_common(L& c) {
    c.rank_at_least("x", 1);
    const int64_t d = c.shape("x").back();
    c.rank("gamma", 1);
    c.dim_at_most("gamma", 0, lim::kMaxReduction, "channels");
    c.dim("gamma", 0, d, "channels, the last dimension of x");
    if (c.has("beta")) {
        c.rank("beta", 1);
        c.dim("beta", 0, d, "channels, the last dimension of x");
    }
    if (c.int_mode()) {
        c.attr_int("eps", 1, int64_t{1} << 40);
        c.requant_attrs("mult", "shift", lim::kMaxNormMult);
    } else {
        c.attr_number("eps", 1e-12, 1.0);  // 0 would divide by zero on an all-zero row
    }
    c.output_like(0, "x");
}
void check_rmsnorm(const OpSite& s) {
    L c(s, {{"x", Role::act}, {"gamma", Role::w8}});
    check_norm_common(c);
}
void check_layernorm(const OpSite& s) {
    L c(s, {{"x", Role::act}, {"gamma", Role::w8}, {"beta", Role::w32}});
    check_norm_common(c);
}
OpCost cost_norm(const Trace& t, const OpDecl& op) {
    return io_cost(t, op, 0, 4 * elements(t, op.inputs[0]));
}

// ---- scans -----------------------------------------------------------------------------------------------
void check_selective_scan(const OpSite& s) {
    L c(s, {{"u", Role::act},
            {"delta", Role::act},
            {"A", Role::w16},
            {"B", Role::act},
            {"C", Role::act},
            {"D", Role::w32},
            {"exp_table", Role::table32},
            {"z", Role::act, true},
            {"silu_lut", Role::lut8, true}});
    check_sequence(c, "u");
    c.same_shape("u", "delta");
    const Shape& u = c.shape("u");
    c.rank("A", 2);
    c.dim("A", 0, u[2], "channels of u");
    c.dim_at_most("A", 1, lim::kMaxState, "states (N)");
    const int64_t n = c.shape("A")[1];
    for (const char* bc : {"B", "C"}) {
        c.rank(bc, 3);
        c.dim(bc, 0, u[0], "batch of u");
        c.dim(bc, 1, u[1], "time steps of u");
        c.dim(bc, 2, n, "states, the columns of A");
    }
    c.rank("D", 1);
    c.dim("D", 0, u[2], "channels of u");
    if (c.has("z")) c.same_shape("u", "z");
    c.attr_bool_or("reverse", false);
    if (c.int_mode()) {
        c.attr_int("exp_shift", 0, 40);
        c.attr_int("y_shift", 0, lim::kMaxShift);
        c.requant_attrs();
        if (c.has("z")) c.requant_attrs("gate_mult", "gate_shift");
    }
    c.output_like(0, "u");
}
OpCost cost_selective_scan(const Trace& t, const OpDecl& op) {
    const int64_t steps = elements(t, op.inputs[0]) * t.tensor(op.inputs[2]).shape[1];
    return io_cost(t, op, 3 * steps, steps + 2 * elements(t, op.inputs[0]));
}

void check_s4d_scan(const OpSite& s) {
    L c(s, {{"u", Role::act}, {"Abar", Role::w32}, {"Bbar", Role::w16}, {"C", Role::w16}, {"D", Role::w32}});
    check_sequence(c, "u");
    const int64_t h = c.shape("u")[2];
    c.rank("Abar", 2);
    c.dim("Abar", 0, h, "channels of u");
    c.dim_at_most("Abar", 1, lim::kMaxState, "states (N)");
    const int64_t n = c.shape("Abar")[1];
    for (const char* m : {"Bbar", "C"}) {
        c.rank(m, 2);
        c.dim(m, 0, h, "channels of u");
        c.dim(m, 1, n, "states, the columns of Abar");
    }
    c.rank("D", 1);
    c.dim("D", 0, h, "channels of u");
    c.attr_bool_or("reverse", false);
    if (c.int_mode()) {
        c.attr_int("y_shift", 0, lim::kMaxShift);
        c.requant_attrs();
    }
    c.output_like(0, "u");
}
OpCost cost_s4d_scan(const Trace& t, const OpDecl& op) {
    const int64_t steps = elements(t, op.inputs[0]) * t.tensor(op.inputs[1]).shape[1];
    return io_cost(t, op, 3 * steps, elements(t, op.inputs[0]));
}

// ---- attention -------------------------------------------------------------------------------------------
void check_attention(const OpSite& s) {
    L c(s, {{"q", Role::act}, {"k", Role::act}, {"v", Role::act}, {"exp_table", Role::table32}});
    check_sequence(c, "q");
    c.same_shape("q", "k");
    c.same_shape("q", "v");
    const int64_t width = c.shape("q")[2];
    const int64_t heads = c.attr_int("heads", 1, width);
    if (width % heads != 0) {
        c.reject_attr("heads", fmt::format("a divisor of the width {} of q", width), std::to_string(heads));
    }
    if (width / heads > lim::kMaxHeadDim) {
        c.reject_attr("heads", fmt::format("head width at most {}", lim::kMaxHeadDim), std::to_string(heads));
    }
    c.attr_bool_or("causal", false);
    if (c.int_mode()) {
        c.attr_int("score_mult", 0, lim::kMaxMult);
        c.attr_int("score_shift", 0, lim::kMaxShift);
    } else {
        c.attr_number("scale", 0.0, 1e6);
    }
    c.output_like(0, "q");
}
OpCost cost_attention(const Trace& t, const OpDecl& op) {
    const Shape& q = t.tensor(op.inputs[0]).shape;
    const bool causal = op.attrs.value("causal", false);
    const int64_t pairs = causal ? q[1] * (q[1] + 1) / 2 : q[1] * q[1];
    const int64_t heads = op.attrs.value("heads", int64_t{1});
    return io_cost(t, op, 2 * q[0] * pairs * q[2], 3 * q[0] * heads * pairs);
}

// ---- pool, classifier, reshape ---------------------------------------------------------------------------
void check_pool(const OpSite& s) {
    L c(s, {{"x", Role::act}});
    check_sequence(c, "x");
    c.requant_attrs();
    const Shape& x = c.shape("x");
    c.output(0, {x[0], x[2]}, c.act_dtype());
}

void check_classifier(const OpSite& s) {
    L c(s, {{"x", Role::act}, {"w", Role::w8}, {"bias", Role::w32}});
    c.rank("x", 2);
    c.rank("w", 2);
    c.dim("w", 1, c.shape("x")[1], "features, the columns of x");
    c.dim_at_most("w", 1, lim::kMaxReduction, "features (K)");
    c.rank("bias", 1);
    c.dim("bias", 0, c.shape("w")[0], "classes, the rows of w");
    c.output(0, {c.shape("x")[0], c.shape("w")[0]}, c.int_mode() ? DType::int32 : DType::float32);
}

void check_reshape(const OpSite& s) {
    L c(s, {{"x", Role::act}});
    const Shape shape = c.attr_shape("shape");
    if (element_count(shape) != element_count(c.shape("x"))) {
        c.reject_attr(
            "shape",
            fmt::format("{} elements, as in x {}", element_count(c.shape("x")), shape_str(c.shape("x"))),
            fmt::format("{} ({} elements)", shape_str(shape), element_count(shape)));
    }
    c.output(0, shape, c.act_dtype());
}
OpCost cost_free(const Trace& t, const OpDecl& op) { return io_cost(t, op, 0, 0); }

const std::array kSchemas = {
    OpSchema{"embedding", "table lookup of int32 tokens", check_embedding, cost_embedding},
    OpSchema{"linear", "GEMM with bias and requantization", check_linear, cost_linear},
    OpSchema{"conv1d_causal_depthwise", "causal depthwise 1-D convolution", check_conv, cost_conv},
    OpSchema{"silu", "x * sigmoid(x) by lookup table", check_lut, cost_elementwise},
    OpSchema{"softplus", "log(1 + e^x) by lookup table", check_lut, cost_elementwise},
    OpSchema{"exp", "e^x by lookup table", check_lut, cost_elementwise},
    OpSchema{"gelu", "GELU (tanh form) by lookup table", check_lut, cost_elementwise},
    OpSchema{"relu", "max(x, 0) by lookup table", check_lut, cost_elementwise},
    OpSchema{"sigmoid", "1 / (1 + e^-x) by lookup table", check_lut, cost_elementwise},
    OpSchema{"mul", "elementwise product, requantized", check_mul, cost_elementwise},
    OpSchema{"add", "elementwise sum with two input scales", check_add, cost_elementwise},
    OpSchema{"gate", "a * f(z), f = silu (Mamba) or sigmoid (GLU) by lookup table", check_gate,
             cost_elementwise},
    OpSchema{"rmsnorm", "RMS normalisation", check_rmsnorm, cost_norm},
    OpSchema{"layernorm", "layer normalisation", check_layernorm, cost_norm},
    OpSchema{"selective_scan", "Mamba S6 scan with D skip and optional z gate", check_selective_scan,
             cost_selective_scan},
    OpSchema{"s4d_scan", "LTI diagonal SSM scan (S4D)", check_s4d_scan, cost_s4d_scan},
    OpSchema{"attention", "multi-head attention with integer softmax", check_attention, cost_attention},
    OpSchema{"pool", "mean over time", check_pool, cost_elementwise},
    OpSchema{"classifier", "final GEMM to int32 logits", check_classifier, cost_linear},
    OpSchema{"reshape", "new shape, same elements", check_reshape, cost_free},
};

}  // namespace

const OpSchema* find_op_schema(std::string_view kind) {
    for (const OpSchema& s : kSchemas) {
        if (s.kind == kind) return &s;
    }
    return nullptr;
}

OpCost total_cost(const Trace& trace) {
    OpCost sum;
    for (const auto& op : trace.ops) {
        const OpCost c = find_op_schema(op.kind)->cost(trace, op);
        sum.macs += c.macs;
        sum.vector_ops += c.vector_ops;
        sum.bytes_read += c.bytes_read;
        sum.bytes_written += c.bytes_written;
    }
    return sum;
}

std::vector<std::string_view> op_kinds() {
    std::vector<std::string_view> out;
    for (const OpSchema& s : kSchemas) out.push_back(s.kind);
    return out;
}

}  // namespace ssmsim
