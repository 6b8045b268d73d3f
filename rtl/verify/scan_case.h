// The scan cases the RTL is checked on (docs/rtl.md, "Tests" and "ssmsim rtl verify"): one selective_scan
// or s4d_scan op with random inputs in chosen ranges, its reference result, and the operands as the scan
// engines see them. Shared by the GoogleTest suite (tests/rtl/) and `ssmsim rtl verify`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/systolic/scan_engine.h"
#include "sim/trace/trace.h"
#include "sim/util/rng.h"

namespace ssmsim::rtl {

struct ScanCase {
    std::string name;
    bool selective = true, gated = false, reverse = false;
    int64_t batch = 1, len = 12, channels = 8, states = 16;
    int64_t group = 0;      // channels per chunk (0: as many as fill the unit's slots)
    int64_t chunk_len = 0;  // steps per chunk (0: the whole sequence)
    int table_size = 256, exp_shift = 2, y_shift = 10, shift = 24, gate_shift = 10;
    double table_step = 0.01;
    int64_t mult = 1 << 20, gate_mult = 1 << 9;
    // Inclusive value ranges of the inputs.
    int64_t u_lo = -128, u_hi = 127, dt_lo = 0, dt_hi = 127, a_lo = -2000, a_hi = 0, bc_lo = -128,
            bc_hi = 127;
    int64_t abar_lo = 20000, abar_hi = 32768, bbar_lo = -3000, bbar_hi = 3000, c_lo = -3000, c_hi = 3000;
    int64_t d_lo = -100000, d_hi = 100000;
    uint64_t seed = 1;
};

std::string describe(const ScanCase& c);

// The case as a one-op trace with its input data (validated like a loaded trace).
struct ScanOp {
    Trace trace;
    TensorStore data;
};
ScanOp build_scan(const ScanCase& c);

struct ReferenceResult {
    Tensor out;
    uint64_t saturations = 0;
};
ReferenceResult run_reference(const ScanOp& op);

// The op's operands as the scan engines see them (models/systolic/map_scan.cpp does the same for traces);
// `out` receives the outputs.
systolic::ScanOperands operands(const ScanCase& c, const TensorStore& d, Tensor& out);

// A random case within what a unit of `lanes` x `slots` supports, N drawn from `states`.
ScanCase random_case(Rng& rng, int lanes, int slots, int table_depth, const std::vector<int64_t>& states,
                     int i);

// The N a unit supports and the random cases draw from: powers of two from 2^log_nmin up to
// min(256, lanes * slots).
std::vector<int64_t> supported_states(int lanes, int log_nmin, int slots);

// A corner case: the class it covers, the case, and whether it runs under random flow control.
struct Corner {
    std::string cls;
    ScanCase c;
    bool back_pressure = false;
};

// Every corner class sized for a unit of these parameters (classes the unit cannot reach are left out).
std::vector<Corner> corner_cases(int lanes, int log_nmin, int slots, int table_depth);

}  // namespace ssmsim::rtl
