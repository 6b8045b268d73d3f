// The design points of a sweep: every workload x model x parameter point, in a fixed order, each with an id
// derived from its content so that a re-run finds the points it already has.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sweep/sweep_spec.h"

namespace ssmsim {

struct DesignPoint {
    size_t index = 0;
    std::string id;  // 16 hex digits of SHA-256 over the point's canonical JSON
    std::string model;
    std::string workload;
    nlohmann::json sets = nlohmann::json::object();   // the --set pairs: fixed ones, then the swept ones
    nlohmann::json swept = nlohmann::json::object();  // only the swept keys (the columns of results.csv)
};

std::vector<DesignPoint> expand_points(const SweepSpec& spec);

}  // namespace ssmsim
