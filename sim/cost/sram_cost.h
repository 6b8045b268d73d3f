// What an SRAM of a given size costs: area and access energy, from a CACTI-style table for a stated
// process node (docs/sram-sizing.md, "SRAM cost"). Sizing sweeps use it so that a bigger SRAM is not free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ssmsim {

struct SramCostPoint {
    double kib;  // macro size
    double mm2;  // area of the macro
    double read_pj_per_byte;
    double write_pj_per_byte;
};

struct SramTechnology {
    std::string node;                  // "28nm"
    std::string source;                // where the anchor points come from
    std::vector<SramCostPoint> table;  // ascending kib
};

// The built-in table (28 nm). Sizes between points are interpolated on log2(size); beyond the ends the
// per-KiB area and the energy's square-root growth are extrapolated.
const SramTechnology& sram_technology_28nm();

double sram_area_mm2(const SramTechnology& tech, int64_t bytes);
double sram_read_pj_per_byte(const SramTechnology& tech, int64_t bytes);
double sram_write_pj_per_byte(const SramTechnology& tech, int64_t bytes);

}  // namespace ssmsim
