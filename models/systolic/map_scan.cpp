// selective_scan and s4d_scan on the scan unit: channel groups of the lanes, sequence chunks, and the
// state carried between chunks (on chip, or spilled to DRAM when the state SRAM is too small).
#include <algorithm>

#include "models/systolic/gemm_timing.h"
#include "models/systolic/mapper.h"
#include "models/systolic/scan_timing.h"

namespace ssmsim::systolic {

namespace {

ScanOperands scan_operands(const Trace& trace, const OpDecl& op, TensorStore& st, Tensor& out) {
    ScanOperands s;
    s.selective = op.kind == "selective_scan";
    const Shape& us = trace.tensor(op.inputs[0]).shape;
    s.batch = us[0];
    s.len = us[1];
    s.channels = us[2];
    s.reverse = op.attrs.value("reverse", false);
    s.y_shift = op.attrs.at("y_shift").get<int>();
    s.mult = op.attrs.at("mult").get<int64_t>();
    s.shift = op.attrs.at("shift").get<int>();
    auto in8 = [&](size_t k) { return st.at(op.inputs[k]).as<int8_t>(); };
    auto in16 = [&](size_t k) { return st.at(op.inputs[k]).as<int16_t>(); };
    auto in32 = [&](size_t k) { return st.at(op.inputs[k]).as<int32_t>(); };
    s.u = in8(0);
    if (s.selective) {
        s.states = trace.tensor(op.inputs[2]).shape[1];
        s.delta = in8(1);
        s.a = in16(2);
        s.b = in8(3);
        s.c = in8(4);
        s.d = in32(5);
        s.exp_table = in32(6);
        s.exp_shift = op.attrs.at("exp_shift").get<int>();
        if (op.inputs.size() == 9) {
            s.z = in8(7);
            s.silu = in8(8);
            s.gate_mult = op.attrs.at("gate_mult").get<int64_t>();
            s.gate_shift = op.attrs.at("gate_shift").get<int>();
        }
    } else {
        s.states = trace.tensor(op.inputs[1]).shape[1];
        s.abar = in32(1);
        s.bbar = in16(2);
        s.cs4d = in16(3);
        s.d = in32(4);
    }
    s.out = out.as<int8_t>();
    return s;
}

}  // namespace

OpPlan Mapper::scan(size_t i) {
    const OpDecl& op = trace_.ops[i];
    OpPlan p;
    const bool selective = op.kind == "selective_scan";
    const Shape& us = trace_.tensor(op.inputs[0]).shape;
    const int64_t batch = us[0], len = us[1], ch = us[2];
    const int64_t n = trace_.tensor(op.inputs[selective ? 2 : 1]).shape[1];

    // Streams per time step: per-channel ones (u, delta, z: one byte per channel) and shared ones (B, C:
    // one byte per state, read by every channel group). Parameters go to the weight SRAM.
    int64_t per_channel_streams = 0, shared_streams = 0, params = 0, act_read = 0;
    for (size_t k = 0; k < op.inputs.size(); ++k) {
        const std::string& name = op.inputs[k];
        if (is_parameter(name)) {
            params += trace_.tensor(name).nbytes();
            continue;
        }
        act_read += trace_.tensor(name).nbytes();
        if (act_.resident(name)) continue;
        const bool shared = selective && (k == 3 || k == 4);
        (shared ? shared_streams : per_channel_streams) += 1;
    }
    const int64_t stage = staging_bytes();
    const bool out_res = place_output(op, stage);
    if (!out_res) ++per_channel_streams;

    // Channels per group: enough (channel, state) pairs for every lane to hold `depth` of them, so that
    // round-robin issue hides the multiply-add's latency (scan_timing.h: q >= D means no stall).
    const int64_t group = std::max<int64_t>(1, spec_.lanes * spec_.scan_depth / n);
    const int64_t groups = ceil_div(ch, group);
    const int64_t chunk = std::min(len, spec_.chunk_len);
    const int64_t chunks = ceil_div(len, chunk);
    const int64_t state_bytes = ch * n * 4;
    const bool state_fits = state_bytes <= spec_.state.bytes;
    const bool params_fit = params <= spec_.weights.bytes;
    const int64_t shared_bytes = shared_streams * len * n;

    // DRAM bytes of the two loop orders (per batch item); the per-channel streams move once either way.
    const int64_t chunk_outer = (state_fits ? 0 : 2 * state_bytes * (chunks - 1)) + shared_bytes +
                                (params_fit ? params : params * chunks);
    const bool shared_stay = shared_bytes * spec_.dma_buffers <= stage;
    const int64_t group_outer = (shared_stay ? shared_bytes : shared_bytes * groups) + params;
    bool by_chunk = chunk_outer <= group_outer;
    if (spec_.scan_order == ScanOrder::chunk_outer) by_chunk = true;
    if (spec_.scan_order == ScanOrder::group_outer) by_chunk = false;

    const ScanPipe pipe{spec_.lanes, spec_.scan_depth, spec_.scan_output_latency};
    std::shared_ptr<std::vector<int32_t>> state;
    ScanOperands ops;
    if (fn_) {
        ops = scan_operands(trace_, op, fn_->store, alloc_output(op));
        state = std::make_shared<std::vector<int32_t>>(state_bytes / 4);
    }
    int64_t state_sram = 0;
    auto add_tile = [&](int64_t b, int64_t c, int64_t gi) {
        const int64_t step0 = c * chunk, steps = std::min(chunk, len - step0);
        const int64_t ch0 = gi * group, ch1 = std::min(ch, ch0 + group), gch = ch1 - ch0;
        Tile t;
        t.unit = UnitId::scan;
        t.cycles = static_cast<uint64_t>(scan_chunk_cycles(pipe, gch * n, steps));
        t.load_bytes = per_channel_streams * steps * gch - (out_res ? 0 : steps * gch);
        t.store_bytes = out_res ? 0 : steps * gch;
        const bool first_group = gi == 0, first_chunk = c == 0;
        if (by_chunk) {
            if (first_group) t.load_bytes += shared_streams * steps * n;
            if (first_group && (first_chunk ? b == 0 || !params_fit : !params_fit)) t.load_bytes += params;
            if (!state_fits && !first_chunk) t.load_bytes += gch * n * 4;     // state back in
            if (!state_fits && c + 1 < chunks) t.store_bytes += gch * n * 4;  // state out
            state_sram += first_chunk ? gch * n * 4 : 2 * gch * n * 4;        // state swap in/out
        } else {
            if (first_chunk && first_group && b == 0) t.load_bytes += params;
            if (!shared_stay || first_group) t.load_bytes += shared_streams * steps * n;
        }
        if (fn_) {
            t.work = [this, ops, state, b, step0, steps, ch0, ch1, n] {
                if (step0 == 0 && ch0 == 0) std::fill(state->begin(), state->end(), 0);  // new batch item
                ScanChunk ck{b,   step0, steps,
                             ch0, ch1,   std::span<int32_t>(*state).subspan(ch0 * n, (ch1 - ch0) * n)};
                fn_->scan->run(ops, ck, fn_->op_saturations);
            };
        }
        p.tiles.push_back(std::move(t));
    };
    for (int64_t b = 0; b < batch; ++b) {
        if (by_chunk) {
            for (int64_t c = 0; c < chunks; ++c)
                for (int64_t gi = 0; gi < groups; ++gi) add_tile(b, c, gi);
        } else {
            for (int64_t gi = 0; gi < groups; ++gi)
                for (int64_t c = 0; c < chunks; ++c) add_tile(b, c, gi);
        }
    }
    p.lane_updates = batch * len * ch * n;
    p.vector_elems = 0;
    p.activations.read = act_read + (by_chunk ? 0 : (groups - 1) * batch * len * n * 2 * (selective ? 1 : 0));
    p.activations.write = trace_.tensor(op.outputs[0]).nbytes();
    p.weights.read = params * (params_fit ? 1 : chunks);
    p.weights.write = p.weights.read;
    p.state.read = p.state.write = by_chunk ? state_sram / 2 : 0;
    p.sram_bytes =
        act_.used() + std::min(stage, (per_channel_streams + shared_streams) * chunk * std::max(group, n)) +
        std::min(params, spec_.weights.bytes) + (by_chunk ? std::min(state_bytes, spec_.state.bytes) : 0);
    p.mapping = {{"unit", "scan"},
                 {"channels_per_group", group},
                 {"groups", groups},
                 {"chunk_len", chunk},
                 {"chunks", chunks},
                 {"order", by_chunk ? "chunk_outer" : "group_outer"},
                 {"state_bytes", state_bytes},
                 {"state_on_chip", state_fits || !by_chunk},
                 {"output_on_chip", out_res}};
    return p;
}

}  // namespace ssmsim::systolic
