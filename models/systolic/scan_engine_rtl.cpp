// The "rtl" scan engine (`--scan-unit rtl`): every chunk runs through the Verilated scan unit
// (rtl/scan_unit.sv, docs/rtl.md), clocked here cycle by cycle. The engine is called from a tile's work
// inside the SystemC model; it drives the C++ model's clock itself, because a Verilated SystemC module
// would need its own sc_start inside a running simulation. Every chunk's measured cycles must equal the
// TLM closed form (scan_timing.h) for the unit's lanes, depth and output latency: a mismatch is a bug.
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "models/systolic/scan_engine.h"
#include "models/systolic/scan_timing.h"

#if SSMSIM_HAVE_RTL
#include "Vscan_unit.h"
#include "rtl/harness/scan_driver.h"
#endif

namespace ssmsim::systolic {

#if SSMSIM_HAVE_RTL

namespace {

rtl::DriverOptions engine_options() {
    rtl::DriverOptions o;
    if (const char* w = std::getenv("SSMSIM_RTL_WAVES")) o.waves = w;  // FST of the whole run
    return o;
}

class RtlScanEngine : public ScanEngine {
public:
    RtlScanEngine() : unit_(rtl::kScanUnit, engine_options()) {}

    std::string name() const override { return "rtl"; }

    void run(const ScanOperands& op, const ScanChunk& ck, uint64_t& sat) override {
        const uint64_t got = unit_.run(op, ck, sat);
        const ScanPipe pipe{rtl::kScanUnit.lanes, rtl::kScanDepth, rtl::kScanOutputLatency};
        const auto want =
            static_cast<uint64_t>(scan_chunk_cycles(pipe, (ck.ch1 - ck.ch0) * op.states, ck.steps));
        if (got != want) {
            throw std::logic_error("scan unit RTL took " + std::to_string(got) + " cycles for a chunk of " +
                                   std::to_string(ck.steps) + " steps x " + std::to_string(ck.ch1 - ck.ch0) +
                                   " channels; the TLM closed form gives " + std::to_string(want));
        }
        cycles_ += got;
    }

    uint64_t measured_cycles() const override { return cycles_; }

private:
    rtl::ScanUnitDriver<Vscan_unit> unit_;
    uint64_t cycles_ = 0;
};

}  // namespace

std::unique_ptr<ScanEngine> make_rtl_scan_engine() { return std::make_unique<RtlScanEngine>(); }
bool have_rtl_scan_engine() { return true; }

#else

std::unique_ptr<ScanEngine> make_rtl_scan_engine() {
    throw std::invalid_argument(
        "scan.unit: this ssmsim was built without Verilator, so there is no \"rtl\" engine");
}
bool have_rtl_scan_engine() { return false; }

#endif

}  // namespace ssmsim::systolic
