#include "models/gpu/validation.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "models/gpu/top.h"
#include "sim/sc/kernel.h"
#include "sim/util/error.h"

namespace ssmsim::gpu {

namespace {

std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) f.push_back(x);
    if (!line.empty() && line.back() == ',') f.emplace_back();
    return f;
}

int64_t num(const std::string& s) { return s.empty() ? 0 : std::stoll(s); }

void set_ids(KernelShape& s, uint32_t base) {
    s.in[0] = base;
    s.in[1] = base + 1;
    s.aux[0] = base + 2;
    s.aux[1] = base + 3;
    s.out = base + 4;
}

}  // namespace

void operand_bytes(const KernelShape& s, std::vector<int64_t>& bytes) {
    auto put = [&](uint32_t id, int64_t b) {
        if (id == kNoTensor) return;
        if (id >= bytes.size()) bytes.resize(id + 1, 0);
        bytes[id] = b;
    };
    const int64_t ib = s.in_bytes, ob = s.out_bytes;
    switch (s.kind) {
        case KernelKind::gemm_i8:
        case KernelKind::gemm_f32:
            put(s.in[0], s.m * s.k * ib);
            put(s.in[1], s.n * s.k * ib);
            put(s.out, s.m * s.n * ob);
            break;
        case KernelKind::selective_scan_i8:
        case KernelKind::s4d_scan_i8:
        case KernelKind::selective_scan_f32:
        case KernelKind::s4d_scan_f32:
            put(s.in[0], s.batch * s.len * s.ch * ib);
            put(s.in[1], s.batch * s.len * s.ch * ib);
            put(s.aux[0], s.batch * s.len * s.state * ib);
            put(s.aux[1], s.batch * s.len * s.state * ib);
            put(s.aux[2], s.batch * s.len * s.ch * ib);
            put(s.out, s.batch * s.len * s.ch * ob);
            break;
        case KernelKind::attention_i8:
        case KernelKind::attention_f32:
            put(s.in[0], s.batch * s.len * s.ch * ib);
            put(s.in[1], s.batch * s.len * s.ch * ib);
            put(s.aux[0], s.batch * s.len * s.ch * ib);
            put(s.out, s.batch * s.len * s.ch * ob);
            break;
        case KernelKind::pool:
            put(s.in[0], s.batch * s.len * s.ch * ib);
            put(s.out, s.batch * s.ch * ob);
            break;
        case KernelKind::embedding:
            put(s.in[0], s.elements * 4);
            put(s.in[1], s.n * s.d);
            put(s.out, s.elements * s.d);
            break;
        default:
            put(s.in[0], s.elements * ib);
            put(s.in[1], s.elements * ib);
            put(s.out, s.elements * ob);
            break;
    }
}

std::vector<MeasuredRow> load_timings(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(path, "a readable CSV of kernel timings", "no such file");
    std::string line;
    std::map<std::string, int> column;
    std::map<std::string, int> seen;
    std::vector<MeasuredRow> rows;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto f = split_csv(line);
        if (column.empty()) {
            for (size_t i = 0; i < f.size(); ++i) column[f[i]] = static_cast<int>(i);
            for (const char* need : {"kernel", "m", "n", "k", "batch", "len", "ch", "state", "taps", "heads",
                                     "elements", "time_us_median"}) {
                if (!column.count(need))
                    throw InputError(path, std::string("a column '") + need + "'", "none");
            }
            continue;
        }
        auto at = [&](const char* c) { return f.at(static_cast<size_t>(column.at(c))); };
        MeasuredRow r;
        r.kernel = at("kernel");
        r.measured_us = std::stod(at("time_us_median"));
        if (column.count("power_w") && !at("power_w").empty()) r.power_w = std::stod(at("power_w"));
        if (column.count("sm_mhz") && !at("sm_mhz").empty()) r.sm_mhz = std::stod(at("sm_mhz"));
        if (column.count("set_bytes") && column.count("buffer_sets"))
            r.rotation_bytes = num(at("set_bytes")) * num(at("buffer_sets"));
        KernelShape& s = r.shape;
        const std::string& k = r.kernel;
        s.elements = num(at("elements"));
        s.batch = num(at("batch"));
        s.len = num(at("len"));
        s.ch = num(at("ch"));
        s.state = num(at("state"));
        s.taps = num(at("taps"));
        s.heads = num(at("heads"));
        s.m = num(at("m"));
        s.n = num(at("n"));
        s.k = num(at("k"));
        r.op_class = "elementwise";
        if (k == "lut_i8")
            s.kind = KernelKind::lut_i8;
        else if (k == "mul_i8")
            s.kind = KernelKind::mul_i8;
        else if (k == "add_i8")
            s.kind = KernelKind::add_i8;
        else if (k == "gate_i8")
            s.kind = KernelKind::gate_i8;
        else if (k == "requant_i32")
            s.kind = KernelKind::requant_i32, s.in_bytes = 4;
        else if (k == "add_f32")
            s.kind = KernelKind::map_f32, s.in_bytes = s.out_bytes = 4;
        else if (k == "memcpy_d2d")
            s.kind = KernelKind::copy;
        else if (k == "linear_i8")
            s.kind = KernelKind::gemm_i8, r.op_class = "gemm";
        else if (k == "linear_f32")
            s.kind = KernelKind::gemm_f32, s.in_bytes = s.out_bytes = 4, r.op_class = "gemm";
        else if (k == "selective_scan_i8")
            s.kind = KernelKind::selective_scan_i8, s.table = 4096, r.op_class = "scan";
        else if (k == "s4d_scan_i8")
            s.kind = KernelKind::s4d_scan_i8, r.op_class = "scan";
        else if (k == "selective_scan_f32")
            s.kind = KernelKind::selective_scan_f32, s.in_bytes = s.out_bytes = 4, r.op_class = "scan";
        else if (k == "conv1d_i8")
            s.kind = KernelKind::conv1d_i8, s.elements = s.batch * s.len * s.ch, r.op_class = "conv1d";
        else if (k == "rmsnorm_i8" || k == "layernorm_i8") {
            s.kind = KernelKind::norm_i8;
            s.center = k == "layernorm_i8";
            s.elements = s.m * s.n;
            s.d = s.n;
            r.op_class = "norm";
        } else if (k == "attention_i8")
            s.kind = KernelKind::attention_i8, s.table = 4096, r.op_class = "attention";
        else
            throw InputError(path, "a kernel the model lowers", "'" + k + "'");
        if (s.kind == KernelKind::lut_i8) s.in[1] = kNoTensor;
        r.heldout = (seen[k]++ % 2) == 1;
        rows.push_back(std::move(r));
    }
    return rows;
}

std::vector<double> predict_us(const std::vector<MeasuredRow>& rows, const Spec& spec) {
    std::vector<double> out;
    for (const OpResult& r : predict_results(rows, spec)) out.push_back(r.cycles / spec.clock_hz * 1e6);
    return out;
}

std::vector<OpResult> predict_results(const std::vector<MeasuredRow>& rows, const Spec& spec) {
    // The grid's launches were timed back to back in one stream: each pays the stream's launch gap, not a
    // graph node's.
    Spec grid = spec;
    grid.launch_cycles = spec.stream_launch_cycles;
    std::vector<OpItem> items;
    std::vector<size_t> timed;  // per row, the item whose result is the row's
    GpuJob job;
    job.spec = &grid;
    uint32_t base = 0;
    for (const auto& r : rows) {
        OpItem it;
        it.name = r.kernel;
        it.kind = r.kernel;
        it.shape = r.shape;
        set_ids(it.shape, base);
        base += 5;
        if (r.shape.kind == KernelKind::lut_i8) it.shape.in[1] = kNoTensor;
        if (r.op_class != "scan" && r.op_class != "attention") it.shape.aux[0] = it.shape.aux[1] = kNoTensor;
        if (r.shape.kind == KernelKind::s4d_scan_i8)
            it.shape.in[1] = it.shape.aux[0] = it.shape.aux[1] = kNoTensor;
        if (r.op_class == "attention") it.shape.aux[1] = kNoTensor;
        operand_bytes(it.shape, job.tensor_bytes);
        // The earlier launches left the L2 full of their buffers, dirty in the share of their outputs.
        double in = 0, out = 0;
        for (uint32_t id : {it.shape.in[0], it.shape.in[1], it.shape.aux[0], it.shape.aux[1]})
            if (id != kNoTensor) in += static_cast<double>(job.tensor_bytes[id]);
        out = static_cast<double>(job.tensor_bytes[it.shape.out]);
        it.prefill_dirty = out / std::max(1.0, in + out);
        if (r.rotation_bytes > 0 && r.rotation_bytes <= spec.l2_bytes) {
            // Warm: the same launch once before (its result unused) leaves its buffers in the L2.
            items.push_back(it);
            it.prefill_dirty = -1;
        }
        timed.push_back(items.size());
        items.push_back(std::move(it));
    }
    job.items = &items;
    auto* top = dynamic_cast<GpuTop*>(sc::top("gpu"));
    top->run(job);
    std::vector<OpResult> out;
    out.reserve(rows.size());
    for (size_t i : timed) out.push_back(std::move(job.results[i]));
    return out;
}

std::vector<ErrorStats> error_stats(const std::vector<MeasuredRow>& rows, const std::vector<double>& pred,
                                    bool want_heldout) {
    std::map<std::string, ErrorStats> by;
    ErrorStats all;
    all.name = "overall";
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].heldout != want_heldout) continue;
        const double e = std::fabs(pred[i] - rows[i].measured_us) / rows[i].measured_us * 100.0;
        for (ErrorStats* s : {&by[rows[i].op_class], &all}) {
            s->n++;
            s->mape += e;
            s->max_abs_pct = std::max(s->max_abs_pct, e);
        }
    }
    std::vector<ErrorStats> out;
    for (auto& [name, s] : by) {
        s.name = name;
        out.push_back(s);
    }
    out.push_back(all);
    for (auto& s : out) s.mape = s.n ? s.mape / s.n : 0.0;
    return out;
}

}  // namespace ssmsim::gpu
