// Simulated clock cycles per second of the Verilated scan unit (64 lanes, rtl/scan_unit.sv), driven as
// the `--scan-unit rtl` engine drives it: one chunk of 256 steps on a full group of (channel, state)
// pairs (q = 4 slots, so the unit issues every cycle). `cycles/s` counts every clock edge, the loading of
// parameters and state included; `busy_cycles/s` only the chunk's cycles from first beat in to last out.
#include <benchmark/benchmark.h>

#include <vector>

#include "Vscan_unit.h"
#include "rtl/harness/scan_driver.h"
#include "sim/numerics/tables.h"
#include "sim/util/rng.h"

namespace {

using namespace ssmsim;

template <typename T>
std::vector<T> random_values(Rng& rng, size_t n, int64_t lo, int64_t hi) {
    std::vector<T> v(n);
    for (auto& x : v)
        x = static_cast<T>(lo + static_cast<int64_t>(rng.below(static_cast<uint64_t>(hi - lo + 1))));
    return v;
}

void scan_unit_chunk(benchmark::State& st, bool selective) {
    const int64_t len = 256, n = selective ? 16 : 64, ch = 256 / n;  // 256 pairs: 4 slots of 64 lanes
    Rng rng(1);
    const auto u = random_values<int8_t>(rng, len * ch, -128, 127);
    const auto dt = random_values<int8_t>(rng, len * ch, 0, 127);
    const auto a = random_values<int16_t>(rng, ch * n, -2000, 0);
    const auto b = random_values<int8_t>(rng, len * n, -128, 127);
    const auto c = random_values<int8_t>(rng, len * n, -128, 127);
    const auto d = random_values<int32_t>(rng, ch, -1000, 1000);
    const auto abar = random_values<int32_t>(rng, ch * n, 30000, 32768);
    const auto bbar = random_values<int16_t>(rng, ch * n, -3000, 3000);
    const auto cs = random_values<int16_t>(rng, ch * n, -3000, 3000);
    const Tensor table = make_exp_table(0.01, 1024);
    std::vector<int8_t> out(len * ch);
    std::vector<int32_t> state(ch * n);

    systolic::ScanOperands op;
    op.selective = selective;
    op.batch = 1;
    op.len = len;
    op.channels = ch;
    op.states = n;
    op.u = u;
    op.delta = dt;
    op.a = a;
    op.b = b;
    op.c = c;
    op.exp_table = table.as<int32_t>();
    op.exp_shift = 2;
    op.abar = abar;
    op.bbar = bbar;
    op.cs4d = cs;
    op.d = d;
    op.y_shift = 12;
    op.mult = 1 << 20;
    op.shift = 30;
    op.out = out;

    rtl::ScanUnitDriver<Vscan_unit> unit(rtl::kScanUnit);
    uint64_t busy = 0, sat = 0;
    const uint64_t edges0 = unit.total_cycles();
    for (auto _ : st) {
        busy += unit.run(op, {0, 0, len, 0, ch, state}, sat);
        benchmark::DoNotOptimize(out.data());
    }
    st.counters["cycles/s"] =
        benchmark::Counter(static_cast<double>(unit.total_cycles() - edges0), benchmark::Counter::kIsRate);
    st.counters["busy_cycles/s"] = benchmark::Counter(static_cast<double>(busy), benchmark::Counter::kIsRate);
    st.counters["lane_updates/s"] =
        benchmark::Counter(static_cast<double>(st.iterations() * len * ch * n), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(scan_unit_chunk, s4d_n64, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(scan_unit_chunk, selective_n16, true)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
