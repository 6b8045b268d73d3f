// Reference throughput on every LRA task x architecture at full size (or --seq-len N): seconds per run and
// MAC/s. This is the baseline that every hardware model's overhead is measured against.
//   build/bench/bench_reference [--benchmark_filter=pathx/mamba] [--seq-len=N]
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "reference/executor.h"
#include "sim/ops/op_schema.h"
#include "workloads/lra/lra.h"

using namespace ssmsim;
using namespace ssmsim::workloads;

namespace {

void run_reference(benchmark::State& state, WorkloadSpec spec) {
    const Workload w = build_lra(spec);  // not timed: generation and quantization
    const int64_t macs = total_cost(w.trace).macs;
    for (auto _ : state) {
        auto ex = reference::execute(w.trace, w.data);
        benchmark::DoNotOptimize(ex.outputs);
    }
    state.counters["GMAC"] = static_cast<double>(macs) / 1e9;
    state.counters["MAC/s"] =
        benchmark::Counter(static_cast<double>(macs), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["seq_len"] = static_cast<double>(spec.length());
}

}  // namespace

int main(int argc, char** argv) {
    int64_t seq_len = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--seq-len=", 10) == 0) seq_len = std::stoll(argv[i] + 10);
    }
    for (const auto& task : lra_tasks()) {
        for (Arch arch : lra_archs()) {
            WorkloadSpec spec;
            spec.task = task.task;
            spec.arch = arch;
            spec.seq_len = seq_len;
            const std::string name = std::string(task.name) + "/" + std::string(arch_name(arch));
            benchmark::RegisterBenchmark(name.c_str(), run_reference, spec)
                ->Unit(benchmark::kSecond)
                ->Iterations(1)
                ->UseRealTime();
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
