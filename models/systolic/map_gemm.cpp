// linear and classifier as blocked GEMMs on the array, and attention as two GEMMs around a softmax.
#include <algorithm>
#include <memory>

#include "models/systolic/functional.h"
#include "models/systolic/gemm_timing.h"
#include "models/systolic/mapper.h"

namespace ssmsim::systolic {

OpPlan Mapper::gemm(size_t i) {
    const OpDecl& op = trace_.ops[i];
    OpPlan p;
    const TensorDecl& x = trace_.tensor(op.inputs[0]);
    const TensorDecl& w = trace_.tensor(op.inputs[1]);
    const TensorDecl& y = trace_.tensor(op.outputs[0]);
    const bool has_bias = op.inputs.size() == 3;
    const int64_t k = w.shape[1], n = w.shape[0], m = element_count(x.shape) / k;
    const int64_t out_es = dtype_size(y.dtype);
    const int64_t R = spec_.rows, C = spec_.cols, buffers = spec_.dma_buffers;

    const bool x_res = act_.resident(x.name);
    const int64_t stage = staging_bytes();
    const bool out_res = place_output(op, stage);

    // M blocking: the accumulators hold mb x C partial sums; a streamed x block must fit the staging area.
    int64_t mb = std::min(m, std::max<int64_t>(1, spec_.accumulator_bytes / (C * 4)));
    if (!x_res) mb = std::min(mb, std::max<int64_t>(1, stage / (buffers * k)));
    if (spec_.dataflow == Dataflow::os && mb < m && mb >= R) mb = mb / R * R;  // whole row folds per block
    const int64_t m_blocks = ceil_div(m, mb), n_folds = ceil_div(n, C);

    const int64_t w_bytes = n * k + (has_bias ? n * 4 : 0), x_bytes = m * k;
    const bool w_fits = w_bytes <= spec_.weights.bytes;
    // Loop order: whichever moves fewer DRAM bytes (rows outer re-fetches weights that do not fit;
    // columns outer re-fetches a streamed x per column fold).
    const int64_t traffic_rows_outer = (w_fits ? w_bytes : w_bytes * m_blocks) + (x_res ? 0 : x_bytes);
    const int64_t traffic_cols_outer = w_bytes + (x_res ? 0 : (m_blocks == 1 ? x_bytes : x_bytes * n_folds));
    const bool rows_outer = traffic_rows_outer <= traffic_cols_outer;

    GemmOperands g;
    if (fn_) {
        const TensorStore& st = fn_->store;
        g.x = st.at(x.name).as<int8_t>().data();
        g.w = st.at(w.name).as<int8_t>().data();
        g.bias = has_bias ? st.at(op.inputs[2]).as<int32_t>().data() : nullptr;
        g.k = k;
        g.n = n;
        Tensor& out = alloc_output(op);
        if (out_es == 4) {
            g.out32 = out.as<int32_t>().data();
        } else {
            g.out8 = out.as<int8_t>().data();
            g.mult = op.attrs.at("mult").get<int64_t>();
            g.shift = op.attrs.at("shift").get<int>();
        }
    }
    const int64_t act_bw = spec_.activations.bytes_per_cycle(), w_bw = spec_.weights.bytes_per_cycle();
    auto add_tile = [&](int64_t bi, int64_t f) {
        const int64_t m0 = bi * mb, m1 = std::min(m, m0 + mb), rows = m1 - m0;
        const int64_t n0 = f * C, n1 = std::min(n, n0 + C), cols = n1 - n0;
        const int64_t w_tile = cols * k + (has_bias ? cols * 4 : 0);
        Tile t;
        t.unit = UnitId::array;
        // The array's fold cycles, unless the SRAM ports cannot feed it (x rows and the weight fold).
        t.cycles = static_cast<uint64_t>(std::max({tile_cycles(spec_.dataflow, rows, k, R, C),
                                                   ceil_div(rows * k, act_bw), ceil_div(cols * k, w_bw)}));
        if (rows_outer) {
            t.load_bytes = (f == 0 && !x_res ? rows * k : 0) + (w_fits && bi > 0 ? 0 : w_tile);
        } else {
            t.load_bytes = (bi == 0 ? w_tile : 0) + (!x_res && (m_blocks > 1 || f == 0) ? rows * k : 0);
        }
        t.store_bytes = out_res ? 0 : rows * cols * out_es;
        if (fn_) t.work = [this, g, m0, m1, n0, n1] { gemm_tile(g, m0, m1, n0, n1, fn_->op_saturations); };
        p.tiles.push_back(std::move(t));
    };
    if (rows_outer) {
        for (int64_t bi = 0; bi < m_blocks; ++bi)
            for (int64_t f = 0; f < n_folds; ++f) add_tile(bi, f);
    } else {
        for (int64_t f = 0; f < n_folds; ++f)
            for (int64_t bi = 0; bi < m_blocks; ++bi) add_tile(bi, f);
    }
    p.macs = m * n * k;
    p.vector_elems = m * n;  // requantization (classifier: bias add) at the array's output
    const int64_t weight_passes = spec_.dataflow == Dataflow::ws ? m_blocks : ceil_div(m, R);
    p.weights.read = n * k * weight_passes;
    p.weights.write = rows_outer ? (w_fits ? w_bytes : w_bytes * m_blocks) : w_bytes;
    p.activations.read = x_bytes * n_folds;
    p.activations.write = y.nbytes() + (x_res ? 0 : (rows_outer ? x_bytes : traffic_cols_outer - w_bytes));
    p.sram_bytes = act_.used() + (x_res ? 0 : std::min(stage, mb * k * buffers)) +
                   std::min(w_bytes, spec_.weights.bytes);
    p.mapping = {{"unit", "array"},           {"dataflow", dataflow_name(spec_.dataflow)},
                 {"gemm", {m, k, n}},         {"m_block", mb},
                 {"m_blocks", m_blocks},      {"n_folds", n_folds},
                 {"k_folds", ceil_div(k, R)}, {"loop_order", rows_outer ? "m_outer" : "n_outer"},
                 {"weights_on_chip", w_fits}, {"input_on_chip", x_res},
                 {"output_on_chip", out_res}};
    return p;
}

OpPlan Mapper::attention(size_t i) {
    const OpDecl& op = trace_.ops[i];
    OpPlan p;
    const TensorDecl& q = trace_.tensor(op.inputs[0]);
    const int64_t batch = q.shape[0], len = q.shape[1], width = q.shape[2];
    const int64_t heads = op.attrs.at("heads").get<int64_t>(), dh = width / heads;
    const bool causal = op.attrs.value("causal", false);
    const int64_t R = spec_.rows, C = spec_.cols, V = spec_.vector_lanes;
    const int64_t table = trace_.tensor(op.inputs[3]).nbytes();

    const bool q_res = act_.resident(op.inputs[0]);
    const bool kv_res = act_.resident(op.inputs[1]) && act_.resident(op.inputs[2]);
    const int64_t stage = staging_bytes();
    const bool out_res = place_output(op, stage);
    // A query block's int32 scores must fit the accumulators; the softmax needs the whole row's maximum.
    const int64_t qb = std::clamp<int64_t>(spec_.accumulator_bytes / (len * 4), 1, len);
    const int64_t kv_head = 2 * len * dh;
    const bool kv_stays = kv_res || kv_head * spec_.dma_buffers <= stage;  // K, V of a head stay staged
    AttentionOperands ao;
    std::shared_ptr<AttentionScratch> scratch;
    if (fn_) {
        const TensorStore& st = fn_->store;
        ao.q = st.at(op.inputs[0]).as<int8_t>().data();
        ao.k = st.at(op.inputs[1]).as<int8_t>().data();
        ao.v = st.at(op.inputs[2]).as<int8_t>().data();
        const auto table = st.at(op.inputs[3]).as<int32_t>();
        ao.table = table.data();
        ao.table_size = static_cast<int64_t>(table.size());
        ao.len = len;
        ao.width = width;
        ao.dh = dh;
        ao.causal = causal;
        ao.score_mult = op.attrs.at("score_mult").get<int64_t>();
        ao.score_shift = op.attrs.at("score_shift").get<int>();
        ao.cols = C;
        ao.out = alloc_output(op).as<int8_t>().data();
        scratch = std::make_shared<AttentionScratch>();  // one query block's scores at a time
    }
    int64_t macs = 0, softmax = 0;
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t h = 0; h < heads; ++h) {
            for (int64_t q0 = 0; q0 < len; q0 += qb) {
                const int64_t rows = std::min(qb, len - q0);
                const int64_t keys = causal ? q0 + rows : len;
                Tile qk;
                qk.unit = UnitId::array;
                qk.cycles =
                    static_cast<uint64_t>(ceil_div(keys, C) * tile_cycles(spec_.dataflow, rows, dh, R, C));
                qk.load_bytes = (q_res ? 0 : rows * dh) + (b == 0 && h == 0 && q0 == 0 ? table : 0);
                if (!kv_res && (q0 == 0 || !kv_stays)) qk.load_bytes += (kv_stays ? kv_head : 2 * keys * dh);
                Tile sm;
                sm.unit = UnitId::vector;
                sm.cycles = static_cast<uint64_t>(3 * ceil_div(rows * keys, V));  // max, exp + sum, divide
                sm.latency = static_cast<uint64_t>(spec_.vector_depth);
                sm.after_previous = true;
                Tile pv;
                pv.unit = UnitId::array;
                // Q1.15 probabilities are 16 bits: two int8 passes (high and low byte) on the array.
                pv.cycles = static_cast<uint64_t>(2 * ceil_div(dh, C) *
                                                  tile_cycles(spec_.dataflow, rows, keys, R, C));
                pv.after_previous = true;
                pv.store_bytes = out_res ? 0 : rows * dh;
                if (fn_) {
                    const QueryBlock blk{b, h, q0, rows, keys};
                    qk.work = [ao, blk, scratch] { attention_scores(ao, blk, *scratch); };
                    sm.work = [ao, blk, scratch] { attention_softmax(ao, blk, *scratch); };
                    pv.work = [this, ao, blk, scratch] {
                        attention_pv(ao, blk, *scratch, fn_->op_saturations);
                    };
                }
                p.tiles.push_back(std::move(qk));
                p.tiles.push_back(std::move(sm));
                p.tiles.push_back(std::move(pv));
                macs += 2 * rows * keys * dh;
                softmax += 3 * rows * keys;
            }
        }
    }
    p.macs = macs;
    p.vector_elems = softmax;
    p.activations.read = 3 * batch * len * width;
    p.activations.write =
        batch * len * width + (q_res ? 0 : batch * len * width) + (kv_res ? 0 : 2 * batch * len * width);
    p.weights.read = p.weights.write = table;
    p.sram_bytes = act_.used() + (kv_res ? 0 : std::min(stage, kv_head * spec_.dma_buffers)) + table;
    p.mapping = {{"unit", "array+vector"},
                 {"query_block", qb},
                 {"heads", heads},
                 {"kv_on_chip", kv_res},
                 {"kv_staged_per_head", kv_stays},
                 {"output_on_chip", out_res}};
    return p;
}

}  // namespace ssmsim::systolic
