// The scan unit's functional interface: one channel group over one sequence chunk, with the int32 state
// carried in and out. The TLM engine computes it in C++; the Verilated RTL (issue 5, `--scan-unit rtl`)
// implements the same interface, so the controller and the tests swap one for the other.
// The unit owns the whole per-step pipeline of docs/numerics.md: the decay lookup, the rounding multiply,
// the saturating add, the C.h reduction and the output stage (y_shift, D skip, requantization, gate).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace ssmsim::systolic {

struct ScanOperands {
    bool selective = true;  // selective_scan (Mamba S6); false: s4d_scan
    int64_t batch = 0, len = 0, channels = 0, states = 0;
    bool reverse = false;
    // selective_scan
    std::span<const int8_t> u, delta, b, c, z, silu;
    std::span<const int16_t> a;
    std::span<const int32_t> exp_table;
    int exp_shift = 0;
    int64_t gate_mult = 0;
    int gate_shift = 0;
    // s4d_scan
    std::span<const int32_t> abar;
    std::span<const int16_t> bbar, cs4d;
    // both
    std::span<const int32_t> d;
    int y_shift = 0, shift = 0;
    int64_t mult = 0;
    std::span<int8_t> out;
};

struct ScanChunk {
    int64_t batch = 0;
    int64_t step0 = 0, steps = 0;  // scan-order steps [step0, step0 + steps)
    int64_t ch0 = 0, ch1 = 0;      // channels [ch0, ch1)
    std::span<int32_t> state;      // (ch1 - ch0) * states, in and out
};

class ScanEngine {
public:
    virtual ~ScanEngine() = default;
    virtual std::string name() const = 0;
    // Runs the chunk; adds every counted saturation to `saturations`.
    virtual void run(const ScanOperands& op, const ScanChunk& chunk, uint64_t& saturations) = 0;
    // Clock cycles the engine measured over every chunk so far (the RTL's); 0 for an engine without a clock.
    virtual uint64_t measured_cycles() const { return 0; }
};

// "tlm": the C++ engine. "rtl": the Verilated scan unit (rtl/scan_unit.sv, docs/rtl.md).
std::unique_ptr<ScanEngine> make_scan_engine(const std::string& kind);
// The "rtl" engine; throws std::invalid_argument in a build without Verilator.
std::unique_ptr<ScanEngine> make_rtl_scan_engine();
// Whether this build has the "rtl" engine.
bool have_rtl_scan_engine();

// A user's scan unit standing in for the built-in Verilated one (`ssmsim rtl verify`, docs/rtl.md): while
// set, scan.unit "rtl" makes its engines with `make`, and the config must give its lanes, pipeline depth
// and output latency instead of the built-in unit's.
struct RtlScanOverride {
    int64_t lanes = 0, depth = 0, output_latency = 0;
    std::function<std::unique_ptr<ScanEngine>()> make;
};
void set_rtl_scan_override(RtlScanOverride o);
void clear_rtl_scan_override();
const RtlScanOverride* rtl_scan_override();  // nullptr when none is set

}  // namespace ssmsim::systolic
