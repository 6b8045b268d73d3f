// Fuzz target: a trace folder's trace.json through load_trace (JSON, schema, names, shapes, graph, op rules,
// .npy headers), then what `validate` and the reference do with a trace that passed: cost, peak memory,
// the data, and, when the trace is small, a run of the reference on it. A trace that validation accepts
// must never crash the reference, so the run is part of the target.
#include <cmath>
#include <cstdlib>

#include "reference/executor.h"
#include "sim/ops/op_schema.h"
#include "sim/trace/npy.h"
#include "sim/trace/trace_io.h"
#include "sim/util/error.h"
#include "sim/util/rng.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace ssmsim;

// Runs stay cheap so that the fuzzer keeps its pace; bigger traces are only validated.
constexpr int64_t kMaxRunBytes = int64_t{1} << 20;
constexpr int64_t kMaxRunWork = int64_t{1} << 20;

// Small values: tokens stay inside small vocabularies, tables and biases stay plausible.
Tensor synthesize(const TensorDecl& td, uint64_t seed) {
    Tensor t(td.dtype, td.shape);
    Rng rng = Rng::for_stream(seed, td.name);
    switch (td.dtype) {
        case DType::int8:
            for (auto& v : t.as<int8_t>()) v = static_cast<int8_t>(rng.next_u64());
            break;
        case DType::int16:
            for (auto& v : t.as<int16_t>()) v = static_cast<int16_t>(rng.next_u64() % 16);
            break;
        case DType::int32:
            for (auto& v : t.as<int32_t>()) v = static_cast<int32_t>(rng.next_u64() % 16);
            break;
        case DType::float32:
            for (auto& v : t.as<float>()) v = static_cast<float>(rng.next_u64() % 2001) / 1000.0f - 1.0f;
            break;
    }
    return t;
}

// .npy files a fuzzed trace may name (the seed corpus uses them): int8 and float32 embedding tables, tokens,
// a lookup table, and a float32 table holding a NaN.
void write_fixtures(const std::filesystem::path& dir) {
    std::vector<int8_t> table(16 * 8);
    std::vector<float> ftable(16 * 8);
    for (size_t i = 0; i < table.size(); ++i) {
        table[i] = static_cast<int8_t>(i * 7 % 256 - 128);
        ftable[i] = static_cast<float>(i % 9) / 4.0f - 1.0f;
    }
    write_npy(dir / "table.npy", Tensor::from<int8_t>({16, 8}, table));
    write_npy(dir / "table_f32.npy", Tensor::from<float>({16, 8}, ftable));
    ftable[37] = NAN;
    write_npy(dir / "table_nan.npy", Tensor::from<float>({16, 8}, ftable));
    write_npy(dir / "tokens.npy", Tensor::from<int32_t>({1, 4}, {3, 1, 4, 15}));
    std::vector<int8_t> lut(256);
    for (size_t i = 0; i < lut.size(); ++i) lut[i] = static_cast<int8_t>(i / 2);
    write_npy(dir / "lut.npy", Tensor::from<int8_t>({256}, lut));
}

const std::filesystem::path& trace_dir() {
    static const std::filesystem::path dir = [] {
        const auto d = fuzz::scratch_dir() / "trace";
        std::filesystem::create_directories(d);
        write_fixtures(d);
        return d;
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::write_file(trace_dir() / "trace.json", data, size);
    try {
        const Trace t = load_trace(trace_dir());
        const OpCost cost = total_cost(t);
        const LiveBytes peak = peak_live_bytes(t);
        if (cost.macs < 0 || cost.vector_ops < 0 || peak.bytes <= 0) std::abort();
        if (peak.bytes > kMaxRunBytes || cost.macs + cost.vector_ops > kMaxRunWork) return 0;
        TensorStore store;
        if (t.has_data) {
            store = load_tensor_data(t);
        } else {
            for (const auto& td : t.tensors) {
                if (td.is_graph_input()) store.emplace(td.name, synthesize(td, 1));
            }
        }
        const reference::Execution ex = reference::execute(t, std::move(store));
        for (const auto& name : t.outputs) {
            const auto it = ex.outputs.find(name);
            if (it == ex.outputs.end() || it->second.shape() != t.tensor(name).shape ||
                it->second.dtype() != t.tensor(name).dtype) {
                std::abort();  // every declared output comes back as declared
            }
        }
    } catch (const InputError&) {
    }
    return 0;
}
