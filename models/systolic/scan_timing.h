// Cycles of the scan unit (docs/models/systolic.md, "Scan unit"). P lanes each hold a pipelined
// multiply-add of depth D. A chunk maps `pairs` (channel, state) pairs onto the lanes round robin
// (pair p -> lane p mod P, slot p / P), so a lane holds q = ceil(pairs / P) slots. A lane issues
// (step t, slot j) in order; step t of a slot needs step t-1's result, D cycles after its issue. So
//   issue(t, j) = t * max(q, D) + j,   cycles = (steps - 1) * max(q, D) + q - 1 + D + output_latency,
// where output_latency covers the C.h reduction tree and the output stage (skip, requantization, gate).
#pragma once

#include <cstdint>

namespace ssmsim::systolic {

struct ScanPipe {
    int64_t lanes, depth, output_latency;
};

int64_t scan_chunk_cycles(const ScanPipe& p, int64_t pairs, int64_t steps);

// The same count obtained by stepping the lanes' issue logic one cycle at a time (a scoreboard per slot,
// in-order issue). Slow; tests use it to check the closed form.
int64_t scan_chunk_cycles_stepped(const ScanPipe& p, int64_t pairs, int64_t steps);

}  // namespace ssmsim::systolic
