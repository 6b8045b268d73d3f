// Loading a large trace: load_trace (read, JSON parse with depth and duplicate-key checks, schema, graph and
// op checks) on a generated shape-only trace of N ops (100,000 by default). The goal is under 2 s for 100k
// ops; the callback-based JSON parse this replaced took 89 s, quadratic in the number of ops.
//   build/bench/bench_trace_load [--ops=N]
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/trace/trace_io.h"
#include "sim/util/atomic_file.h"

using namespace ssmsim;
namespace fs = std::filesystem;

namespace {

// A chain of float32 relu and linear ops, x0 -> x1 -> ... -> xN, the linear ops sharing one weight and bias.
std::string chain_trace(int64_t ops) {
    using nlohmann::json;
    const json act = {{"dtype", "float32"}, {"shape", {1, 4, 8}}};
    json tensors = {{"x0", act},
                    {"w", {{"dtype", "float32"}, {"shape", {8, 8}}}},
                    {"b", {{"dtype", "float32"}, {"shape", {8}}}}};
    json list = json::array();
    for (int64_t i = 0; i < ops; ++i) {
        const std::string in = fmt::format("x{}", i), out = fmt::format("x{}", i + 1),
                          name = fmt::format("op{}", i);
        tensors[out] = act;
        if (i % 2 == 0) {
            list.push_back({{"name", name}, {"kind", "relu"}, {"inputs", {in}}, {"outputs", {out}}});
        } else {
            list.push_back({{"name", name},
                            {"kind", "linear"},
                            {"inputs", {in, "w", "b"}},
                            {"outputs", {out}},
                            {"attrs", json::object()}});
        }
    }
    const json trace = {{"format", "ssmsim-trace"},
                        {"version", 1},
                        {"name", "chain"},
                        {"numerics", "float32"},
                        {"meta", json::object()},
                        {"tensors", tensors},
                        {"ops", list},
                        {"outputs", {fmt::format("x{}", ops)}}};
    return trace.dump(1);
}

void load(benchmark::State& state, const fs::path& dir, int64_t ops) {
    for (auto _ : state) {
        const Trace t = load_trace(dir);
        benchmark::DoNotOptimize(t.ops.size());
    }
    state.counters["ops"] = static_cast<double>(ops);
    state.counters["bytes"] = static_cast<double>(fs::file_size(dir / "trace.json"));
}

}  // namespace

int main(int argc, char** argv) {
    int64_t ops = 100000;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--ops=", 6) == 0) ops = std::stoll(argv[i] + 6);
    }
    const fs::path dir = fs::temp_directory_path() / ("ssmsim_bench_trace_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    write_file_atomic(dir / "trace.json", chain_trace(ops));
    benchmark::RegisterBenchmark(("load_trace/" + std::to_string(ops) + "_ops").c_str(), load, dir, ops)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    fs::remove_all(dir);
    return 0;
}
