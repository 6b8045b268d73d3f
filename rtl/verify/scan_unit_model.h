// A scan unit behind an abstract interface: the Verilated models built into ssmsim and the plugins that
// `ssmsim rtl verify` builds from a user's SystemVerilog (docs/rtl.md) look the same to the checks.
// A plugin is a shared library exporting the two extern "C" functions named below; it is built from
// rtl/verify/plugin_adapter.cpp with the same compiler and standard library as ssmsim.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/systolic/scan_engine.h"

namespace ssmsim::rtl {

// The parameters the driver needs (docs/rtl.md, "The scan-unit interface").
struct UnitParams {
    int lanes = 0, log_nmin = 0, slots = 0, table_depth = 0;
};

struct UnitOptions {
    std::vector<std::string> plusargs;  // e.g. +scan_exp_table=FILE
    std::string waves;                  // FST file to write ("" = none)
    // Flow control (default: always): may the driver offer a beat / take an output this cycle.
    std::function<bool(uint64_t cycle)> input_valid, output_ready;
};

class ScanUnitModel {
public:
    virtual ~ScanUnitModel() = default;
    virtual UnitParams params() const = 0;
    // Whether the unit can run the chunk ("") or why not.
    virtual std::string unsupported(const systolic::ScanOperands& op,
                                    const systolic::ScanChunk& ck) const = 0;
    // Runs the chunk; adds the unit's saturations; returns the cycles from the first beat in to the last out.
    virtual uint64_t run(const systolic::ScanOperands& op, const systolic::ScanChunk& ck,
                         uint64_t& saturations) = 0;
};

// Bumped whenever this header changes in a way a built plugin would not follow (the cache key holds it).
inline constexpr int kScanPluginAbi = 1;
inline constexpr const char* kScanPluginAbiSymbol = "ssmsim_scan_plugin_abi";
inline constexpr const char* kScanPluginFactorySymbol = "ssmsim_make_scan_unit";
using ScanPluginAbiFn = int (*)();
using ScanPluginFactoryFn = ScanUnitModel* (*)(const UnitParams*, const UnitOptions*);

}  // namespace ssmsim::rtl
