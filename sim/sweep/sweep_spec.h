// A design-space sweep (docs/sweeps.md): which models and workloads, which config keys vary and how (a
// grid, random samples or a Latin hypercube), parsed and checked before anything runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssmsim {

// One swept key: a list of values (grid) or a range (samples).
struct SweepAxis {
    std::string key;                     // a config key, as for --set ("sram.activations.kib")
    std::vector<nlohmann::json> values;  // grid values, or the choices of a categorical sampled axis
    double min = 0, max = 0;             // sampled numeric range
    bool log = false, integer = false;
    bool ranged() const { return values.empty(); }
};

struct SweepSpec {
    std::string name;
    std::string file;  // where it was read, for messages
    std::vector<std::string> models;
    std::vector<std::string> workloads;  // lra:<task>[:<arch>] or trace folders
    std::string config;                  // --config for every point (empty: each model's default)
    nlohmann::json fixed = nlohmann::json::object();  // --set pairs applied to every point
    std::string method = "grid";                      // grid | random | lhs
    int64_t samples = 0;                              // random / lhs
    uint64_t sample_seed = 1;
    std::vector<SweepAxis> axes;
    bool timing_only = true;
    int64_t seq_len = 0;
    int64_t batch = 1;  // samples of every lra: workload (ssmsim gen --batch)
    uint64_t seed = 1;
    double timeout_s = 600;
    std::vector<std::string>
        metrics;  // report.json fields kept beside the standard ones (e.g. a model's own)
};

// The most design points (workloads x models x parameter points) a sweep may have; counted, with overflow
// checks, before any point is expanded.
inline constexpr int64_t kMaxSweepPoints = 1'000'000;

// Axes in the file's order (the first varies slowest).
SweepSpec load_sweep_spec(const std::string& path);
// Axes in key order (nlohmann::json sorts object keys).
SweepSpec parse_sweep_spec(const nlohmann::json& doc, const std::string& file);

}  // namespace ssmsim
