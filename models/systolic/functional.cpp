#include "models/systolic/functional.h"

#include <stdexcept>

#include "reference/op_view.h"
#include "sim/numerics/fixed_point.h"
#include "sim/ops/op_schema.h"

namespace ssmsim::systolic {

void gemm_tile(const GemmOperands& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, uint64_t& sat) {
    for (int64_t m = m0; m < m1; ++m) {
        const int8_t* xr = g.x + m * g.k;
        for (int64_t o = n0; o < n1; ++o) {
            const int8_t* wr = g.w + o * g.k;
            int32_t acc = 0;  // exact: |sum| <= 2^30 by the K limit
            for (int64_t i = 0; i < g.k; ++i) acc += int32_t{xr[i]} * int32_t{wr[i]};
            if (g.out32) {
                g.out32[m * g.n + o] = acc + (g.bias ? g.bias[o] : 0);
            } else {
                const int64_t total = int64_t{acc} + (g.bias ? g.bias[o] : 0);
                g.out8[m * g.n + o] = fx::requant(total, g.mult, g.shift, sat);
            }
        }
    }
}

namespace {

void check_range(const reference::OpView& v, size_t input, int64_t lo, int64_t hi, const char* what) {
    const Tensor& t = v.in(input);
    if (t.dtype() != DType::int32) return;
    const auto vals = t.as<int32_t>();
    for (size_t i = 0; i < vals.size(); ++i) {
        if (vals[i] < lo || vals[i] > hi) v.bad_value(input, static_cast<int64_t>(i), what, vals[i]);
    }
}

}  // namespace

void check_op_values(const Trace& trace, const OpDecl& op, TensorStore& store) {
    if (trace.numerics != Numerics::int8) return;
    reference::OpView v(trace, op, store);
    const int64_t bias = limits::kMaxBiasMagnitude;
    if ((op.kind == "linear" && op.inputs.size() == 3) || op.kind == "classifier") {
        check_range(v, 2, -bias, bias, "a bias within +-(2^30 - 1)");
    } else if (op.kind == "selective_scan") {
        check_range(v, 6, 0, 32768, "a Q1.15 decay in [0, 32768]");
    } else if (op.kind == "s4d_scan") {
        check_range(v, 1, 0, 32768, "a Q1.15 decay in [0, 32768]");
    }
}

uint64_t run_contract_kernel(const Trace& trace, const OpDecl& op, TensorStore& store) {
    const reference::Kernel kernel = reference::find_kernel(op.kind);
    if (!kernel) throw std::logic_error("systolic: no contract kernel for op kind '" + op.kind + "'");
    reference::OpView v(trace, op, store);
    kernel(v);
    return v.saturations;
}

}  // namespace ssmsim::systolic
