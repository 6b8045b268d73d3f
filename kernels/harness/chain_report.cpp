#include "kernels/harness/chain_report.h"

#include <cuda_runtime.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "kernels/cuda_check.h"
#include "kernels/harness/cuda_timing.h"
#include "kernels/harness/device_store.h"
#include "kernels/harness/median.h"
#include "kernels/ops.h"
#include "kernels/scan_generic.h"

namespace ssmsim::cuda {

namespace {

// Median time of `launch` in milliseconds over `reps` event-timed launches after one warm-up.
double time_ms(const std::function<void()>& launch, int reps) {
    const Events ev(2);
    launch();
    std::vector<double> t;
    for (int i = 0; i < reps; ++i) t.push_back(time_between_events_ms(ev, launch));
    return median(t);
}

struct Shape4 {
    const char* what;
    bool selective;
    int64_t batch, len, ch, state;
};

}  // namespace

int run_chain_report(const std::string& json_out) {
    const double mhz = sm_clock_mhz();
    const double chain = scan_chain_cycles_per_step(1 << 20, ChainForm::checked);
    const double unchecked = scan_chain_cycles_per_step(1 << 20, ChainForm::unchecked);
    const double naive = scan_chain_cycles_per_step(1 << 20, ChainForm::naive);
    fmt::print(
        "SM clock {:.0f} MHz; dependency chain of one scan step: {:.1f} cycles (speculative, without the "
        "saturation: {:.1f}; the contract's helpers as written: {:.1f})\n",
        mhz, chain, unchecked, naive);
    const std::vector<Shape4> shapes = {
        {"pathx:s4d", false, 1, 16384, 256, 64},       {"text:s4d", false, 1, 4096, 256, 64},
        {"image:s4d", false, 1, 1024, 512, 64},        {"N=4 grid point", false, 1, 4096, 256, 4},
        {"pathx:s4d b32", false, 32, 16384, 256, 64},  {"pathx:mamba", true, 1, 16384, 512, 16},
        {"image:mamba", true, 1, 1024, 1024, 16},      {"text:mamba b32", true, 32, 4096, 512, 16},
        {"pathx:mamba b32", true, 32, 16384, 512, 16},
    };
    nlohmann::ordered_json doc = {{"sm_clock_mhz", mhz},
                                  {"chain_cycles_per_step", chain},
                                  {"unchecked_chain_cycles_per_step", unchecked},
                                  {"naive_chain_cycles_per_step", naive},
                                  {"shapes", nlohmann::json::array()}};
    fmt::print("{:<16} {:>3} {:>6} {:>5} {:>3} | {:>10} {:>10} | {:>12} {:>12} | {:>8}\n", "shape", "B", "L",
               "ch", "N", "fast ms", "generic ms", "fast cyc/st", "gen cyc/st", "vs chain");
    for (const Shape4& s : shapes) {
        const int64_t act = s.batch * s.len * s.ch;
        DeviceBuffer u(act), dt(act), y(act), bm(s.batch * s.len * s.state), cm(s.batch * s.len * s.state);
        DeviceBuffer a16(2 * s.ch * s.state), w32(4 * s.ch * s.state), w16b(2 * s.ch * s.state),
            w16c(2 * s.ch * s.state), d(4 * s.ch), table(4 * 4096);
        fill_random(static_cast<int8_t*>(u.get()), act, 1, -128, 127);
        fill_random(static_cast<int8_t*>(dt.get()), act, 2, 0, 127);
        fill_random(static_cast<int8_t*>(bm.get()), s.batch * s.len * s.state, 3, -128, 127);
        fill_random(static_cast<int8_t*>(cm.get()), s.batch * s.len * s.state, 4, -128, 127);
        fill_random(static_cast<int16_t*>(a16.get()), s.ch * s.state, 5, -2000, -1);
        fill_random(static_cast<int32_t*>(w32.get()), s.ch * s.state, 6, 20000, 32768);
        fill_random(static_cast<int16_t*>(w16b.get()), s.ch * s.state, 7, -2000, 2000);
        fill_random(static_cast<int16_t*>(w16c.get()), s.ch * s.state, 8, -2000, 2000);
        fill_random(static_cast<int32_t*>(d.get()), s.ch, 9, -1000, 1000);
        fill_random(static_cast<int32_t*>(table.get()), 4096, 10, 0, 32768);
        const ScanShape sh{s.batch, s.len, s.ch, s.state, false};
        std::function<void()> fast, generic;
        auto* out = static_cast<int8_t*>(y.get());
        if (s.selective) {
            const SelectiveScanI8 p{static_cast<int8_t*>(u.get()),
                                    static_cast<int8_t*>(dt.get()),
                                    static_cast<int16_t*>(a16.get()),
                                    static_cast<int8_t*>(bm.get()),
                                    static_cast<int8_t*>(cm.get()),
                                    static_cast<int32_t*>(d.get()),
                                    static_cast<int32_t*>(table.get()),
                                    4096,
                                    nullptr,
                                    nullptr,
                                    8,
                                    12,
                                    {1000, 20},
                                    {}};
            fast = [=] { selective_scan_i8(p, sh, out, nullptr); };
            generic = [=] { selective_scan_i8_generic(p, sh, out, nullptr); };
        } else {
            const S4dScanI8 p{static_cast<int8_t*>(u.get()),
                              static_cast<int32_t*>(w32.get()),
                              static_cast<int16_t*>(w16b.get()),
                              static_cast<int16_t*>(w16c.get()),
                              static_cast<int32_t*>(d.get()),
                              24,
                              {1000, 20}};
            fast = [=] { s4d_scan_i8(p, sh, out, nullptr); };
            generic = [=] { s4d_scan_i8_generic(p, sh, out, nullptr); };
        }
        const double fast_ms = time_ms(fast, 5);
        const double gen_ms = time_ms(generic, s.batch > 1 ? 1 : 3);
        check(cudaDeviceSynchronize(), "scan kernels");
        const auto cycles = [&](double ms) { return ms * 1e3 * mhz / static_cast<double>(s.len); };
        fmt::print("{:<16} {:>3} {:>6} {:>5} {:>3} | {:>10.3f} {:>10.3f} | {:>12.1f} {:>12.1f} | {:>7.2f}x\n",
                   s.what, s.batch, s.len, s.ch, s.state, fast_ms, gen_ms, cycles(fast_ms), cycles(gen_ms),
                   cycles(fast_ms) / chain);
        doc["shapes"].push_back({{"shape", s.what},
                                 {"kernel", s.selective ? "selective_scan_i8" : "s4d_scan_i8"},
                                 {"batch", s.batch},
                                 {"len", s.len},
                                 {"ch", s.ch},
                                 {"state", s.state},
                                 {"fast_ms", fast_ms},
                                 {"generic_ms", gen_ms},
                                 {"fast_cycles_per_step", cycles(fast_ms)},
                                 {"generic_cycles_per_step", cycles(gen_ms)}});
    }
    if (!json_out.empty()) std::ofstream(json_out) << doc.dump(2) << "\n";
    return 0;
}

}  // namespace ssmsim::cuda
