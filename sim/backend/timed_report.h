// The fields a timed model's report.json opens with (DESIGN.md's report contract): the resolved config,
// clock, cycles, seconds and the energy ledger. Every SystemC model writes them the same way.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/config/hw_config.h"
#include "sim/timing/energy.h"

namespace ssmsim {

// `cycles` may be fractional (a model that accumulates time in partial cycles); the report rounds the
// count and keeps the exact time in seconds.
inline void put_run_totals(nlohmann::ordered_json& r, const HwConfig& config, double clock_hz, double cycles,
                           const EnergyLedger& energy) {
    r["config"] = config.tree();
    r["clock_hz"] = clock_hz;
    r["cycles"] = static_cast<uint64_t>(std::llround(cycles));
    r["seconds"] = cycles / clock_hz;
    r["energy_pj"] = energy.total();
    r["energy_breakdown_pj"] = energy.breakdown();
}

// report.json "validation": what the model's time and energy are validated against and how well, and the
// technology node of its energy table. The statements live in the shipped config ("validation", one per
// config, next to the figures they describe; docs/configs.md), so there is one place to change them and a
// test (tests/gpu) holds the GPU's to docs/models/gpu.md. A run that changes the config (a file that is not
// a shipped config, or --set) is told so: the statement belongs to the shipped config it starts from.
inline void put_validation(nlohmann::ordered_json& r, const HwConfig& config, const std::string& config_file,
                           const nlohmann::json& overrides) {
    const auto& v = config.tree().at("validation");
    nlohmann::ordered_json out;
    out["time"] = v.at("time");
    out["energy"] = v.at("energy");
    out["energy_node_nm"] = config.number("energy.node_nm", 1, 1000);
    // A config whose figures come from another (measured) config says so ("" or absent: its own).
    const std::string derived = v.value("derived", "");
    if (!derived.empty()) out["derived"] = derived;
    const bool changed =
        !overrides.empty() || (!config_file.empty() && find_shipped_config(config_file) == nullptr);
    out["config_changed"] = changed;
    r["validation"] = std::move(out);
}

}  // namespace ssmsim
