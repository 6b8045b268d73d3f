// The GPU model's speed: timing-only runs of LRA workloads at full size (host seconds per simulated
// inference; the trace is built outside the timed loop), and the model's predicted time on H100.
//   build/bench/bench_gpu --benchmark_filter=timing/pathx/mamba      # the figure
//   build/bench/bench_gpu                                            # every task x architecture
#include <benchmark/benchmark.h>

#include <string>

#include "models/gpu/backend.h"
#include "sim/backend/backend.h"
#include "workloads/lra/lra.h"

using namespace ssmsim;
using namespace ssmsim::workloads;

namespace {

void timing_only(benchmark::State& state, WorkloadSpec spec) {
    const Workload w = build_lra(spec);  // not timed
    auto backend = BackendRegistry::find("gpu")->make();
    double seconds = 0;
    for (auto _ : state) {
        RunRequest req{w.trace, nullptr, nlohmann::json::object(), "", false};
        seconds = backend->run(req).report["seconds"].get<double>();
    }
    state.counters["simulated_ms"] = seconds * 1e3;
    state.counters["ops"] = static_cast<double>(w.trace.ops.size());
}

}  // namespace

int main(int argc, char** argv) {
    gpu::register_backend();
    for (const auto& task : lra_tasks()) {
        for (Arch arch : lra_archs()) {
            WorkloadSpec spec;
            spec.task = task.task;
            spec.arch = arch;
            const std::string name = "timing/" + std::string(task.name) + "/" + std::string(arch_name(arch));
            benchmark::RegisterBenchmark(name.c_str(), timing_only, spec)
                ->Unit(benchmark::kSecond)
                ->UseRealTime();
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
