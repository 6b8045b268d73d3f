// `ssmsim rtl verify`'s co-simulation (docs/rtl.md): the design under test as the systolic model's scan
// unit on a workload, its outputs and saturations against the reference's.
#pragma once

#include <cstdint>

#include "app/workload_arg.h"
#include "rtl/verify/plugin.h"

namespace ssmsim::cli {

// The scan unit's pipeline depth and output latency as measured on the design
// (models/systolic/scan_timing.h).
struct Fit {
    int64_t depth = 0, latency = 0;
};

// Runs `w` on the systolic model with the plugin's units as scan.unit "rtl" (lanes, depth and latency from
// `p` and `fit`); prints one line, PASS-like or starting with FAIL; true when the outputs and saturations
// equal the reference's and every chunk took the closed form's cycles.
bool cosimulate(const rtl::ScanPlugin& plugin, const rtl::UnitParams& p, const Fit& fit,
                const ResolvedWorkload& w, int64_t seq_len);

}  // namespace ssmsim::cli
