// ops.csv, written beside report.json by every `ssmsim run` (docs/trace-format.md, "ops.csv"): one row per
// op of the trace, for spreadsheets and per-layer plots, as SCALE-Sim users expect.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sim/trace/trace.h"

namespace ssmsim {

// The columns of ops.csv, in order.
extern const char* const kOpsCsvHeader;

// One row per op of `trace`, in trace order: its work from the op catalogue (MACs, vector ops, bytes read and
// written: the same on every model) and what `report` (a model's report.json) says of it: start cycle,
// cycles, seconds, energy, DRAM bytes, bound, saturations, utilisation per unit and, in `mapping`, every
// other field of the op's entry flattened to key=value pairs (the systolic tiles, the GPU kernel's grid,
// the neuromorphic cores). A field the model does not report is an empty cell.
std::string ops_csv(const Trace& trace, const nlohmann::ordered_json& report);

}  // namespace ssmsim
