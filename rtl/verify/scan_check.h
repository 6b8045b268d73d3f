// One scan case on a scan unit against the reference: the chunks run with the state carried between them,
// then outputs byte for byte, saturation counts and each chunk's cycles against the closed form
// (models/systolic/scan_timing.h). Shared by tests/rtl/ and `ssmsim rtl verify`.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "models/systolic/scan_timing.h"
#include "rtl/verify/scan_case.h"

namespace ssmsim::rtl {

struct ChunkCycles {
    int64_t pairs = 0, steps = 0;
    uint64_t measured = 0, closed_form = 0;
};

struct RtlRun {
    Tensor out;
    uint64_t saturations = 0;
    uint64_t cycles = 0;                        // measured, summed over the chunks
    uint64_t closed_form = 0;                   // scan_chunk_cycles, summed over the chunks
    std::vector<ChunkCycles> chunks;            // every chunk, in run order
    std::vector<std::string> cycle_mismatches;  // chunks whose measured cycles differ from the closed form
};

// Channels per chunk: the case's group, or as many as fill the unit's slots.
inline int64_t group_of(const ScanCase& c, int lanes, int slots) {
    return c.group > 0 ? c.group
                       : std::min(c.channels, std::max<int64_t>(1, int64_t{lanes} * slots / c.states));
}

// Channel groups and sequence chunks, state carried from chunk to chunk (group outermost). `Unit` is a
// rtl::ScanUnitDriver or a ScanUnitModel: params() with lanes and slots, and run(op, chunk, saturations).
template <class Unit>
RtlRun run_rtl(Unit& unit, const ScanCase& c, const TensorStore& data, const systolic::ScanPipe& pipe) {
    RtlRun r;
    r.out = Tensor(DType::int8, {c.batch, c.len, c.channels});
    const systolic::ScanOperands op = operands(c, data, r.out);
    const auto p = unit.params();
    const int64_t group = group_of(c, p.lanes, p.slots);
    const int64_t chunk = c.chunk_len > 0 ? c.chunk_len : c.len;
    for (int64_t b = 0; b < c.batch; ++b) {
        for (int64_t ch0 = 0; ch0 < c.channels; ch0 += group) {
            const int64_t ch1 = std::min(c.channels, ch0 + group);
            std::vector<int32_t> state(static_cast<size_t>((ch1 - ch0) * c.states), 0);
            for (int64_t s0 = 0; s0 < c.len; s0 += chunk) {
                const int64_t steps = std::min(chunk, c.len - s0);
                const systolic::ScanChunk ck{b, s0, steps, ch0, ch1, state};
                const uint64_t got = unit.run(op, ck, r.saturations);
                const int64_t pairs = (ch1 - ch0) * c.states;
                const auto want = static_cast<uint64_t>(scan_chunk_cycles(pipe, pairs, steps));
                r.cycles += got;
                r.closed_form += want;
                r.chunks.push_back({pairs, steps, got, want});
                if (got != want) {
                    r.cycle_mismatches.push_back(
                        "chunk b=" + std::to_string(b) + " channels [" + std::to_string(ch0) + ", " +
                        std::to_string(ch1) + ") steps " + std::to_string(steps) + ": measured " +
                        std::to_string(got) + ", closed form " + std::to_string(want));
                }
            }
        }
    }
    return r;
}

// The first differing output with its context (batch, step, channel, the lanes and slots that held it,
// its inputs), or "" when the outputs are identical.
std::string first_mismatch(const ScanCase& c, const TensorStore& d, const Tensor& ref, const Tensor& got,
                           int lanes, int slots);

}  // namespace ssmsim::rtl
