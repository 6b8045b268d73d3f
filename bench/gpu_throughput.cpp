// The GPU model's speed: timing-only runs of LRA workloads at full size (host seconds per simulated
// inference; the trace is built outside the timed loop), with the model's predicted time on H100; and
// functional runs, computed CTA by CTA, against the C++ reference on the same data (model/reference).
//   build/bench/bench_gpu --benchmark_filter=timing/pathx/mamba      # timing only, one workload
//   build/bench/bench_gpu --benchmark_filter=functional/             # issue 17's four workloads
//   build/bench/bench_gpu --seq-len=1024 ...                         # every workload at another length
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "bench/functional_overhead.h"
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
            const std::string id = std::string(task.name) + "/" + std::string(arch_name(arch));
            benchmark::RegisterBenchmark(("timing/" + id).c_str(), timing_only, spec)
                ->Unit(benchmark::kSecond)
                ->UseRealTime();
            benchmark::RegisterBenchmark(
                ("functional/" + id).c_str(),
                [](benchmark::State& st, WorkloadSpec sp) { bench::functional_overhead(st, "gpu", sp); },
                spec)
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
