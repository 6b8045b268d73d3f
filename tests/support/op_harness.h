// Builds small traces in memory and runs them on the C++ reference, for op-level tests: declare the graph
// inputs with data, the ops with their attributes and output shapes; the trace is validated exactly as a
// loaded one would be, then executed.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/executor.h"
#include "sim/trace/trace.h"
#include "sim/trace/trace_io.h"
#include "sim/util/rng.h"

namespace ssmsim::testing {

using Ints = std::vector<int64_t>;
using Floats = std::vector<float>;
using Inputs = std::vector<std::pair<std::string, Tensor>>;

inline Tensor i8(Shape s, const std::vector<int8_t>& v) { return Tensor::from<int8_t>(std::move(s), v); }
inline Tensor i16(Shape s, const std::vector<int16_t>& v) { return Tensor::from<int16_t>(std::move(s), v); }
inline Tensor i32(Shape s, const std::vector<int32_t>& v) { return Tensor::from<int32_t>(std::move(s), v); }
inline Tensor f32(Shape s, const std::vector<float>& v) { return Tensor::from<float>(std::move(s), v); }

// Elements widened to int64: comparable with Ints and printed as numbers (int8 would print as chars).
inline Ints ints(const Tensor& t) {
    Ints r;
    auto copy = [&](auto span) { r.assign(span.begin(), span.end()); };
    switch (t.dtype()) {
        case DType::int8:
            copy(t.as<int8_t>());
            break;
        case DType::int16:
            copy(t.as<int16_t>());
            break;
        case DType::int32:
            copy(t.as<int32_t>());
            break;
        case DType::float32:
            throw std::logic_error("ints() of a float32 tensor");
    }
    return r;
}

inline Floats floats(const Tensor& t) {
    const auto s = t.as<float>();
    return {s.begin(), s.end()};
}

// The int8 lookup table whose entry for x is x itself (entry i = i - 128): makes LUT indexing visible.
inline Tensor identity_lut() {
    std::vector<int8_t> v(256);
    for (int i = 0; i < 256; ++i) v[i] = static_cast<int8_t>(i - 128);
    return i8({256}, v);
}

// Uniform random tensors for property tests; bounds are inclusive.
template <typename T>
Tensor random_tensor(Rng& rng, Shape shape, int64_t lo, int64_t hi) {
    std::vector<T> v(static_cast<size_t>(element_count(shape)));
    for (auto& x : v)
        x = static_cast<T>(lo + static_cast<int64_t>(rng.below(static_cast<uint64_t>(hi - lo + 1))));
    return Tensor::from<T>(std::move(shape), v);
}

struct OpResult {
    Tensor out;
    uint64_t saturations = 0;
    Ints ints() const { return testing::ints(out); }
    Floats floats() const { return testing::floats(out); }
};

class TraceBuilder {
public:
    explicit TraceBuilder(Numerics numerics = Numerics::int8) {
        trace_.name = "test";
        trace_.numerics = numerics;
    }

    // A graph input with its data.
    TraceBuilder& input(const std::string& name, Tensor value) {
        declare(name, value.dtype(), value.shape());
        data_.insert_or_assign(name, std::move(value));
        return *this;
    }

    // An op writing one output tensor, declared here; the dtype defaults to the mode's activation dtype.
    // The last op's output is the trace output.
    TraceBuilder& op(const std::string& kind, std::vector<std::string> inputs, const std::string& output,
                     Shape shape, nlohmann::json attrs = nlohmann::json::object(),
                     std::optional<DType> dtype = std::nullopt) {
        declare(output, dtype.value_or(trace_.numerics == Numerics::int8 ? DType::int8 : DType::float32),
                std::move(shape));
        OpDecl op;
        op.name = "op" + std::to_string(trace_.ops.size());
        op.kind = kind;
        op.inputs = std::move(inputs);
        op.outputs = {output};
        op.attrs = attrs.is_null() ? nlohmann::json::object() : std::move(attrs);  // `{}` reads as null
        trace_.ops.push_back(std::move(op));
        trace_.outputs = {output};
        return *this;
    }

    // The validated trace (throws InputError); in-memory data counts as the graph inputs' files.
    Trace build() const {
        Trace t = trace_;
        validate_trace(t, "test");
        t.has_data = true;
        return t;
    }

    const TensorStore& data() const { return data_; }

    OpResult run() const {
        const Trace t = build();
        reference::Execution ex = reference::execute(t, data_);
        return {std::move(ex.outputs.at(t.outputs.at(0))), ex.saturations};
    }

private:
    void declare(const std::string& name, DType dtype, Shape shape) {
        TensorDecl d;
        d.name = name;
        d.dtype = dtype;
        d.shape = std::move(shape);
        trace_.tensors.push_back(std::move(d));
    }

    Trace trace_;
    TensorStore data_;
};

// One op, named inputs in the op's input order; use with designated initializers.
struct OpSpec {
    std::string kind;
    Inputs inputs;
    nlohmann::json attrs = nlohmann::json::object();
    Shape out_shape;
    Numerics numerics = Numerics::int8;
    std::optional<DType> out_dtype = std::nullopt;  // default: the activation dtype of `numerics`
};

inline TraceBuilder one_op(const OpSpec& s) {
    TraceBuilder b(s.numerics);
    std::vector<std::string> names;
    for (const auto& [name, t] : s.inputs) {
        b.input(name, t);
        names.push_back(name);
    }
    b.op(s.kind, names, "out", s.out_shape, s.attrs, s.out_dtype);
    return b;
}

inline OpResult run_op(const OpSpec& s) { return one_op(s).run(); }

}  // namespace ssmsim::testing
