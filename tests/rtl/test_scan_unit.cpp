// The Verilated scan unit against the reference scan, bit for bit: constrained-random cases on both
// parameter sets, and the corners (every saturation, extreme delta, zero input, one lane, all lanes,
// back-pressure), with each chunk's cycles equal to the TLM closed form (models/systolic/scan_timing.h).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "rtl/harness/memh.h"
#include "tests/rtl/rtl_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;

namespace {

// A random case within what the unit supports (N a power of two >= 2^log_nmin, q <= slots).
ScanCase random_case(Rng& rng, const rtl::ScanUnitParams& p, std::initializer_list<int64_t> states, int i) {
    return rtl::random_case(rng, p.lanes, p.slots, p.table_depth, states, i);
}

constexpr auto kBig = rtl::kScanUnit;
constexpr auto kSmall = rtl::kScanUnitSmall;

TEST(RtlScanUnit, RandomCasesMatchTheReference) {
    Rng rng(2024);
    for (int i = 0; i < 40; ++i) {
        const ScanCase c = random_case(rng, kBig, {4, 8, 16, 32, 64, 128, 256}, i);
        expect_bit_exact<Vscan_unit>(c, kBig);
        if (HasFailure()) return;  // the first failing case says enough
    }
}

TEST(RtlScanUnit, RandomCasesMatchTheReferenceOnFourLanes) {
    Rng rng(7);
    for (int i = 0; i < 60; ++i) {
        const ScanCase c = random_case(rng, kSmall, {1, 2, 4, 8, 16, 32, 64}, i);
        expect_bit_exact<Vscan_unit_small>(c, kSmall);
        if (HasFailure()) return;
    }
}

TEST(RtlScanUnit, EverySaturatingStepIsCountedLikeTheReference) {
    // The state, both ways and on all 64 lanes (16 channels x 4 states): Abar = 1.0 and the largest B.x
    // every step, so h reaches 2^31 - 1 (or -2^31) in step 517 and then saturates every step.
    for (const int64_t bbar : {int64_t{32767}, int64_t{-32768}}) {
        ScanCase state{.name = "sat_state", .selective = false, .len = 600, .channels = 16, .states = 4};
        state.abar_lo = state.abar_hi = 32768;
        state.bbar_lo = state.bbar_hi = bbar;
        state.u_lo = state.u_hi = 127;
        const RtlRun r = expect_bit_exact<Vscan_unit>(state, kBig);
        EXPECT_GE(r.saturations, 64u * 84u) << "bbar " << bbar;  // every pair, steps 517..600
    }
    // ys (y_shift 0 with large C.h), with_skip (D near 2^31), requant (large mult), gate (large gate_mult).
    ScanCase out{
        .name = "sat_outputs", .selective = true, .gated = true, .len = 20, .channels = 16, .states = 16};
    out.y_shift = 0;
    out.d_lo = (int64_t{1} << 31) - 4096;
    out.d_hi = (int64_t{1} << 31) - 1;
    out.mult = (int64_t{1} << 31) - 1;
    out.shift = 20;
    out.gate_mult = int64_t{1} << 20;
    out.gate_shift = 4;
    const RtlRun o = expect_bit_exact<Vscan_unit>(out, kBig);
    EXPECT_GT(o.saturations, 20u * 16u);  // more than one saturation per output
}

TEST(RtlScanUnit, TheStateUpdatesRoundingReachesTheOutput) {
    // Small states (|B.x| <= 4, Abar < 1) summed with C = 1 and requantized by exactly 1 (mult 2^20,
    // shift 20): every output is sum_k h_k, so one LSB of rshift_round(Abar.h, 15) changes it. The
    // random cases rarely see such an LSB through y_shift and requant; this case catches a rounding change
    // (rtl/scripts/mutation.sh) on both models.
    ScanCase c{.name = "rounding", .selective = false, .len = 64, .channels = 16, .states = 4};
    c.abar_lo = 16384;
    c.abar_hi = 30000;
    c.bbar_lo = c.u_lo = -2;
    c.bbar_hi = c.u_hi = 2;
    c.c_lo = c.c_hi = 1;
    c.d_lo = c.d_hi = 0;
    c.y_shift = 0;
    c.mult = int64_t{1} << 20;
    c.shift = 20;
    const RtlRun r = expect_bit_exact<Vscan_unit>(c, kBig);
    int unsaturated_nonzero = 0;
    for (const int8_t v : r.out.as<int8_t>()) unsaturated_nonzero += v != 0 && v > -127 && v < 127;
    EXPECT_GT(unsaturated_nonzero, 64 * 16 / 2);  // the outputs carry the states' low bits
    expect_bit_exact<Vscan_unit_small>(c, kSmall);
}

TEST(RtlScanUnit, ExtremeDeltaClampsTheTableIndex) {
    for (int exp_shift : {0, 40}) {
        for (int table_size : {1, 4096}) {
            ScanCase c{.name = "extreme_dt", .selective = true, .len = 16, .channels = 8, .states = 16};
            c.exp_shift = exp_shift;
            c.table_size = table_size;
            c.dt_lo = -128;  // negative indices clamp to entry 0, the largest ones to entry T - 1
            c.dt_hi = 127;
            c.a_lo = -32768;
            c.a_hi = 32767;
            c.seed = static_cast<uint64_t>(exp_shift * 10000 + table_size);
            expect_bit_exact<Vscan_unit>(c, kBig);
        }
    }
}

TEST(RtlScanUnit, ZeroInputGivesTheReferenceOutput) {
    for (bool selective : {true, false}) {
        ScanCase c{.name = "zero", .selective = selective, .len = 10, .channels = 8, .states = 8};
        c.u_lo = c.u_hi = 0;
        c.dt_lo = c.dt_hi = 0;
        expect_bit_exact<Vscan_unit>(c, kBig);
    }
}

TEST(RtlScanUnit, OneLaneAndAllLanes) {
    // One pair: a single channel with a single state (4 lanes, N = 1), and one channel of N_min on 64 lanes.
    expect_bit_exact<Vscan_unit_small>(
        {.name = "one_lane", .selective = true, .len = 9, .channels = 1, .states = 1}, kSmall);
    expect_bit_exact<Vscan_unit>(
        {.name = "one_channel", .selective = false, .len = 9, .channels = 1, .states = 4}, kBig);
    // Every lane of every slot busy: 64 channels x 16 states = 1024 pairs = 64 lanes x 16 slots.
    const RtlRun all = expect_bit_exact<Vscan_unit>({.name = "all_lanes",
                                                     .selective = true,
                                                     .gated = true,
                                                     .len = 5,
                                                     .channels = 64,
                                                     .states = 16,
                                                     .group = 64},
                                                    kBig);
    EXPECT_EQ(all.cycles, static_cast<uint64_t>(4 * 16 + 15 + 4 + 6));  // (5 - 1) * 16 + 16 - 1 + 4 + 6
    // Every output stage busy: N = 4 puts 16 channels in each beat, one per output stage, gated.
    expect_bit_exact<Vscan_unit>(
        {.name = "all_outputs", .selective = true, .gated = true, .len = 9, .channels = 48, .states = 4},
        kBig);
}

TEST(RtlScanUnit, CyclesEqualTheClosedFormWhenSlotsAreFewerThanTheDepth) {
    // q = 1: each step waits for the previous state write (max(q, D) = 4 cycles per step).
    const RtlRun r = expect_bit_exact<Vscan_unit>(
        {.name = "stall", .selective = false, .len = 30, .channels = 3, .states = 16, .group = 3}, kBig);
    EXPECT_EQ(r.cycles, static_cast<uint64_t>(29 * 4 + 0 + 4 + 6));
    // N > lanes: a channel spans 4 slots, its sum accumulates over 4 beats.
    expect_bit_exact<Vscan_unit_small>(
        {.name = "wide", .selective = true, .len = 7, .channels = 3, .states = 16}, kSmall);
}

TEST(RtlScanUnit, BackPressureKeepsTheOutputsExact) {
    Rng rng(99);
    rtl::DriverOptions o;
    o.output_ready = [&](uint64_t) { return rng.below(3) != 0; };
    o.input_valid = [&](uint64_t) { return rng.below(4) != 0; };
    for (bool selective : {true, false}) {
        ScanCase c{.name = "backpressure",
                   .selective = selective,
                   .gated = selective,
                   .len = 20,
                   .channels = 12,
                   .states = 16,
                   .chunk_len = 7};
        const RtlRun r = expect_bit_exact<Vscan_unit>(c, kBig, o, false);
        EXPECT_GT(r.cycles, r.closed_form);  // stalls cost cycles, never results
    }
}

TEST(RtlScanUnit, TablesLoadedByReadmemhFromTheGenerator) {
    // The exp table and the SiLU LUT of build_scan(), written as $readmemh files from the generators'
    // tensors; the unit reads them at start and the driver does not write them again.
    ScanCase c{.name = "readmemh", .selective = true, .gated = true, .len = 12, .channels = 8, .states = 16};
    c.table_size = 1000;
    c.table_step = 0.004;
    const rtl::ScanOp tb = build_scan(c);
    const auto dir =
        std::filesystem::temp_directory_path() / ("ssmsim_rtl_memh_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string exp_file = (dir / "exp.hex").string(), silu_file = (dir / "silu.hex").string();
    rtl::write_memh(exp_file, tb.data.at("exp_table").as<int32_t>(), 4);
    rtl::write_memh(silu_file, tb.data.at("silu").as<int8_t>(), 2);

    rtl::DriverOptions o;
    o.plusargs = {"+scan_exp_table=" + exp_file, "+scan_silu_lut=" + silu_file};
    rtl::ScanUnitDriver<Vscan_unit> unit(kBig, o);
    unit.assume_exp_table(tb.data.at("exp_table").as<int32_t>());
    unit.assume_silu_lut(tb.data.at("silu").as<int8_t>());
    const RtlRun got = run_rtl(unit, c, tb.data);
    const rtl::ReferenceResult ref = run_reference(tb);
    EXPECT_EQ(first_mismatch(c, tb.data, ref.out, got.out, kBig.lanes, kBig.slots), "");
    EXPECT_EQ(got.saturations, ref.saturations);
    std::filesystem::remove_all(dir);
}

TEST(RtlScanUnit, DumpsFstWaves) {
    const auto path =
        std::filesystem::temp_directory_path() / ("ssmsim_rtl_" + std::to_string(::getpid()) + ".fst");
    rtl::DriverOptions o;
    o.waves = path.string();
    expect_bit_exact<Vscan_unit_small>({.name = "waves", .len = 4, .channels = 2, .states = 4}, kSmall, o);
    ASSERT_TRUE(std::filesystem::exists(path));
    EXPECT_GT(std::filesystem::file_size(path), 1000u);
    std::filesystem::remove(path);
}

TEST(RtlScanUnit, AMismatchNamesTheFirstDifferenceWithItsLanesAndInputs) {
    // What a failing comparison prints: two outputs changed, the earlier one (t 5, channel 3) is named, with
    // the lanes and slot that held channel 3's 16 states (pairs 48..63) and that step's inputs.
    const ScanCase c{.name = "report", .selective = true, .len = 12, .channels = 8, .states = 16};
    const rtl::ScanOp tb = build_scan(c);
    const rtl::ReferenceResult ref = run_reference(tb);
    Tensor bad = ref.out;
    const size_t i = 5 * 8 + 3;
    bad.as<int8_t>()[i + 1] ^= 1;
    bad.as<int8_t>()[i] ^= 4;
    const std::string m = first_mismatch(c, tb.data, ref.out, bad, kBig.lanes, kBig.slots);
    const int want = ref.out.as<int8_t>()[i];
    const std::string head =
        "first difference at batch 0, t 5, channel 3 (lanes 48..63, slots 0..0): reference " +
        std::to_string(want) + ", RTL " + std::to_string(want ^ 4) + "; inputs u " +
        std::to_string(tb.data.at("u").as<int8_t>()[i]) + ", D " +
        std::to_string(tb.data.at("D").as<int32_t>()[3]) + ", delta " +
        std::to_string(tb.data.at("delta").as<int8_t>()[i]);
    EXPECT_EQ(m.substr(0, head.size()), head) << m;
    EXPECT_EQ(first_mismatch(c, tb.data, ref.out, ref.out, kBig.lanes, kBig.slots), "");

    // The waves a failure writes under SSMSIM_RTL_WAVES_DIR: the case rerun with an FST dump.
    const auto dir =
        std::filesystem::temp_directory_path() / ("ssmsim_rtl_dump_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = dump_waves<Vscan_unit>(c, kBig, {}, dir.string());
    EXPECT_EQ(path, (dir / "report.fst").string());
    EXPECT_GT(std::filesystem::file_size(path), 1000u);
    std::filesystem::remove_all(dir);
}

TEST(RtlScanUnit, RefusesWhatTheUnitCannotRun) {
    const rtl::ScanOp tb = build_scan({.name = "n3", .states = 3});
    Tensor out(DType::int8, {1, 12, 8});
    const ScanCase c{.name = "n3", .states = 3};
    const systolic::ScanOperands op = operands(c, tb.data, out);
    std::vector<int32_t> state(8 * 3);
    rtl::ScanUnitDriver<Vscan_unit> unit(kBig);
    uint64_t sat = 0;
    try {
        unit.run(op, {0, 0, 12, 0, 8, state}, sat);
        FAIL() << "N = 3 ran";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("power of two"), std::string::npos) << e.what();
    }
}

}  // namespace

namespace {

TEST(RtlScanUnit, TheVerifyCommandsCornersPassOnFourLanes) {
    // The corner list `ssmsim rtl verify` runs (rtl/verify/scan_case.cpp), sized for the 4-lane model.
    for (const rtl::Corner& k :
         rtl::corner_cases(kSmall.lanes, kSmall.log_nmin, kSmall.slots, kSmall.table_depth)) {
        Rng rng(k.c.seed);
        rtl::DriverOptions o;
        if (k.back_pressure) {
            o.output_ready = [&](uint64_t) { return rng.below(3) != 0; };
            o.input_valid = [&](uint64_t) { return rng.below(4) != 0; };
        }
        expect_bit_exact<Vscan_unit_small>(k.c, kSmall, o, !k.back_pressure);
        if (HasFailure()) return;
    }
}

}  // namespace
