#include "workloads/lra/graph_builder.h"

#include <cmath>

#include "sim/trace/trace_io.h"

namespace ssmsim::workloads {

GraphBuilder::GraphBuilder(std::string trace_name, uint64_t seed, bool with_data)
    : seed_(seed), with_data_(with_data) {
    trace_.name = std::move(trace_name);
    trace_.numerics = Numerics::float32;
}

std::string GraphBuilder::tokens(const std::string& name, Tensor t) {
    trace_.add_tensor({name, t.dtype(), t.shape()});
    data_.emplace(name, std::move(t));
    return name;
}

std::string GraphBuilder::tokens(const std::string& name, Shape shape) {
    trace_.add_tensor({name, DType::int32, std::move(shape)});
    return name;
}

std::string GraphBuilder::param(const std::string& name, Shape shape,
                                const std::function<float(Rng&, int64_t)>& init) {
    if (!with_data_) {
        trace_.add_tensor({name, DType::float32, std::move(shape)});
        return name;
    }
    Tensor t(DType::float32, shape);
    Rng rng = Rng::for_stream(seed_, name);
    auto v = t.as<float>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = init(rng, static_cast<int64_t>(i));
    trace_.add_tensor({name, DType::float32, std::move(shape)});
    data_.emplace(name, std::move(t));
    return name;
}

std::string GraphBuilder::uniform(const std::string& name, Shape shape, double bound) {
    return param(name, std::move(shape),
                 [bound](Rng& r, int64_t) { return static_cast<float>(r.uniform(-bound, bound)); });
}

std::string GraphBuilder::normal(const std::string& name, Shape shape, double stddev) {
    return param(name, std::move(shape),
                 [stddev](Rng& r, int64_t) { return static_cast<float>(r.normal(0.0, stddev)); });
}

std::string GraphBuilder::constant(const std::string& name, Shape shape, float value) {
    return param(name, std::move(shape), [value](Rng&, int64_t) { return value; });
}

std::string GraphBuilder::values(const std::string& name, Shape shape, std::vector<float> v) {
    return param(name, std::move(shape), [&v](Rng&, int64_t i) { return v[i]; });
}

std::string GraphBuilder::op(const std::string& kind, const std::string& out, std::vector<std::string> inputs,
                             Shape out_shape, nlohmann::json attrs) {
    trace_.add_tensor({out, DType::float32, std::move(out_shape)});
    trace_.ops.push_back({out, kind, std::move(inputs), {out}, std::move(attrs)});
    return out;
}

std::string GraphBuilder::linear(const std::string& name, const std::string& x, int64_t out_features,
                                 bool bias) {
    // PyTorch's nn.Linear initialisation: U(-1/sqrt(K), 1/sqrt(K)) for weight and bias.
    const int64_t k = width(x);
    const double bound = 1.0 / std::sqrt(static_cast<double>(k));
    std::vector<std::string> in = {x, uniform(name + ".w", {out_features, k}, bound)};
    if (bias) in.push_back(uniform(name + ".b", {out_features}, bound));
    Shape s = shape(x);
    s.back() = out_features;
    return op("linear", name, std::move(in), s);
}

std::string GraphBuilder::unary(const std::string& kind, const std::string& name, const std::string& x) {
    return op(kind, name, {x}, shape(x));
}

std::string GraphBuilder::add(const std::string& name, const std::string& a, const std::string& b) {
    return op("add", name, {a, b}, shape(a));
}

std::string GraphBuilder::layernorm(const std::string& name, const std::string& x) {
    const int64_t d = width(x);
    return op("layernorm", name,
              {x, constant(name + ".gamma", {d}, 1.0f), constant(name + ".beta", {d}, 0.0f)}, shape(x),
              {{"eps", 1e-5}});
}

std::string GraphBuilder::rmsnorm(const std::string& name, const std::string& x) {
    return op("rmsnorm", name, {x, constant(name + ".gamma", {width(x)}, 1.0f)}, shape(x), {{"eps", 1e-5}});
}

Trace GraphBuilder::take_trace(const std::vector<std::string>& outputs, nlohmann::json meta) {
    trace_.outputs = outputs;
    trace_.meta = std::move(meta);
    validate_trace(trace_, trace_.name);
    trace_.has_data = with_data_;  // data lives in memory, not in files
    return std::move(trace_);
}

}  // namespace ssmsim::workloads
