// Issue 19's bound, end to end: `ssmsim compare --workloads lra:all --models systolic,gpu,neuromorphic
// --timing-only` (18 workloads x 3 models at full length, batch 1: shape-only traces, the runs, compare.csv,
// compare.json, the per-task plots through python3 + matplotlib, index.html) must finish in at most 10 s on
// the 2-core machine. compare lives in the ssmsim executable, so the benchmark runs the binary, as a user
// would, into a fresh folder per iteration; the wall time is the figure (CPU time of this process is ~0).
//   build/bench/bench_compare_lra_timing_only
//   build/bench/bench_compare_lra_timing_only --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#ifndef SSMSIM_BINARY
#error "SSMSIM_BINARY (the ssmsim executable's path) must be defined by the build"
#endif

namespace fs = std::filesystem;

namespace {

void compare_lra_all(benchmark::State& state) {
    const fs::path out = fs::temp_directory_path() / "ssmsim_bench_compare_lra";
    const std::string cmd =
        std::string("'") + SSMSIM_BINARY +
        "' compare --workloads lra:all --models systolic,gpu,neuromorphic --timing-only -q"
        " --out '" +
        out.string() + "' > /dev/null";
    for (auto _ : state) {
        state.PauseTiming();
        fs::remove_all(out);
        state.ResumeTiming();
        if (std::system(cmd.c_str()) != 0) {
            state.SkipWithError("ssmsim compare failed");
            break;
        }
    }
    state.counters["rows"] = 54;
    fs::remove_all(out);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::RegisterBenchmark("compare/lra_all_x3_models/timing_only", compare_lra_all)
        ->Unit(benchmark::kSecond)
        ->Iterations(1)
        ->UseRealTime();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
