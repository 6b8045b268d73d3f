// Parsing one --set argument, kept apart from the CLI's commands so that a fuzz target can link it alone.
#pragma once

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace ssmsim::cli {

// "key=value" -> JSON; the value is parsed as JSON when it is valid JSON, else kept as a string.
std::pair<std::string, nlohmann::json> parse_set(const std::string& kv);

}  // namespace ssmsim::cli
