// report.json (contract, docs/trace-format.md): the fields every model shares, and atomic output.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/trace/trace.h"

namespace ssmsim {

// SHA-256 over the raw little-endian bytes of the trace's output tensors, concatenated in /outputs order.
std::string output_sha256(const Trace& trace, const TensorStore& outputs);

// SHA-256 over the bytes of one op's outputs, in the op's output order: the per-op hash of `--hash-ops`,
// with which a bit-exact comparison names the first op whose bytes differ.
std::string op_output_sha256(const OpDecl& op, const TensorStore& live);

// The work of every op (MACs, bytes) from the op catalogue, one entry per op, in trace order.
nlohmann::ordered_json op_work(const Trace& trace);

// Fields shared by every model: model, workload, trace, numerics, macs, bytes, and when outputs are
// given, output_sha256, per-output hashes and the predicted class (argmax of the first output).
nlohmann::ordered_json common_report(const std::string& model, const std::string& workload,
                                     const Trace& trace, const TensorStore* outputs);

// Removes what an earlier run left in `out_dir`: report.json (so that a failed run never leaves one looking
// complete), timeline.json, ops.csv, outputs/*.npy (a new run's outputs/ holds only its own tensors) and the
// temporaries (<name>.tmp.<pid>) of a run killed while writing. Files of other names are left alone.
void clear_previous_report(const std::filesystem::path& out_dir);

// Writes outputs/<name>.npy, timeline files given by the model, then report.json last, each atomically.
void write_run_output(const std::filesystem::path& out_dir, const nlohmann::ordered_json& report,
                      const TensorStore& outputs, const std::map<std::string, std::string>& files = {});

}  // namespace ssmsim
