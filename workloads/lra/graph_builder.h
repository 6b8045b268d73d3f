// Builds a float32 trace with deterministic weights: every parameter draws from its own random stream,
// keyed by the seed and the tensor's name, so one change to a model never shifts another tensor's values.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/trace/trace.h"
#include "sim/util/rng.h"

namespace ssmsim::workloads {

class GraphBuilder {
public:
    // `with_data` false: declarations only (names, shapes, ops), no values drawn or allocated, so that a
    // workload's memory can be checked before it is generated (build.cpp).
    GraphBuilder(std::string trace_name, uint64_t seed, bool with_data = true);
    bool with_data() const { return with_data_; }

    // Graph inputs.
    std::string tokens(const std::string& name, Tensor t);
    std::string tokens(const std::string& name, Shape shape);  // declarations only
    std::string param(const std::string& name, Shape shape, const std::function<float(Rng&, int64_t)>& init);
    std::string uniform(const std::string& name, Shape shape, double bound);  // U(-bound, bound)
    std::string normal(const std::string& name, Shape shape, double stddev);
    std::string constant(const std::string& name, Shape shape, float value);
    std::string values(const std::string& name, Shape shape, std::vector<float> v);

    // Appends an op writing one new float32 tensor named `out`; returns `out`.
    std::string op(const std::string& kind, const std::string& out, std::vector<std::string> inputs,
                   Shape out_shape, nlohmann::json attrs = nlohmann::json::object());

    // Layers made of ops. Activations are [B, L, D] (or [B, D] after pooling).
    std::string linear(const std::string& name, const std::string& x, int64_t out_features, bool bias);
    std::string unary(const std::string& kind, const std::string& name, const std::string& x);
    std::string add(const std::string& name, const std::string& a, const std::string& b);
    std::string layernorm(const std::string& name, const std::string& x);
    std::string rmsnorm(const std::string& name, const std::string& x);

    const Shape& shape(const std::string& tensor) const { return trace_.tensor(tensor).shape; }
    int64_t width(const std::string& tensor) const { return shape(tensor).back(); }
    uint64_t seed() const { return seed_; }

    // Finishes the trace: validates it and hands over the trace and its data.
    Trace take_trace(const std::vector<std::string>& outputs, nlohmann::json meta);
    TensorStore take_data() { return std::move(data_); }

private:
    Trace trace_;
    TensorStore data_;
    uint64_t seed_;
    bool with_data_;
};

}  // namespace ssmsim::workloads
