// Dispatch, shared rules, and the vector-unit ops. GEMMs and attention: map_gemm.cpp; scans: map_scan.cpp.
#include "models/systolic/mapper.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "models/systolic/gemm_timing.h"
#include "models/systolic/vector_ops.h"
#include "sim/ops/value_checks.h"

namespace ssmsim::systolic {

const char* unit_name(UnitId u) {
    switch (u) {
        case UnitId::array:
            return "array";
        case UnitId::scan:
            return "scan";
        case UnitId::vector:
            return "vector";
    }
    return "?";
}

Mapper::Mapper(const Spec& spec, const Trace& trace, FunctionalState* fn)
    : spec_(spec), trace_(trace), fn_(fn), act_(spec.activations.bytes) {}

bool Mapper::is_parameter(const std::string& tensor) const {
    const TensorDecl& t = trace_.tensor(tensor);
    if (!t.is_graph_input()) return false;
    // Token ids are the one graph input that is an activation: they stream from DRAM into the gather.
    for (const auto& op : trace_.ops) {
        if (op.kind == "embedding" && op.inputs[0] == tensor) return false;
    }
    return true;
}

int64_t Mapper::staging_bytes() const { return std::max<int64_t>(1024, spec_.activations.bytes / 8); }

bool Mapper::place_output(const OpDecl& op, int64_t reserve) {
    const std::string& out = op.outputs[0];
    for (const auto& o : trace_.outputs) {
        if (o == out) return false;  // graph outputs end in DRAM
    }
    return act_.place(out, trace_.tensor(out).nbytes(), reserve);
}

Tensor& Mapper::alloc_output(const OpDecl& op) {
    const TensorDecl& d = trace_.tensor(op.outputs[0]);
    auto [it, _] = fn_->store.insert_or_assign(d.name, Tensor(d.dtype, d.shape));
    return it->second;
}

void Mapper::retire(size_t i) {
    const OpDecl& op = trace_.ops[i];
    const std::set<std::string> outs(trace_.outputs.begin(), trace_.outputs.end());
    for (const auto& name : op.inputs) {
        const TensorDecl& t = trace_.tensor(name);
        if (t.last_reader != static_cast<int>(i) || outs.count(name)) continue;
        act_.release(name);
        if (fn_) fn_->store.erase(name);
    }
}

OpPlan Mapper::plan(size_t i) {
    const OpDecl& op = trace_.ops[i];
    const std::string& kind = op.kind;
    if (fn_) {  // the contract's value checks, before the op's first tile computes anything
        const TensorStore& st = fn_->store;
        check_op_values(trace_, op, [&](size_t k) -> const Tensor& { return st.at(op.inputs[k]); });
    }
    if (kind == "linear" || kind == "classifier") return gemm(i);
    if (kind == "attention") return attention(i);
    if (kind == "selective_scan" || kind == "s4d_scan") return scan(i);
    if (kind == "reshape") return reshape(i);
    return vector(i);
}

namespace {

// Element passes of the vector unit per output element (docs/models/systolic.md, "Vector unit").
int64_t vector_passes(const OpDecl& op, const Trace& trace) {
    if (op.kind == "rmsnorm") return 2;    // sum of squares, then normalise and requantize
    if (op.kind == "layernorm") return 3;  // sum, sum of centred squares, normalise
    if (op.kind == "conv1d_causal_depthwise")
        return trace.tensor(op.inputs[1]).shape[1] + 1;  // taps + requant
    return 1;  // LUT ops, mul, add, gate, pool (one add per input element), embedding (copy)
}

}  // namespace

OpPlan Mapper::vector(size_t i) {
    const OpDecl& op = trace_.ops[i];
    OpPlan p;
    const TensorDecl& out = trace_.tensor(op.outputs[0]);
    const bool pool = op.kind == "pool";
    const bool gather = op.kind == "embedding";
    // Rows of the iteration space: the first input's rows (pool and embedding: its time steps).
    const VectorRows vr = vector_rows(trace_, op);
    const int64_t row_elems = vr.row_elems, rows = vr.rows;
    const int64_t passes = vector_passes(op, trace_);

    int64_t params = 0, in_row_bytes = 0, act_read = 0;
    for (size_t k = 0; k < op.inputs.size(); ++k) {
        const TensorDecl& t = trace_.tensor(op.inputs[k]);
        if (gather && k == 1) {
            // A table that fits the weight SRAM is loaded once and gathered on chip; else rows come from
            // DRAM.
            if (t.nbytes() <= spec_.weights.bytes) params += t.nbytes();
            continue;
        }
        if (is_parameter(t.name)) {
            params += t.nbytes();
            continue;
        }
        act_read += t.nbytes();
        if (!act_.resident(t.name)) in_row_bytes += t.nbytes() / rows;
    }
    const bool gather_dram = gather && trace_.tensor(op.inputs[1]).nbytes() > spec_.weights.bytes;
    if (gather_dram) in_row_bytes += row_elems;  // one table row per token, gathered from DRAM
    const int64_t out_row_bytes = pool ? 0 : out.nbytes() / rows;
    const bool out_res = place_output(op, staging_bytes());
    const int64_t stream_row_bytes = in_row_bytes + (out_res ? 0 : out_row_bytes);

    int64_t tile_rows = rows;
    if (stream_row_bytes > 0) {
        tile_rows = std::clamp<int64_t>(staging_bytes() / (spec_.dma_buffers * stream_row_bytes), 1, rows);
    }
    tile_rows = std::max(tile_rows, ceil_div(rows, 4096));  // bounds the tile count of very long sequences
    std::shared_ptr<VectorOp> work;
    if (fn_) work = make_vector_op(trace_, op, fn_->store, alloc_output(op));
    for (int64_t r0 = 0; r0 < rows; r0 += tile_rows) {
        const int64_t n = std::min(tile_rows, rows - r0);
        Tile t;
        t.unit = UnitId::vector;
        t.cycles = static_cast<uint64_t>(passes * ceil_div(n * row_elems, spec_.vector_lanes));
        t.latency = static_cast<uint64_t>(spec_.vector_depth);
        t.load_bytes = n * in_row_bytes + (r0 == 0 ? params : 0);
        t.store_bytes = out_res ? 0 : n * out_row_bytes;
        if (pool && r0 + n == rows && !out_res) t.store_bytes = out.nbytes();
        if (work) t.work = [this, work, r0, n] { work->rows(r0, r0 + n, fn_->op_saturations); };
        p.tiles.push_back(std::move(t));
    }
    p.vector_elems = passes * rows * row_elems;
    p.activations.read = act_read;
    p.activations.write = out.nbytes() + rows * in_row_bytes;
    p.weights.write = params;
    p.weights.read = params + (gather ? rows * row_elems : 0);  // gathered rows are read from the table
    p.sram_bytes = act_.used() + std::min(staging_bytes(), stream_row_bytes * tile_rows * spec_.dma_buffers) +
                   std::min(params, spec_.weights.bytes);
    p.mapping = {{"unit", "vector"},
                 {"passes", passes},
                 {"tile_rows", tile_rows},
                 {"tiles", p.tiles.size()},
                 {"output_on_chip", out_res}};
    return p;
}

OpPlan Mapper::reshape(size_t i) {
    const OpDecl& op = trace_.ops[i];
    OpPlan p;
    // A reshape is a relabelling of the same bytes: on chip it costs nothing; a graph output is stored.
    const std::string& in = op.inputs[0];
    const bool in_res = act_.resident(in);
    bool out_res = false;
    if (in_res && trace_.tensor(in).last_reader == static_cast<int>(i)) {
        act_.release(in);
    }
    out_res = place_output(op, 0);
    Tile t;
    t.unit = UnitId::vector;
    t.cycles = 0;
    t.load_bytes = (!in_res && out_res) ? trace_.tensor(in).nbytes() : 0;
    t.store_bytes = (in_res && !out_res) ? trace_.tensor(in).nbytes() : 0;
    if (fn_) {
        // The bytes as the DMA moves them (on chip, the relabelled buffer is the same bytes).
        const auto src = fn_->store.at(in).bytes();
        const auto dst = alloc_output(op).bytes();
        t.work = [src, dst] { std::copy(src.begin(), src.end(), dst.begin()); };
    }
    p.tiles.push_back(std::move(t));
    p.sram_bytes = act_.used();
    p.mapping = {{"unit", "none"}, {"output_on_chip", out_res}};
    return p;
}

}  // namespace ssmsim::systolic
