// Widens sample 0's batch-1 workload to a batch. Every op of the LRA graphs works row by row, so the
// batch-N trace is the batch-1 trace with N times the rows: the weights and the quantization (calibrated
// on sample 0) stay as they are, and sample 0's logits are the batch-1 logits, bit for bit.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "sim/trace/trace_io.h"
#include "sim/util/rng.h"
#include "workloads/lra/batch.h"

namespace ssmsim::workloads {

namespace {

// Graph inputs that hold one row per sample (every other graph input is a parameter or a table shared by
// the batch). Tokens differ per sample; the transformer's position table is the same in every row. A
// per-row input missing here would leave an op with mismatched shapes, which validation refuses.
bool is_per_sample_input(const std::string& name) { return name == "tokens" || name == "pos_embedding"; }

}  // namespace

Trace widen_declarations(const Trace& one, int64_t batch) {
    Trace t = one;
    for (TensorDecl& td : t.tensors) {
        if (!td.is_graph_input() || is_per_sample_input(td.name)) td.shape.front() *= batch;
    }
    for (OpDecl& op : t.ops) {
        if (op.kind == "reshape") op.attrs["shape"] = t.tensor(op.outputs.front()).shape;
    }
    t.meta["batch"] = batch;
    return t;
}

namespace {

// The values of `one`, repeated `batch` times along the leading dimension.
Tensor repeat_rows(const Tensor& one, const Shape& shape, int64_t batch) {
    Tensor t(one.dtype(), shape);
    const auto src = one.bytes();
    auto dst = t.bytes();
    for (int64_t b = 0; b < batch; ++b) std::memcpy(dst.data() + b * src.size(), src.data(), src.size());
    return t;
}

}  // namespace

uint64_t sample_seed(uint64_t seed, int64_t b) {
    if (b == 0) return seed;
    return Rng::for_stream(seed, "sample." + std::to_string(b)).next_u64();
}

Workload widen_to_batch(const WorkloadSpec& spec, Workload one, const TraceCheck& check) {
    const int64_t n = spec.batch, len = spec.length();
    Trace t = widen_declarations(one.trace, n);
    if (check) check(t);  // before the other samples exist or any batch-sized tensor is allocated

    const Tensor& tokens0 = one.data.at("tokens");
    const Shape& token_shape = t.tensor("tokens").shape;  // [rows * n, len]
    Tensor tokens(DType::int32, token_shape);
    auto dst = tokens.as<int32_t>();
    std::ranges::copy(tokens0.as<int32_t>(), dst.begin());
    nlohmann::json labels = nlohmann::json::array({one.trace.meta.at("label")});
    const size_t per_sample = tokens0.as<int32_t>().size();
    for (int64_t b = 1; b < n; ++b) {
        const TaskInput in = make_input(spec.task, sample_seed(spec.seed, b), len);
        const Tensor rows = token_prefix(in, len);
        if (rows.as<int32_t>().size() != per_sample) throw std::logic_error("batch: samples of unequal size");
        std::ranges::copy(rows.as<int32_t>(), dst.begin() + static_cast<ptrdiff_t>(b * per_sample));
        labels.push_back(in.label);
    }
    t.meta["labels"] = std::move(labels);

    TensorStore data = std::move(one.data);
    data.at("tokens") = std::move(tokens);
    for (const TensorDecl& td : t.tensors) {
        if (td.is_graph_input() && td.name != "tokens" && is_per_sample_input(td.name))
            data.at(td.name) = repeat_rows(data.at(td.name), td.shape, n);
    }
    validate_trace(t, t.name);
    t.has_data = true;  // data lives in memory, not in files
    return {std::move(t), std::move(data)};
}

}  // namespace ssmsim::workloads
