// Runs one scan op on the C++ reference and on a Verilated scan unit, chunk by chunk with the state
// carried between chunks, and compares the outputs byte for byte and the saturation counts. On a mismatch
// it names the first differing (channel, t), the lanes that held the channel and the inputs; with
// SSMSIM_RTL_WAVES_DIR set it reruns the case with an FST wave dump there.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "Vscan_unit.h"
#include "Vscan_unit_small.h"
#include "Vscan_unit_traced.h"
#include "models/systolic/scan_engine.h"
#include "models/systolic/scan_timing.h"
#include "rtl/harness/scan_driver.h"
#include "rtl/verify/scan_check.h"

namespace ssmsim::testing {

using rtl::build_scan;
using rtl::describe;
using rtl::first_mismatch;
using rtl::operands;
using rtl::RtlRun;
using rtl::run_reference;
using rtl::ScanCase;
using rtl::ScanOp;

template <class Model>
RtlRun run_rtl(rtl::ScanUnitDriver<Model>& unit, const ScanCase& c, const TensorStore& data) {
    return rtl::run_rtl(unit, c, data, {unit.params().lanes, rtl::kScanDepth, rtl::kScanOutputLatency});
}

// The model with tracing compiled in for a parameter set: Vscan_unit is built without (rtl/CMakeLists.txt).
template <class Model>
struct TracedModel {
    using type = Model;
};
template <>
struct TracedModel<Vscan_unit> {
    using type = Vscan_unit_traced;
};

// Reruns a case on a fresh unit with an FST dump of every cycle into `dir`; returns the file's path.
template <class Model>
std::string dump_waves(const ScanCase& c, rtl::ScanUnitParams params, rtl::DriverOptions options,
                       const std::string& dir) {
    const ScanOp tb = build_scan(c);
    options.waves = (std::filesystem::path(dir) / (c.name + ".fst")).string();
    rtl::ScanUnitDriver<typename TracedModel<Model>::type> unit(params, options);
    run_rtl(unit, c, tb.data);
    return options.waves;
}

// Reference vs RTL on one case: outputs byte for byte, saturations, and (unless flow control stalls the
// unit) every chunk's cycles equal to the closed form. Returns the RTL run for further checks.
template <class Model>
RtlRun expect_bit_exact(const ScanCase& c, rtl::ScanUnitParams params, rtl::DriverOptions options = {},
                        bool exact_cycles = true) {
    const ScanOp tb = build_scan(c);
    const rtl::ReferenceResult ref = run_reference(tb);
    RtlRun got;
    {
        rtl::ScanUnitDriver<Model> unit(params, options);
        got = run_rtl(unit, c, tb.data);
    }
    const std::string diff = first_mismatch(c, tb.data, ref.out, got.out, params.lanes, params.slots);
    EXPECT_EQ(diff, "") << describe(c);
    EXPECT_EQ(got.saturations, ref.saturations) << describe(c);
    if (exact_cycles) {
        EXPECT_TRUE(got.cycle_mismatches.empty()) << describe(c) << ": " << got.cycle_mismatches.front();
    }
    if (!diff.empty()) {
        if (const char* dir = std::getenv("SSMSIM_RTL_WAVES_DIR")) {
            ADD_FAILURE() << "waves of the failing case: " << dump_waves<Model>(c, params, options, dir);
        } else {
            ADD_FAILURE() << "set SSMSIM_RTL_WAVES_DIR=<folder> to dump this case's FST waves";
        }
    }
    return got;
}

}  // namespace ssmsim::testing
