// What the device and its software are: provenance for every timing and golden file.
#pragma once

#include <nlohmann/json.hpp>

namespace ssmsim::cuda {

nlohmann::ordered_json gpu_info();

// UTC now as 2026-11-23T10:00:00Z.
std::string utc_now();

}  // namespace ssmsim::cuda
