// What a reference kernel sees of one op: its input tensors, attributes and output slots.
#pragma once

#include <string>

#include "sim/trace/trace.h"

namespace ssmsim::reference {

class OpView {
public:
    OpView(const Trace& trace, const OpDecl& op, TensorStore& store)
        : trace_(trace), op_(op), store_(store) {}

    bool int_mode() const { return trace_.numerics == Numerics::int8; }
    const OpDecl& op() const { return op_; }
    size_t n_inputs() const { return op_.inputs.size(); }
    const Tensor& in(size_t i) const;
    template <typename T>
    std::span<const T> in_as(size_t i) const {
        return in(i).as<T>();
    }
    const Shape& in_shape(size_t i) const { return in(i).shape(); }

    // Allocates output i with its declared dtype and shape and puts it in the store.
    Tensor& out(size_t i);

    int64_t attr_int(const char* key) const { return op_.attrs.at(key).get<int64_t>(); }
    int attr_shift(const char* key) const { return static_cast<int>(attr_int(key)); }
    double attr_number(const char* key) const { return op_.attrs.at(key).get<double>(); }
    bool attr_bool(const char* key, bool fallback) const { return op_.attrs.value(key, fallback); }

    // A value in a data tensor that the contract does not allow (a token id out of range, say).
    [[noreturn]] void bad_value(size_t input, int64_t flat_index, const std::string& expected,
                                int64_t found) const;

    uint64_t saturations = 0;

private:
    const Trace& trace_;
    const OpDecl& op_;
    TensorStore& store_;
};

using Kernel = void (*)(OpView&);

// The kernels of every op kind (reference/ops/*.cpp); nullptr if the kind has none.
Kernel find_kernel(std::string_view kind);

}  // namespace ssmsim::reference
