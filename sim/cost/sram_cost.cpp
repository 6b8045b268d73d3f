#include "sim/cost/sram_cost.h"

#include <algorithm>
#include <cmath>

namespace ssmsim {

namespace {

// 28 nm, single-port 6T macros (docs/sram-sizing.md). Anchors: CACTI-class figures for 4 and 8 KiB macros
// (0.0461 and 0.0556 mm², 0.033 / 0.035 pJ/bit read, 0.040 / 0.049 pJ/bit write). Larger macros follow
// area = 0.0014 mm²/KiB of cells (0.127 um² bit cell at about 75 % array efficiency) + 0.0157 mm² * sqrt(KiB)
// of periphery (fitted to the two anchors), and access energy growing with the square root of the size, the
// trend of Horowitz's 45 nm figures (8 KB, 32 KB, 1 MB: 10, 20, 100 pJ per 64-bit access).
SramTechnology make_28nm() {
    SramTechnology t;
    t.node = "28nm";
    t.source = "CACTI 7 (4 and 8 KiB macros) + sqrt(size) scaling of periphery and access energy";
    for (double kib = 4; kib <= 262144; kib *= 2) {
        const double area = kib == 4 ? 0.0461 : kib == 8 ? 0.0556 : 0.0014 * kib + 0.0157 * std::sqrt(kib);
        const double grow = std::sqrt(kib / 8.0);
        const double read = kib == 4 ? 0.033 * 8 : 0.0347 * 8 * std::max(1.0, grow);
        const double write = kib == 4 ? 0.0397 * 8 : 0.0486 * 8 * std::max(1.0, grow);
        t.table.push_back({kib, area, read, write});
    }
    return t;
}

// Interpolates on log2(size); outside the table, scales the end point by (size ratio)^exponent.
template <typename F>
double interpolate(const SramTechnology& t, int64_t bytes, double exponent, F field) {
    const double kib = static_cast<double>(bytes) / 1024.0;
    const auto& tab = t.table;
    if (kib <= tab.front().kib) return field(tab.front()) * std::pow(kib / tab.front().kib, exponent);
    if (kib >= tab.back().kib) return field(tab.back()) * std::pow(kib / tab.back().kib, exponent);
    for (size_t i = 1; i < tab.size(); ++i) {
        if (kib <= tab[i].kib) {
            const double a = std::log2(tab[i - 1].kib), b = std::log2(tab[i].kib), x = std::log2(kib);
            const double w = (x - a) / (b - a);
            return field(tab[i - 1]) * (1 - w) + field(tab[i]) * w;
        }
    }
    return field(tab.back());
}

}  // namespace

const SramTechnology& sram_technology_28nm() {
    static const SramTechnology t = make_28nm();
    return t;
}

double sram_area_mm2(const SramTechnology& t, int64_t bytes) {
    return interpolate(t, bytes, 1.0, [](const SramCostPoint& p) { return p.mm2; });
}

double sram_read_pj_per_byte(const SramTechnology& t, int64_t bytes) {
    // Below the smallest macro the energy stays at its value: a tiny SRAM does not read for free.
    return interpolate(t, std::max<int64_t>(bytes, 4096), 0.5,
                       [](const SramCostPoint& p) { return p.read_pj_per_byte; });
}

double sram_write_pj_per_byte(const SramTechnology& t, int64_t bytes) {
    return interpolate(t, std::max<int64_t>(bytes, 4096), 0.5,
                       [](const SramCostPoint& p) { return p.write_pj_per_byte; });
}

}  // namespace ssmsim
