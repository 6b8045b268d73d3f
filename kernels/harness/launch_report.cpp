#include "kernels/harness/launch_report.h"

#include <cuda_runtime.h>
#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "kernels/cuda_check.h"
#include "kernels/harness/cuda_timing.h"
#include "kernels/harness/median.h"
#include "kernels/ops.h"

namespace ssmsim::cuda {

namespace {

constexpr int kKernels = 1000;  // kernels per timed pass
constexpr int kReps = 10;       // timed passes (after two untimed ones); the median is reported

// Nanoseconds per kernel of `pass` (which enqueues kKernels launches), queued behind a GPU-side wait long
// enough for the host to enqueue the whole pass first.
double ns_per_kernel(const std::function<void()>& pass) {
    const Events ev(2);
    std::vector<double> t;
    for (int rep = 0; rep < kReps + 2; ++rep) {
        hold_gpu(20.0);
        const double ms = time_between_events_ms(ev, pass);
        if (rep >= 2) t.push_back(1e6 * ms / kKernels);
    }
    return median(t);
}

// Nanoseconds per kernel of kKernels launches of `one` in the three ways ssmsim times work.
struct Modes {
    double graph_ns, stream_ns, events_ns;
};
Modes time_modes(const std::function<void()>& one) {
    Modes m{};
    {
        // 1. One CUDA Graph of kKernels kernels, replayed (whole runs).
        const CapturedGraph graph([&] {
            for (int i = 0; i < kKernels; ++i) one();
        });
        m.graph_ns = ns_per_kernel([&] { graph.launch(); });
    }
    // 2. Back to back in one stream (the kernel grid).
    m.stream_ns = ns_per_kernel([&] {
        for (int i = 0; i < kKernels; ++i) one();
    });
    // 3. An event recorded after each launch, as per-op timing does (kernels/harness/gpu_executor.cpp).
    const Events after(kKernels);
    m.events_ns = ns_per_kernel([&] {
        for (int i = 0; i < kKernels; ++i) {
            one();
            after.record(i);
        }
    });
    return m;
}

}  // namespace

int run_launch_report(const std::string& json_out) {
    const Modes empty = time_modes([] { launch_empty(); });
    // Kernels that run for a while (one thread waiting on the global timer): whether a launch's cost
    // overlaps the kernel before it, in each way. The difference from the graph is what a mode adds.
    constexpr double kBusyUs[] = {5.0, 20.0};
    Modes busy[2];
    for (int i = 0; i < 2; ++i) busy[i] = time_modes([&] { hold_gpu(kBusyUs[i] * 1e-3); });

    fmt::print("{} kernels per pass, median of {} passes (ns per kernel):\n", kKernels, kReps);
    fmt::print("  {:22} {:>10} {:>10} {:>10}\n", "", "empty", "busy 5 us", "busy 20 us");
    fmt::print("  {:22} {:10.1f} {:10.1f} {:10.1f}\n", "CUDA Graph nodes", empty.graph_ns, busy[0].graph_ns,
               busy[1].graph_ns);
    fmt::print("  {:22} {:10.1f} {:10.1f} {:10.1f}\n", "stream, back to back", empty.stream_ns,
               busy[0].stream_ns, busy[1].stream_ns);
    fmt::print("  {:22} {:10.1f} {:10.1f} {:10.1f}\n", "stream, event after each", empty.events_ns,
               busy[0].events_ns, busy[1].events_ns);
    if (!json_out.empty()) {
        auto modes = [](const Modes& m) {
            return nlohmann::json{{"graph_node_ns", m.graph_ns},
                                  {"stream_ns", m.stream_ns},
                                  {"stream_with_events_ns", m.events_ns}};
        };
        nlohmann::json j = modes(empty);  // the empty kernels' figures at the top level, as before
        j["kernels_per_pass"] = kKernels;
        j["passes"] = kReps;
        j["busy_5us"] = modes(busy[0]);
        j["busy_20us"] = modes(busy[1]);
        std::ofstream f(json_out);
        f << j.dump(2) << "\n";
        if (!f) throw std::runtime_error("cannot write " + json_out);
    }
    return 0;
}

}  // namespace ssmsim::cuda
