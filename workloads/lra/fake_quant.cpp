#include "workloads/lra/fake_quant.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "reference/executor.h"

namespace ssmsim::workloads {

namespace {

constexpr double kScaleFloor = 1e-12;  // the quantizer's floor on a scale

void round_to_int8_grid(Tensor& t, double absmax) {
    const double s = std::max(absmax, kScaleFloor) / 127.0;
    for (float& x : t.as<float>()) x = static_cast<float>(std::clamp(std::round(x / s), -127.0, 127.0) * s);
}

double max_abs_value(const Tensor& t) {
    double m = 0.0;
    for (float x : t.as<float>()) m = std::max(m, static_cast<double>(std::fabs(x)));
    return m;
}

}  // namespace

bool has_int8_weight(const std::string& kind) {
    return kind == "embedding" || kind == "linear" || kind == "conv1d_causal_depthwise" ||
           kind == "classifier";
}

void fake_quantize_weights(const Trace& ft, TensorStore& data, const std::set<std::string>& kinds) {
    std::set<std::string> done;
    for (const auto& op : ft.ops) {
        if (!kinds.count(op.kind) || !has_int8_weight(op.kind) || op.inputs.size() < 2) continue;
        const std::string& w = op.inputs[1];
        if (!done.insert(w).second) continue;
        Tensor& t = data.at(w);
        round_to_int8_grid(t, max_abs_value(t));
    }
}

TensorStore run_fake_quant(const Trace& ft, TensorStore data, const std::set<std::string>& kinds,
                           const AbsMax& absmax) {
    if (ft.numerics != Numerics::float32)
        throw std::invalid_argument("fake quantization: expected a float32 trace");
    auto round_outputs = [&](const OpDecl& op, TensorStore& live) {
        if (!kinds.count(op.kind) || op.kind == "classifier") return;
        for (const auto& o : op.outputs) {
            const auto it = absmax.find(o);
            if (it == absmax.end())
                throw std::logic_error("fake quantization: no calibration for '" + o + "'");
            round_to_int8_grid(live.at(o), it->second);
        }
    };
    return reference::execute(ft, std::move(data), {}, false, round_outputs).outputs;
}

}  // namespace ssmsim::workloads
