// The systolic model's speed: timing-only runs of every LRA task x architecture at full size (seconds of
// host time per simulated inference), and functional runs against the C++ reference on the same data
// (the overhead ratio that DESIGN.md bounds at 1.5x).
//   build/bench/bench_systolic --benchmark_filter=timing/        # the whole LRA suite, timing only
//   build/bench/bench_systolic --benchmark_filter=functional/pathx/mamba
#include <benchmark/benchmark.h>

#include <cstring>
#include <ctime>
#include <string>

#include "models/systolic/backend.h"
#include "reference/executor.h"
#include "sim/backend/backend.h"
#include "workloads/lra/lra.h"

using namespace ssmsim;
using namespace ssmsim::workloads;

namespace {

RunResult run_systolic(const Trace& trace, const TensorStore* data) {
    auto backend = BackendRegistry::find("systolic")->make();
    RunRequest req{trace, data, nlohmann::json::object(), "", false};
    return backend->run(req);
}

void timing_only(benchmark::State& state, WorkloadSpec spec) {
    const Workload w = build_lra(spec);  // not timed
    int64_t cycles = 0;
    for (auto _ : state) cycles = run_systolic(w.trace, nullptr).report["cycles"].get<int64_t>();
    state.counters["sim_cycles"] = static_cast<double>(cycles);
    state.counters["sim_cycles/s"] =
        benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsIterationInvariantRate);
}

// CPU seconds of this process: both runs are single-threaded (SystemC's processes are coroutines on the
// calling thread), and CPU time keeps the ratio honest on a machine shared with other work.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void functional(benchmark::State& state, WorkloadSpec spec) {
    const Workload w = build_lra(spec);  // not timed
    double model = 0, ref = 0;
    for (auto _ : state) {
        const double t0 = cpu_seconds();
        auto r = run_systolic(w.trace, &w.data);
        const double t1 = cpu_seconds();
        auto ex = reference::execute(w.trace, w.data);
        const double t2 = cpu_seconds();
        benchmark::DoNotOptimize(r.outputs);
        benchmark::DoNotOptimize(ex.outputs);
        model += t1 - t0;
        ref += t2 - t1;
    }
    state.counters["model_cpu_s"] = model / static_cast<double>(state.iterations());
    state.counters["reference_cpu_s"] = ref / static_cast<double>(state.iterations());
    state.counters["model/reference"] = model / ref;
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
