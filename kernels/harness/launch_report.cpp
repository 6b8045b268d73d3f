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

constexpr int kKernels = 1000;  // empty kernels per timed pass
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

}  // namespace

int run_launch_report(const std::string& json_out) {
    // 1. One CUDA Graph of kKernels empty kernels, replayed.
    double graph_ns = 0;
    {
        const CapturedGraph graph([] {
            for (int i = 0; i < kKernels; ++i) launch_empty();
        });
        graph_ns = ns_per_kernel([&] { graph.launch(); });
    }
    // 2. Back-to-back launches of one stream.
    const double stream_ns = ns_per_kernel([] {
        for (int i = 0; i < kKernels; ++i) launch_empty();
    });
    // 3. An event recorded after each launch, as per-op timing does (kernels/harness/gpu_executor.cpp).
    const Events after(kKernels);
    const double per_op_ns = ns_per_kernel([&] {
        for (int i = 0; i < kKernels; ++i) {
            launch_empty();
            after.record(i);
        }
    });

    fmt::print("empty kernels, {} per pass, median of {} passes (ns per kernel):\n", kKernels, kReps);
    fmt::print("  CUDA Graph nodes           {:8.1f}\n", graph_ns);
    fmt::print("  stream, back to back       {:8.1f}\n", stream_ns);
    fmt::print("  stream, event after each   {:8.1f}\n", per_op_ns);
    if (!json_out.empty()) {
        const nlohmann::json j = {{"kernels_per_pass", kKernels},
                                  {"passes", kReps},
                                  {"graph_node_ns", graph_ns},
                                  {"stream_ns", stream_ns},
                                  {"stream_with_events_ns", per_op_ns}};
        std::ofstream f(json_out);
        f << j.dump(2) << "\n";
        if (!f) throw std::runtime_error("cannot write " + json_out);
    }
    return 0;
}

}  // namespace ssmsim::cuda
