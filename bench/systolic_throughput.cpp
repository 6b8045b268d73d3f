// The systolic model's speed: timing-only runs of every LRA task x architecture at full size (seconds of
// host time per simulated inference), and functional runs against the C++ reference on the same data
// (the overhead ratio that DESIGN.md bounds at 1.5x).
//   build/bench/bench_systolic --benchmark_filter=timing/        # the whole LRA suite, timing only
//   build/bench/bench_systolic --benchmark_filter=functional/pathx/mamba
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "bench/functional_overhead.h"
#include "models/systolic/backend.h"
#include "sim/backend/backend.h"
#include "workloads/lra/lra.h"

using namespace ssmsim;
using namespace ssmsim::workloads;

namespace {

RunResult run_systolic(const Trace& trace, const TensorStore* data) {
    return bench::run_model("systolic", trace, data);
}

void timing_only(benchmark::State& state, WorkloadSpec spec) {
    const Workload w = build_lra(spec);  // not timed
    int64_t cycles = 0;
    for (auto _ : state) cycles = run_systolic(w.trace, nullptr).report["cycles"].get<int64_t>();
    state.counters["sim_cycles"] = static_cast<double>(cycles);
    state.counters["sim_cycles/s"] =
        benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsIterationInvariantRate);
}

void functional(benchmark::State& state, WorkloadSpec spec) {
    bench::functional_overhead(state, "systolic", spec);
}

}  // namespace

int main(int argc, char** argv) {
    systolic::register_backend();
    int64_t seq_len = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--seq-len=", 10) == 0) seq_len = std::stoll(argv[i] + 10);
    }
    for (const char* mode : {"timing", "functional"}) {
        for (const auto& task : lra_tasks()) {
            for (Arch arch : lra_archs()) {
                WorkloadSpec spec;
                spec.task = task.task;
                spec.arch = arch;
                spec.seq_len = seq_len;
                const std::string name =
                    std::string(mode) + "/" + std::string(task.name) + "/" + std::string(arch_name(arch));
                benchmark::RegisterBenchmark(name.c_str(),
                                             std::string(mode) == "timing" ? timing_only : functional, spec)
                    ->Unit(benchmark::kMillisecond)
                    ->Iterations(1)
                    ->UseRealTime();
            }
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
