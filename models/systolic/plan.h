// An op as the controller runs it: a list of tiles, each a job for one unit with the DRAM traffic it needs
// before (loads) and after (stores), plus the op's totals for utilisation and energy. The mapper
// (mapper.h) builds plans; the controller (top.h) issues their jobs through the TLM sockets.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssmsim::systolic {

enum class UnitId { array, scan, vector };
inline constexpr int kUnits = 3;
const char* unit_name(UnitId u);

struct Tile {
    UnitId unit = UnitId::vector;
    uint64_t cycles = 0;          // occupancy of the unit
    uint64_t latency = 0;         // pipeline latency after occupancy
    int64_t load_bytes = 0;       // DRAM -> SRAM, before the tile computes
    int64_t store_bytes = 0;      // SRAM -> DRAM, after it
    bool after_previous = false;  // waits for the previous tile's result (a chain across units)
    std::function<void()> work;   // functional part; empty in timing-only runs
};

struct SramTraffic {
    int64_t read = 0, write = 0;
};

struct OpPlan {
    std::vector<Tile> tiles;
    int64_t macs = 0;          // array multiply-accumulates (useful ones)
    int64_t lane_updates = 0;  // scan-unit (channel, state) updates
    int64_t vector_elems = 0;  // vector-unit element operations (passes counted)
    SramTraffic weights, activations, state;
    int64_t sram_bytes = 0;  // bytes of SRAM this op occupies at its peak (all three buffers)
    nlohmann::ordered_json mapping = nlohmann::ordered_json::object();  // the mapper's decisions
};

}  // namespace ssmsim::systolic
