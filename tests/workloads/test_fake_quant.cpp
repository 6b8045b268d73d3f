// The per-op quantization sensitivity (`accuracy --fake-quant`): no kind chosen is the float32 run itself;
// a chosen kind's int8 weights land on their per-tensor grid and nothing else is touched; its outputs change
// the logits, and a kind the trace lacks changes nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "reference/executor.h"
#include "workloads/lra/fake_quant.h"
#include "workloads/lra/lra.h"

using namespace ssmsim;
using namespace ssmsim::workloads;

namespace {

Workload float_mamba() {
    WorkloadSpec s;
    s.task = Task::listops, s.arch = Arch::mamba, s.seed = 3, s.seq_len = 64, s.numerics = Numerics::float32;
    return build_lra(s);
}

std::vector<std::byte> logits_bytes(const Trace& t, const TensorStore& out) {
    const auto b = out.at(t.outputs.front()).bytes();
    return {b.begin(), b.end()};
}

TEST(FakeQuant, NoKindIsTheFloat32Run) {
    const Workload w = float_mamba();
    const auto absmax = calibrate(w.trace, w.data);
    const auto plain = reference::execute(w.trace, w.data).outputs;
    EXPECT_EQ(logits_bytes(w.trace, run_fake_quant(w.trace, w.data, {}, absmax)),
              logits_bytes(w.trace, plain));
    EXPECT_EQ(logits_bytes(w.trace, run_fake_quant(w.trace, w.data, {"attention"}, absmax)),
              logits_bytes(w.trace, plain));
    EXPECT_NE(logits_bytes(w.trace, run_fake_quant(w.trace, w.data, {"softplus"}, absmax)),
              logits_bytes(w.trace, plain));
}

TEST(FakeQuant, WeightsOfTheChosenKindOnly) {
    const Workload w = float_mamba();
    TensorStore data = w.data;
    fake_quantize_weights(w.trace, data, {"linear"});
    int linear = 0, untouched = 0;
    for (const auto& op : w.trace.ops) {
        if (op.kind == "linear") {
            ++linear;
            const auto q = data.at(op.inputs[1]).as<float>();
            double m = 0;
            for (float x : w.data.at(op.inputs[1]).as<float>()) m = std::max(m, double{std::fabs(x)});
            const double s = m / 127.0;
            for (float x : q) {
                const double k = x / s;
                ASSERT_NEAR(k, std::round(k), 1e-3) << op.name;
                ASSERT_LE(std::fabs(k), 127.0 + 1e-3) << op.name;
            }
        } else if (op.kind == "conv1d_causal_depthwise") {
            ++untouched;
            const auto a = w.data.at(op.inputs[1]).bytes();
            const auto b = std::as_const(data).at(op.inputs[1]).bytes();
            EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << op.name;
        }
    }
    EXPECT_GT(linear, 0);
    EXPECT_GT(untouched, 0);
}

}  // namespace
