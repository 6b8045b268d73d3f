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
#include "sim/numerics/tables.h"
#include "tests/support/op_harness.h"

namespace ssmsim::testing {

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

inline std::string describe(const ScanCase& c) {
    std::ostringstream s;
    s << c.name << " [" << (c.selective ? "selective" : "s4d") << (c.gated ? " gated" : "")
      << (c.reverse ? " reverse" : "") << " B=" << c.batch << " L=" << c.len << " E=" << c.channels
      << " N=" << c.states << " group=" << c.group << " chunk=" << c.chunk_len << " T=" << c.table_size
      << " exp_shift=" << c.exp_shift << " y_shift=" << c.y_shift << " mult=" << c.mult
      << " shift=" << c.shift << " seed=" << c.seed << "]";
    return s.str();
}

inline TraceBuilder build_scan(const ScanCase& c) {
    Rng rng(c.seed);
    const Shape act{c.batch, c.len, c.channels}, pair{c.channels, c.states}, row{c.batch, c.len, c.states};
    OpSpec s;
    s.out_shape = act;
    if (c.selective) {
        s.kind = "selective_scan";
        s.inputs = {{"u", random_tensor<int8_t>(rng, act, c.u_lo, c.u_hi)},
                    {"delta", random_tensor<int8_t>(rng, act, c.dt_lo, c.dt_hi)},
                    {"A", random_tensor<int16_t>(rng, pair, c.a_lo, c.a_hi)},
                    {"B", random_tensor<int8_t>(rng, row, c.bc_lo, c.bc_hi)},
                    {"C", random_tensor<int8_t>(rng, row, c.bc_lo, c.bc_hi)},
                    {"D", random_tensor<int32_t>(rng, {c.channels}, c.d_lo, c.d_hi)},
                    {"exp_table", make_exp_table(c.table_step, c.table_size)}};
        s.attrs = {{"exp_shift", c.exp_shift},
                   {"y_shift", c.y_shift},
                   {"mult", c.mult},
                   {"shift", c.shift},
                   {"reverse", c.reverse}};
        if (c.gated) {
            s.inputs.emplace_back("z", random_tensor<int8_t>(rng, act, -128, 127));
            s.inputs.emplace_back("silu", make_lut8(LutFn::silu, 0.05, 0.04));
            s.attrs["gate_mult"] = c.gate_mult;
            s.attrs["gate_shift"] = c.gate_shift;
        }
    } else {
        s.kind = "s4d_scan";
        s.inputs = {{"u", random_tensor<int8_t>(rng, act, c.u_lo, c.u_hi)},
                    {"Abar", random_tensor<int32_t>(rng, pair, c.abar_lo, c.abar_hi)},
                    {"Bbar", random_tensor<int16_t>(rng, pair, c.bbar_lo, c.bbar_hi)},
                    {"C", random_tensor<int16_t>(rng, pair, c.c_lo, c.c_hi)},
                    {"D", random_tensor<int32_t>(rng, {c.channels}, c.d_lo, c.d_hi)}};
        s.attrs = {{"y_shift", c.y_shift}, {"mult", c.mult}, {"shift", c.shift}, {"reverse", c.reverse}};
    }
    return one_op(s);
}

// The op's operands as the scan engines see them (models/systolic/map_scan.cpp does the same for traces).
inline systolic::ScanOperands operands(const ScanCase& c, const TensorStore& d, Tensor& out) {
    systolic::ScanOperands s;
    s.selective = c.selective;
    s.batch = c.batch;
    s.len = c.len;
    s.channels = c.channels;
    s.states = c.states;
    s.reverse = c.reverse;
    s.y_shift = c.y_shift;
    s.mult = c.mult;
    s.shift = c.shift;
    s.u = d.at("u").as<int8_t>();
    s.d = d.at("D").as<int32_t>();
    if (c.selective) {
        s.delta = d.at("delta").as<int8_t>();
        s.a = d.at("A").as<int16_t>();
        s.b = d.at("B").as<int8_t>();
        s.c = d.at("C").as<int8_t>();
        s.exp_table = d.at("exp_table").as<int32_t>();
        s.exp_shift = c.exp_shift;
        if (c.gated) {
            s.z = d.at("z").as<int8_t>();
            s.silu = d.at("silu").as<int8_t>();
            s.gate_mult = c.gate_mult;
            s.gate_shift = c.gate_shift;
        }
    } else {
        s.abar = d.at("Abar").as<int32_t>();
        s.bbar = d.at("Bbar").as<int16_t>();
        s.cs4d = d.at("C").as<int16_t>();
    }
    s.out = out.as<int8_t>();
    return s;
}

struct RtlRun {
    Tensor out;
    uint64_t saturations = 0;
    uint64_t cycles = 0;                        // measured, summed over the chunks
    uint64_t closed_form = 0;                   // scan_chunk_cycles, summed over the chunks
    std::vector<std::string> cycle_mismatches;  // chunks whose measured cycles differ from the closed form
};

// Channel groups and sequence chunks, state carried from chunk to chunk (group outermost).
template <class Model>
RtlRun run_rtl(rtl::ScanUnitDriver<Model>& unit, const ScanCase& c, const TensorStore& data) {
    RtlRun r;
    r.out = Tensor(DType::int8, {c.batch, c.len, c.channels});
    const systolic::ScanOperands op = operands(c, data, r.out);
    const auto& p = unit.params();
    const int64_t fill = std::max<int64_t>(1, p.lanes * p.slots / c.states);
    const int64_t group = c.group > 0 ? c.group : std::min(c.channels, fill);
    const int64_t chunk = c.chunk_len > 0 ? c.chunk_len : c.len;
    const systolic::ScanPipe pipe{p.lanes, rtl::kScanDepth, rtl::kScanOutputLatency};
    for (int64_t b = 0; b < c.batch; ++b) {
        for (int64_t ch0 = 0; ch0 < c.channels; ch0 += group) {
            const int64_t ch1 = std::min(c.channels, ch0 + group);
            std::vector<int32_t> state(static_cast<size_t>((ch1 - ch0) * c.states), 0);
            for (int64_t s0 = 0; s0 < c.len; s0 += chunk) {
                const int64_t steps = std::min(chunk, c.len - s0);
                const systolic::ScanChunk ck{b, s0, steps, ch0, ch1, state};
                const uint64_t got = unit.run(op, ck, r.saturations);
                const auto want =
                    static_cast<uint64_t>(scan_chunk_cycles(pipe, (ch1 - ch0) * c.states, steps));
                r.cycles += got;
                r.closed_form += want;
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

// The first differing output with its context, or "" when the outputs are identical.
inline std::string first_mismatch(const ScanCase& c, const TensorStore& d, const Tensor& ref,
                                  const Tensor& got, int lanes, int slots) {
    const auto a = ref.as<int8_t>(), b = got.as<int8_t>();
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == b[i]) continue;
        const int64_t e = static_cast<int64_t>(i) % c.channels, bt = static_cast<int64_t>(i) / c.channels;
        const int64_t t = bt % c.len, bi = bt / c.len;
        const int64_t group =
            c.group > 0 ? c.group : std::min(c.channels, std::max<int64_t>(1, lanes * slots / c.states));
        const int64_t p0 = (e % group) * c.states;
        std::ostringstream s;
        s << "first difference at batch " << bi << ", t " << t << ", channel " << e << " (lanes "
          << p0 % lanes << ".." << (p0 + c.states - 1) % lanes << ", slots " << p0 / lanes << ".."
          << (p0 + c.states - 1) / lanes << "): reference " << int{a[i]} << ", RTL " << int{b[i]}
          << "; inputs u " << int{d.at("u").as<int8_t>()[i]} << ", D " << d.at("D").as<int32_t>()[e];
        if (c.selective) {
            s << ", delta " << int{d.at("delta").as<int8_t>()[i]} << ", A[e,0] "
              << d.at("A").as<int16_t>()[e * c.states] << ", B[t,0] "
              << int{d.at("B").as<int8_t>()[bt * c.states]} << ", C[t,0] "
              << int{d.at("C").as<int8_t>()[bt * c.states]};
            if (c.gated) s << ", z " << int{d.at("z").as<int8_t>()[i]};
        } else {
            s << ", Abar[e,0] " << d.at("Abar").as<int32_t>()[e * c.states] << ", Bbar[e,0] "
              << d.at("Bbar").as<int16_t>()[e * c.states] << ", C[e,0] "
              << d.at("C").as<int16_t>()[e * c.states];
        }
        return s.str();
    }
    return "";
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
    const TraceBuilder tb = build_scan(c);
    options.waves = (std::filesystem::path(dir) / (c.name + ".fst")).string();
    rtl::ScanUnitDriver<typename TracedModel<Model>::type> unit(params, options);
    run_rtl(unit, c, tb.data());
    return options.waves;
}

// Reference vs RTL on one case: outputs byte for byte, saturations, and (unless flow control stalls the
// unit) every chunk's cycles equal to the closed form. Returns the RTL run for further checks.
template <class Model>
RtlRun expect_bit_exact(const ScanCase& c, rtl::ScanUnitParams params, rtl::DriverOptions options = {},
                        bool exact_cycles = true) {
    const TraceBuilder tb = build_scan(c);
    const OpResult ref = tb.run();
    RtlRun got;
    {
        rtl::ScanUnitDriver<Model> unit(params, options);
        got = run_rtl(unit, c, tb.data());
    }
    const std::string diff = first_mismatch(c, tb.data(), ref.out, got.out, params.lanes, params.slots);
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
