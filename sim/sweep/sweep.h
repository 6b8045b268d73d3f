// `ssmsim sweep`: prepares each workload's trace once, runs every design point as its own `ssmsim run`
// process, records each result atomically as it ends, and skips on a re-run the points already recorded.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sweep/points.h"
#include "sim/sweep/sweep_spec.h"

namespace ssmsim {

struct SweepOptions {
    std::filesystem::path out;
    int jobs = 1;
    bool progress = false;
    bool retry_failed = false;
    int rank = 0, ranks = 1;  // MPI: this process runs the points with index % ranks == rank
};

struct SweepRun {
    std::vector<DesignPoint> points;      // all of the sweep's points
    std::vector<nlohmann::json> results;  // this rank's points' results (ok, failed, or recorded earlier)
    size_t ran = 0, skipped = 0, failed = 0;
};

// Refuses, before anything runs, a swept or fixed key that no shipped config of the point's model has (a typo
// would otherwise fail every point). Values are checked by each point's run, which records its message.
void check_sweep_keys(const SweepSpec& spec);

SweepRun run_sweep(const SweepSpec& spec, const SweepOptions& opts);

// results.csv and results.json, sorted by point index (so they do not depend on --jobs or on ranks).
void write_sweep_results(const SweepSpec& spec, const std::filesystem::path& out,
                         const std::vector<DesignPoint>& points, const std::vector<nlohmann::json>& results);

}  // namespace ssmsim
