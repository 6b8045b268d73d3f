#include "kernels/harness/compare.h"

#include <fmt/format.h>

#include <cmath>

#include "reference/executor.h"
#include "sim/util/sha256.h"

namespace ssmsim::cuda {

namespace {

// First differing element of two tensors of one dtype, as "index i: gpu X, reference Y".
std::string first_difference(const Tensor& gpu, const Tensor& ref) {
    const size_t esize = dtype_size(gpu.dtype());
    const auto a = gpu.bytes(), b = ref.bytes();
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == b[i]) continue;
        const size_t e = i / esize;
        auto value = [&](const Tensor& t) -> std::string {
            switch (t.dtype()) {
                case DType::int8:
                    return std::to_string(t.as<int8_t>()[e]);
                case DType::int16:
                    return std::to_string(t.as<int16_t>()[e]);
                case DType::int32:
                    return std::to_string(t.as<int32_t>()[e]);
                case DType::float32:
                    return fmt::format("{}", t.as<float>()[e]);
            }
            return "?";
        };
        return fmt::format("element {}: gpu {}, reference {}", e, value(gpu), value(ref));
    }
    return "identical";
}

}  // namespace

FloatError float_error(const Tensor& a, const Tensor& b) {
    const auto x = a.as<float>(), y = b.as<float>();
    double diff = 0.0, norm = 0.0, max_abs = 0.0;
    for (size_t i = 0; i < x.size(); ++i) {
        const double d = static_cast<double>(x[i]) - y[i];
        diff += d * d;
        norm += static_cast<double>(y[i]) * y[i];
        max_abs = std::max(max_abs, std::abs(d));
        if (std::isnan(x[i])) max_abs = diff = INFINITY;  // NaN never passes
    }
    return {norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff), max_abs};
}

Comparison compare_with_reference(const Trace& trace, const TensorStore& data, const GpuRun& gpu,
                                  double float_tolerance) {
    const reference::Execution ref = reference::execute(trace, data, {}, /*keep_all=*/true);
    Comparison c;
    c.detail = nlohmann::ordered_json::array();
    const bool int_mode = trace.numerics == Numerics::int8;
    size_t identical = 0;
    std::string first_bad;
    for (size_t i = 0; i < trace.ops.size(); ++i) {
        const OpDecl& op = trace.ops[i];
        const std::string& name = op.outputs.at(0);
        const Tensor& r = ref.outputs.at(name);
        const Tensor& g = gpu.all.at(name);
        nlohmann::ordered_json d{{"op", op.name}, {"kind", op.kind}};
        const bool same = std::equal(r.bytes().begin(), r.bytes().end(), g.bytes().begin(), g.bytes().end());
        d["identical"] = same;
        identical += same;
        if (int_mode) {
            d["saturations_gpu"] = gpu.ops[i].saturations;
            d["saturations_reference"] = ref.ops[i].saturations;
            const bool sat_ok = gpu.ops[i].saturations == ref.ops[i].saturations;
            if ((!same || !sat_ok) && first_bad.empty()) {
                first_bad = fmt::format("op {} '{}' ({}): {}; saturations gpu {} vs reference {}", i, op.name,
                                        op.kind, first_difference(g, r), gpu.ops[i].saturations,
                                        ref.ops[i].saturations);
            }
            c.ok = c.ok && same && sat_ok;
        } else if (g.dtype() == DType::float32) {
            const FloatError e = float_error(g, r);
            d["rel_l2"] = e.rel_l2;
            d["max_abs"] = e.max_abs;
        }
        c.detail.push_back(std::move(d));
    }
    if (int_mode) {
        c.summary =
            c.ok ? fmt::format("int8: all {} ops byte-identical to the reference, saturations equal ({})",
                               trace.ops.size(), ref.saturations)
                 : "int8: MISMATCH at " + first_bad;
    } else {
        double worst = 0.0;
        for (const auto& name : trace.outputs) {
            const FloatError e = float_error(gpu.outputs.at(name), ref.outputs.at(name));
            worst = std::max(worst, e.rel_l2);
        }
        c.ok = worst <= float_tolerance;
        c.summary =
            fmt::format("float32: outputs' relative L2 error {:.3g} ({} {:.0e}); {} of {} ops bit-identical",
                        worst, c.ok ? "within" : "ABOVE", float_tolerance, identical, trace.ops.size());
    }
    return c;
}

}  // namespace ssmsim::cuda
