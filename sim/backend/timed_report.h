// The fields a timed model's report.json opens with (DESIGN.md's report contract): the resolved config,
// clock, cycles, seconds and the energy ledger. Every SystemC model writes them the same way.
#pragma once

#include <cmath>
#include <cstdint>

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

}  // namespace ssmsim
