// Timing-only runs of the whole LRA suite (6 tasks x s4d, mamba, transformer at full length) on the
// systolic, GPU and neuromorphic models, trace building included, as `ssmsim run --timing-only` does it
// once per workload and model. Issue 19 bounds the shape-only path at 10 s on the 2-core machine;
// full_build is the path timing-only runs took before (weights drawn, calibrated, data dropped).
//   build/bench/bench_lra_timing_only --benchmark_filter=shape_only   # the bound
//   build/bench/bench_lra_timing_only                                 # both (full_build: about 90 s)
#include <benchmark/benchmark.h>

#include <string>

#include "bench/functional_overhead.h"
#include "models/gpu/backend.h"
#include "models/neuromorphic/backend.h"
#include "models/systolic/backend.h"
#include "workloads/lra/lra.h"

using namespace ssmsim;
using namespace ssmsim::workloads;

namespace {

void suite(benchmark::State& state, bool shape_only) {
    int64_t runs = 0;
    double cycles = 0;
    for (auto _ : state) {
        for (const auto& task : lra_tasks()) {
            for (Arch arch : lra_archs()) {
                for (const char* model : {"systolic", "gpu", "neuromorphic"}) {
                    WorkloadSpec spec;
                    spec.task = task.task;
                    spec.arch = arch;
                    const Trace trace = shape_only ? build_lra_shapes(spec) : build_lra(spec).trace;
                    cycles += bench::run_model(model, trace, nullptr).report["cycles"].get<double>();
                    ++runs;
                }
            }
        }
    }
    state.counters["runs"] = static_cast<double>(runs);
    state.counters["sim_cycles"] = cycles;
}

}  // namespace

int main(int argc, char** argv) {
    systolic::register_backend();
    gpu::register_backend();
    neuromorphic::register_backend();
    for (const bool shape_only : {true, false}) {
        benchmark::RegisterBenchmark(
            shape_only ? "lra_suite_x3_models/shape_only" : "lra_suite_x3_models/full_build", suite,
            shape_only)
            ->Unit(benchmark::kSecond)
            ->Iterations(1)
            ->UseRealTime();
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
