// Reading and writing trace folders: trace.json plus one .npy file per tensor that carries data.
#pragma once

#include <filesystem>

#include "sim/trace/trace.h"

namespace ssmsim {

// Loads and validates a whole trace (docs/trace-format.md) before anything runs: schema, names, dtypes,
// shapes per op, graph order and cycles, and every .npy header against its declaration and file size.
// `path` is a trace folder or its trace.json. Throws InputError.
Trace load_trace(const std::filesystem::path& path);

// Parses and validates a trace already in memory (as gen builds it); `file` names it in messages.
Trace parse_trace(const nlohmann::json& doc, const std::string& file, const std::filesystem::path& dir);

// Checks an in-memory trace: the same rules as load_trace, without files.
void validate_trace(Trace& trace, const std::string& file);

// Reads the data of every graph input (the trace must have data); float32 data must be finite.
TensorStore load_tensor_data(const Trace& trace);

// Refuses a float32 tensor holding NaN or infinity, naming `where` (its file) and the first such element.
void require_finite(const Tensor& data, const std::string& where);

// The most bytes of tensors alive at once when ops run in order and each tensor is freed after its last
// reader (as the reference executes), and the op where that peak happens.
struct LiveBytes {
    int64_t bytes = 0;
    std::string op;
};
LiveBytes peak_live_bytes(const Trace& trace);

// The JSON form of a trace (tensors with their "file" fields as set).
nlohmann::ordered_json trace_to_json(const Trace& trace);

// Writes `store`'s graph inputs as .npy files and then trace.json, each atomically, so that a folder with a
// trace.json is always complete. Sets each graph input's file to "<name>.npy" when data is given.
void save_trace(const std::filesystem::path& dir, Trace trace, const TensorStore& store);

}  // namespace ssmsim
