#include "rtl/verify/scan_case.h"

#include <algorithm>
#include <sstream>
#include <utility>

#include "reference/executor.h"
#include "sim/numerics/tables.h"
#include "sim/trace/trace_io.h"

namespace ssmsim::rtl {

namespace {

template <typename T>
Tensor random_tensor(Rng& rng, Shape shape, int64_t lo, int64_t hi) {
    std::vector<T> v(static_cast<size_t>(element_count(shape)));
    for (auto& x : v)
        x = static_cast<T>(lo + static_cast<int64_t>(rng.below(static_cast<uint64_t>(hi - lo + 1))));
    return Tensor::from<T>(std::move(shape), v);
}

template <typename T>
T pick(Rng& rng, const std::vector<T>& v) {
    return v[rng.below(v.size())];
}

int64_t between(Rng& rng, int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng.below(static_cast<uint64_t>(hi - lo + 1)));
}

void declare(Trace& t, const std::string& name, DType dtype, Shape shape) {
    TensorDecl d;
    d.name = name;
    d.dtype = dtype;
    d.shape = std::move(shape);
    t.tensors.push_back(std::move(d));
}

}  // namespace

std::string describe(const ScanCase& c) {
    std::ostringstream s;
    s << c.name << " [" << (c.selective ? "selective" : "s4d") << (c.gated ? " gated" : "")
      << (c.reverse ? " reverse" : "") << " B=" << c.batch << " L=" << c.len << " E=" << c.channels
      << " N=" << c.states << " group=" << c.group << " chunk=" << c.chunk_len << " T=" << c.table_size
      << " exp_shift=" << c.exp_shift << " y_shift=" << c.y_shift << " mult=" << c.mult
      << " shift=" << c.shift << " seed=" << c.seed << "]";
    return s.str();
}

ScanOp build_scan(const ScanCase& c) {
    Rng rng(c.seed);
    const Shape act{c.batch, c.len, c.channels}, pair{c.channels, c.states}, row{c.batch, c.len, c.states};
    std::vector<std::pair<std::string, Tensor>> inputs;
    nlohmann::json attrs;
    std::string kind;
    if (c.selective) {
        kind = "selective_scan";
        inputs = {{"u", random_tensor<int8_t>(rng, act, c.u_lo, c.u_hi)},
                  {"delta", random_tensor<int8_t>(rng, act, c.dt_lo, c.dt_hi)},
                  {"A", random_tensor<int16_t>(rng, pair, c.a_lo, c.a_hi)},
                  {"B", random_tensor<int8_t>(rng, row, c.bc_lo, c.bc_hi)},
                  {"C", random_tensor<int8_t>(rng, row, c.bc_lo, c.bc_hi)},
                  {"D", random_tensor<int32_t>(rng, {c.channels}, c.d_lo, c.d_hi)},
                  {"exp_table", make_exp_table(c.table_step, c.table_size)}};
        attrs = {{"exp_shift", c.exp_shift},
                 {"y_shift", c.y_shift},
                 {"mult", c.mult},
                 {"shift", c.shift},
                 {"reverse", c.reverse}};
        if (c.gated) {
            inputs.emplace_back("z", random_tensor<int8_t>(rng, act, -128, 127));
            inputs.emplace_back("silu", make_lut8(LutFn::silu, 0.05, 0.04));
            attrs["gate_mult"] = c.gate_mult;
            attrs["gate_shift"] = c.gate_shift;
        }
    } else {
        kind = "s4d_scan";
        inputs = {{"u", random_tensor<int8_t>(rng, act, c.u_lo, c.u_hi)},
                  {"Abar", random_tensor<int32_t>(rng, pair, c.abar_lo, c.abar_hi)},
                  {"Bbar", random_tensor<int16_t>(rng, pair, c.bbar_lo, c.bbar_hi)},
                  {"C", random_tensor<int16_t>(rng, pair, c.c_lo, c.c_hi)},
                  {"D", random_tensor<int32_t>(rng, {c.channels}, c.d_lo, c.d_hi)}};
        attrs = {{"y_shift", c.y_shift}, {"mult", c.mult}, {"shift", c.shift}, {"reverse", c.reverse}};
    }
    ScanOp op;
    op.trace.name = c.name;
    op.trace.numerics = Numerics::int8;
    OpDecl decl;
    decl.name = "op0";
    decl.kind = kind;
    for (auto& [name, t] : inputs) {
        declare(op.trace, name, t.dtype(), t.shape());
        decl.inputs.push_back(name);
        op.data.insert_or_assign(name, std::move(t));
    }
    declare(op.trace, "out", DType::int8, act);
    decl.outputs = {"out"};
    decl.attrs = std::move(attrs);
    op.trace.ops.push_back(std::move(decl));
    op.trace.outputs = {"out"};
    validate_trace(op.trace, c.name);
    op.trace.has_data = true;
    return op;
}

ReferenceResult run_reference(const ScanOp& op) {
    reference::Execution ex = reference::execute(op.trace, op.data);
    return {std::move(ex.outputs.at("out")), ex.saturations};
}

systolic::ScanOperands operands(const ScanCase& c, const TensorStore& d, Tensor& out) {
    systolic::ScanOperands s;
    s.selective = c.selective;
    s.batch = c.batch;
    s.len = c.len;
    s.channels = c.channels;
    s.states = c.states;
    s.reverse = c.reverse;
    s.y_shift = c.y_shift;
    s.mult = c.mult;
    s.shift = c.shift;
    s.u = d.at("u").as<int8_t>();
    s.d = d.at("D").as<int32_t>();
    if (c.selective) {
        s.delta = d.at("delta").as<int8_t>();
        s.a = d.at("A").as<int16_t>();
        s.b = d.at("B").as<int8_t>();
        s.c = d.at("C").as<int8_t>();
        s.exp_table = d.at("exp_table").as<int32_t>();
        s.exp_shift = c.exp_shift;
        if (c.gated) {
            s.z = d.at("z").as<int8_t>();
            s.silu = d.at("silu").as<int8_t>();
            s.gate_mult = c.gate_mult;
            s.gate_shift = c.gate_shift;
        }
    } else {
        s.abar = d.at("Abar").as<int32_t>();
        s.bbar = d.at("Bbar").as<int16_t>();
        s.cs4d = d.at("C").as<int16_t>();
    }
    s.out = out.as<int8_t>();
    return s;
}

ScanCase random_case(Rng& rng, int lanes, int slots, int table_depth, const std::vector<int64_t>& states,
                     int i) {
    ScanCase c;
    c.name = "random" + std::to_string(i);
    c.seed = rng.next_u64();
    c.selective = rng.below(2) == 0;
    c.gated = c.selective && rng.below(2) == 0;
    c.reverse = rng.below(3) == 0;
    c.states = pick(rng, states);
    c.batch = between(rng, 1, 2);
    c.len = between(rng, 1, 24);
    c.channels = between(rng, 1, 24);
    const int64_t max_group = std::max<int64_t>(1, int64_t{lanes} * slots / c.states);
    c.group = between(rng, 1, std::min(c.channels, max_group));
    c.chunk_len = between(rng, 1, c.len);
    c.table_size = static_cast<int>(between(rng, 1, table_depth));
    c.table_step = 4.0 / c.table_size;
    c.exp_shift = static_cast<int>(between(rng, 0, 8));
    c.y_shift = static_cast<int>(between(rng, 0, c.selective ? 14 : 30));
    c.mult = between(rng, 1, (int64_t{1} << 31) - 1);
    c.shift = static_cast<int>(between(rng, 20, 46));
    c.gate_mult = between(rng, 1, (int64_t{1} << 16));
    c.gate_shift = static_cast<int>(between(rng, 4, 16));
    c.a_lo = -between(rng, 1, 32768);
    c.dt_lo = rng.below(4) == 0 ? -128 : 0;
    c.abar_lo = between(rng, 0, 32768);
    c.bbar_lo = -between(rng, 0, 32767);
    c.bbar_hi = between(rng, 0, 32767);
    c.d_lo = -between(rng, 0, int64_t{1} << 20);
    c.d_hi = between(rng, 0, int64_t{1} << 20);
    return c;
}

std::vector<int64_t> supported_states(int lanes, int log_nmin, int slots) {
    std::vector<int64_t> n;
    for (int64_t v = int64_t{1} << log_nmin; v <= std::min<int64_t>(256, int64_t{lanes} * slots); v *= 2)
        n.push_back(v);
    return n;
}

std::vector<Corner> corner_cases(int lanes, int log_nmin, int slots, int table_depth) {
    const int64_t nmin = int64_t{1} << log_nmin;
    const int64_t cap = int64_t{lanes} * slots;  // pairs per chunk (>= lanes >= nmin)
    // A small N that fills whole channels into the lanes: 4, or what the unit allows.
    const int64_t n4 = std::min(std::max<int64_t>(nmin, 4), cap);
    std::vector<Corner> v;
    const int64_t fill = std::max<int64_t>(1, lanes / n4);  // channels that occupy every lane once
    // The state saturates both ways on every lane: Abar = 1.0 and the largest B.x every step (h reaches
    // 2^31 - 1 in step 517).
    for (const int64_t bbar : {int64_t{32767}, int64_t{-32768}}) {
        ScanCase c{.name = bbar > 0 ? "sat_state_up" : "sat_state_down", .selective = false, .len = 600};
        c.channels = fill;
        c.states = n4;
        c.abar_lo = c.abar_hi = 32768;
        c.bbar_lo = c.bbar_hi = bbar;
        c.u_lo = c.u_hi = 127;
        v.push_back({"saturation: state", c});
    }
    {  // ys, with_skip, requant, gate
        ScanCase c{.name = "sat_outputs", .selective = true, .gated = true, .len = 20, .channels = 16};
        c.states = std::min<int64_t>(16, cap);
        c.states = std::max(c.states, nmin);
        c.y_shift = 0;
        c.d_lo = (int64_t{1} << 31) - 4096;
        c.d_hi = (int64_t{1} << 31) - 1;
        c.mult = (int64_t{1} << 31) - 1;
        c.shift = 20;
        c.gate_mult = int64_t{1} << 20;
        c.gate_shift = 4;
        v.push_back({"saturation: outputs", c});
    }
    {  // one LSB of rshift_round(Abar.h, 15) reaches the output (tests/rtl, "TheStateUpdatesRounding...")
        ScanCase c{.name = "rounding", .selective = false, .len = 64, .channels = 16, .states = n4};
        c.abar_lo = 16384;
        c.abar_hi = 30000;
        c.bbar_lo = c.u_lo = -2;
        c.bbar_hi = c.u_hi = 2;
        c.c_lo = c.c_hi = 1;
        c.d_lo = c.d_hi = 0;
        c.y_shift = 0;
        c.mult = int64_t{1} << 20;
        c.shift = 20;
        v.push_back({"rounding of the state update", c});
    }
    {  // ys and the output stay small, so one LSB of y_shift's or the requantization's rounding shows
        ScanCase c{.name = "rounding_out", .selective = false, .len = 16, .channels = 2 * fill, .states = n4};
        c.abar_lo = 16384;
        c.abar_hi = 30000;
        c.bbar_lo = -20;
        c.bbar_hi = 20;
        c.u_lo = -3;
        c.u_hi = 3;
        c.c_lo = -2;
        c.c_hi = 2;
        c.d_lo = c.d_hi = 0;
        c.y_shift = 3;
        c.mult = int64_t{1} << 19;  // requant = round(ws / 2)
        c.shift = 20;
        v.push_back({"rounding of y_shift and the requantization", c});
    }
    // ys saturates at exactly -2^31 or 2^31 - 1 and D * x brings with_skip back to -1: a bound off by one
    // changes the output (the corners above clip it to int8 and hide it).
    for (const bool low : {true, false}) {
        ScanCase c{.name = low ? "sat_bound_low" : "sat_bound_high", .selective = false, .len = 8};
        c.channels = fill;
        c.states = n4;
        c.abar_lo = c.abar_hi = 32768;
        c.bbar_lo = c.bbar_hi = low ? -32768 : 32767;
        c.c_lo = c.c_hi = 32767;
        c.u_lo = c.u_hi = 1;
        c.d_lo = c.d_hi = low ? (int64_t{1} << 31) - 1 : -(int64_t{1} << 31);
        c.y_shift = 0;
        c.mult = int64_t{1} << 20;
        c.shift = 20;
        v.push_back({"saturation: exact int32 bounds", c});
    }
    for (int exp_shift : {0, 40}) {
        for (int table_size : {1, table_depth}) {
            ScanCase c{.name = "extreme_dt_" + std::to_string(exp_shift) + "_" + std::to_string(table_size),
                       .selective = true,
                       .len = 16,
                       .channels = 8,
                       .states = std::max<int64_t>(nmin, std::min<int64_t>(16, cap))};
            c.exp_shift = exp_shift;
            c.table_size = table_size;
            c.dt_lo = -128;
            c.dt_hi = 127;
            c.a_lo = -32768;
            c.a_hi = 32767;
            c.seed = static_cast<uint64_t>(exp_shift * 10000 + table_size);
            v.push_back({"extreme delta (table index clamps)", c});
        }
    }
    for (bool selective : {true, false}) {
        ScanCase c{.name = selective ? "zero_selective" : "zero_s4d", .selective = selective, .len = 10};
        c.channels = 8;
        c.states = n4;
        c.u_lo = c.u_hi = 0;
        c.dt_lo = c.dt_hi = 0;
        v.push_back({"zero input", c});
    }
    v.push_back({"one channel of N_min",
                 {.name = "one_channel", .selective = false, .len = 9, .channels = 1, .states = nmin}});
    {  // every lane of every slot busy
        const int64_t n = std::min<int64_t>(std::max<int64_t>(nmin, 16), cap);
        v.push_back({"all lanes and slots",
                     {.name = "all_lanes",
                      .selective = true,
                      .gated = true,
                      .len = 5,
                      .channels = cap / n,
                      .states = n,
                      .group = cap / n}});
    }
    // Every output stage: N = N_min puts lanes / N_min channels in each beat, gated.
    v.push_back({"every output stage",
                 {.name = "all_outputs",
                  .selective = true,
                  .gated = true,
                  .len = 9,
                  .channels = 3 * std::max<int64_t>(1, lanes / nmin),
                  .states = nmin}});
    // q = 1: every step waits for the previous state write.
    v.push_back({"fewer slots than the pipeline depth",
                 {.name = "stall",
                  .selective = false,
                  .len = 30,
                  .channels = std::max<int64_t>(1, fill / 2),
                  .states = n4,
                  .group = std::max<int64_t>(1, fill / 2)}});
    if (int64_t{lanes} * 4 <= cap && lanes * 4 <= 32768) {  // N > lanes: a channel's sum over 4 beats
        v.push_back(
            {"N > lanes",
             {.name = "wide", .selective = true, .len = 7, .channels = 3, .states = int64_t{lanes} * 4}});
    }
    for (bool selective : {true, false}) {
        ScanCase c{.name = selective ? "backpressure_selective" : "backpressure_s4d",
                   .selective = selective,
                   .gated = selective,
                   .len = 20,
                   .channels = 12,
                   .states = std::max<int64_t>(nmin, std::min<int64_t>(16, cap)),
                   .chunk_len = 7};
        v.push_back({"back-pressure (random s_valid, m_ready)", c, true});
    }
    return v;
}

}  // namespace ssmsim::rtl
