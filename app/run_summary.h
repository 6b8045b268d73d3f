// The summary of `ssmsim run --model all` (docs/compare.md, "run --model all"): per model its config, clock,
// latency in ms (time, comparable across clocks), energy per inference and the ratios against a baseline
// model, printed as a table and written as summary.csv with the same columns; "n/a" where a figure does not
// apply (the reference has no clock, time or energy).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssmsim::cli {

struct ModelRun {
    std::string model;
    std::vector<std::string> sets;  // --set <model>:key=value as given, without the "<model>:"
    nlohmann::ordered_json report;
};

// One row per run, ratios against `baseline`'s row (a model among the runs); `batch`: inferences per pass.
std::vector<nlohmann::ordered_json> summary_rows(const std::vector<ModelRun>& runs, int64_t batch,
                                                 const std::string& baseline);
std::string summary_csv(const std::vector<nlohmann::ordered_json>& rows);
std::string summary_text(const std::vector<nlohmann::ordered_json>& rows);

}  // namespace ssmsim::cli
