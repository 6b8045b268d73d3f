// Parsing one --set argument, kept apart from the CLI's commands so that a fuzz target can link it alone.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssmsim::cli {

// "key=value" -> JSON; the value is parsed as JSON when it is valid JSON, else kept as a string.
std::pair<std::string, nlohmann::json> parse_set(const std::string& kv);

// Every "key=value" of a one-model command's --set flags as one object of overrides (a later key wins).
nlohmann::json parse_sets(const std::vector<std::string>& kvs);

}  // namespace ssmsim::cli
