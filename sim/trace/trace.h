// The layer trace (contract, docs/trace-format.md): named tensors and an ordered list of ops.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/trace/tensor.h"

namespace ssmsim {

enum class Numerics { int8, float32 };
std::string_view numerics_name(Numerics n);

struct TensorDecl {
    std::string name;
    DType dtype = DType::int8;
    Shape shape;
    std::string file{};    // .npy file relative to the trace folder; empty when the trace has no data
    int producer = -1;     // index of the op that writes it, -1 for a graph input (tokens, weights, tables)
    int last_reader = -1;  // index of the last op that reads it, -1 if none (then it is a graph output)

    int64_t nbytes() const { return element_count(shape) * static_cast<int64_t>(dtype_size(dtype)); }
    bool is_graph_input() const { return producer < 0; }
};

struct OpDecl {
    std::string name;
    std::string kind;
    std::vector<std::string> inputs;
    std::vector<std::string> outputs;
    nlohmann::json attrs = nlohmann::json::object();
};

struct Trace {
    std::string name;
    Numerics numerics = Numerics::int8;
    nlohmann::json meta = nlohmann::json::object();  // free-form provenance (task, arch, seed, label...)
    std::vector<TensorDecl> tensors;                 // in file order
    std::vector<OpDecl> ops;                         // in execution order
    std::vector<std::string> outputs;
    std::filesystem::path dir;  // where the .npy files are; empty for in-memory traces
    bool has_data = false;      // every graph input has a file (else: shape-only)

    const TensorDecl& tensor(const std::string& name) const;
    TensorDecl& tensor(const std::string& name);
    bool has_tensor(const std::string& name) const { return index_.count(name) > 0; }
    TensorDecl& add_tensor(TensorDecl t);
    void reindex();  // after editing `tensors` directly

private:
    std::map<std::string, size_t> index_;
};

// Tensor values by name: the graph inputs of a functional run, then the activations as ops produce them.
using TensorStore = std::map<std::string, Tensor>;

}  // namespace ssmsim
