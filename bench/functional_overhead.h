// What the model benchmarks share: a model's functional run against the C++ reference on the same data, in
// CPU seconds of this process (both runs are single-threaded: SystemC's processes are coroutines on the
// calling thread, and CPU time keeps the ratio honest on a machine shared with other work). Issue 17 bounds
// model/reference at 1.5x for the systolic and the GPU model.
#pragma once

#include <benchmark/benchmark.h>

#include <ctime>
#include <string>

#include "reference/executor.h"
#include "sim/backend/backend.h"
#include "workloads/lra/lra.h"

namespace ssmsim::bench {

inline double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

inline RunResult run_model(const std::string& model, const Trace& trace, const TensorStore* data) {
    auto backend = BackendRegistry::find(model)->make();
    RunRequest req{trace, data, nlohmann::json::object(), "", false};
    return backend->run(req);
}

// Counters: model_cpu_s, reference_cpu_s and their ratio model/reference.
inline void functional_overhead(benchmark::State& state, const std::string& model,
                                const workloads::WorkloadSpec& spec) {
    const workloads::Workload w = workloads::build_lra(spec);  // not timed
    double model_s = 0, ref_s = 0;
    for (auto _ : state) {
        const double t0 = cpu_seconds();
        auto r = run_model(model, w.trace, &w.data);
        const double t1 = cpu_seconds();
        auto ex = reference::execute(w.trace, w.data);
        const double t2 = cpu_seconds();
        benchmark::DoNotOptimize(r.outputs);
        benchmark::DoNotOptimize(ex.outputs);
        model_s += t1 - t0;
        ref_s += t2 - t1;
    }
    state.counters["model_cpu_s"] = model_s / static_cast<double>(state.iterations());
    state.counters["reference_cpu_s"] = ref_s / static_cast<double>(state.iterations());
    state.counters["model/reference"] = model_s / ref_s;
}

}  // namespace ssmsim::bench
