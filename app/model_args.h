// Per-model configs and overrides, shared by `ssmsim compare` (--config <label>=..., --set <label>:k=v) and
// `ssmsim run --model all` (--config <model>=..., --set <model>:k=v): one parser, one set of messages.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssmsim::cli {

// One model column: a registered model or a measured source under a label. The label is the model's name,
// or (compare) "<model>@<tag>" to run the same model again with another --config or --set.
struct CompareModel {
    std::string label;
    std::string model;
    bool measured = false;
    std::string config;                                   // --config <label>=..., "" for the model's default
    nlohmann::json overrides = nlohmann::json::object();  // --set <label>:key=value
    std::vector<std::string> sets;                        // as given, for compare.json and the tables
};

// Applies every "--config <label>=<name or path>" and "--set <label>:<key>=<value>" to `models`, then
// resolves each simulated model's config (file names, keys, types), so that a typo fails before anything
// runs. `noun` names the label in messages: "label" (compare) or "model" (run --model all).
void apply_model_args(std::vector<CompareModel>& models, const std::vector<std::string>& configs,
                      const std::vector<std::string>& sets, const std::string& noun);

}  // namespace ssmsim::cli
