// The boundary every model sits behind: run(trace, data, config) -> report + outputs. The CLI, sweeps and
// tests call only this; models register by name so `--model systolic` is a lookup, not an if/else chain.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/trace/trace.h"

namespace ssmsim {

struct RunRequest {
    const Trace& trace;
    const TensorStore* data = nullptr;                    // nullptr: timing only
    nlohmann::json overrides = nlohmann::json::object();  // --set key=value pairs, already parsed
    std::string config_file;                              // --config, empty for the model's default
    bool progress = false;                                // draw a progress bar on stderr
    bool hash_ops = false;  // functional runs: each op's outputs hashed as computed (RunResult::op_sha256)
};

struct RunResult {
    nlohmann::ordered_json report;  // model-specific fields; the CLI adds the common ones
    TensorStore outputs;            // the trace's output tensors (empty in timing-only runs)
    std::map<std::string, std::string>
        files;  // extra files for --out (timeline.json), written before report.json
    // With hash_ops: op_output_sha256 of every op in trace order ("" for an op the model does not compute
    // bit-exactly, which the model's docs name).
    std::vector<std::string> op_sha256;
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual RunResult run(const RunRequest& request) = 0;
};

struct BackendInfo {
    std::string name;
    std::string description;
    bool needs_data = false;  // true: refuses shape-only traces (the reference)
    std::function<std::unique_ptr<Backend>()> make;
    std::string default_config;  // the shipped config a run without --config uses ("" for none)
};

class BackendRegistry {
public:
    static void add(BackendInfo info);
    static const BackendInfo* find(const std::string& name);
    static std::vector<const BackendInfo*> all();  // in registration order
};

}  // namespace ssmsim
