#include "models/systolic/scan_timing.h"

#include <algorithm>
#include <vector>

namespace ssmsim::systolic {

int64_t scan_chunk_cycles(const ScanPipe& p, int64_t pairs, int64_t steps) {
    if (pairs <= 0 || steps <= 0) return 0;
    const int64_t q = (pairs + p.lanes - 1) / p.lanes;
    return (steps - 1) * std::max(q, p.depth) + q - 1 + p.depth + p.output_latency;
}

int64_t scan_chunk_cycles_stepped(const ScanPipe& p, int64_t pairs, int64_t steps) {
    if (pairs <= 0 || steps <= 0) return 0;
    int64_t last_result = 0;
    for (int64_t lane = 0; lane < std::min(p.lanes, pairs); ++lane) {
        const int64_t slots = (pairs - lane + p.lanes - 1) / p.lanes;  // pairs lane, lane + P, ...
        std::vector<int64_t> ready(slots, 0);  // cycle when each slot's previous result is available
        int64_t t = 0, j = 0;
        for (int64_t cycle = 0; t < steps; ++cycle) {
            if (ready[j] <= cycle) {  // in-order issue: stall until this slot's previous step is done
                ready[j] = cycle + p.depth;
                last_result = std::max(last_result, ready[j]);
                if (++j == slots) {
                    j = 0;
                    ++t;
                }
            }
        }
    }
    return last_result + p.output_latency;
}

}  // namespace ssmsim::systolic
