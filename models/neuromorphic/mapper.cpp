#include "models/neuromorphic/mapper.h"

#include <algorithm>
#include <cstdlib>
#include <queue>
#include <stdexcept>

#include <fmt/format.h>

#include "models/neuromorphic/functional.h"
#include "sim/util/error.h"

namespace ssmsim::neuromorphic {

const char* unit_name(Unit u) {
    switch (u) {
        case Unit::neurocores:
            return "neurocores";
        case Unit::x86:
            return "x86";
        case Unit::none:
            return "none";
    }
    return "?";
}

TimeAxis op_axis(const Trace& trace, const OpDecl& op) {
    if (op.kind == "pool") return time_axis(trace.tensor(op.inputs[0]));
    return time_axis(trace.tensor(op.outputs[0]));
}

Route route(const Spec& s, int64_t a, int64_t b) {
    const int64_t ca = a / s.cores_per_chip, cb = b / s.cores_per_chip;
    const int64_t la = a % s.cores_per_chip, lb = b % s.cores_per_chip;
    // Chips sit in a line; a crossing enters the next chip at the same mesh position.
    return {std::abs(la % s.mesh_x - lb % s.mesh_x) + std::abs(la / s.mesh_x - lb / s.mesh_x),
            std::abs(ca - cb)};
}

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Neurons, memory and events of one op; `unit_neurons`/`unit_bytes`: the part that cannot be split.
struct Need {
    Placement p;
    int64_t unit_neurons = 1, unit_bytes = 0;
    int64_t units = 1;  // indivisible units of the op: the most cores it can spread over
    std::string unit_what;
};

int64_t param_bytes(const Trace& t, const OpDecl& op, size_t from, size_t to) {
    int64_t b = 0;
    for (size_t k = from; k < std::min(to, op.inputs.size()); ++k) b += t.tensor(op.inputs[k]).nbytes();
    return b;
}

Need need_of(const Trace& t, const OpDecl& op, const Spec& spec) {
    Need n;
    Placement& p = n.p;
    p.axis = op_axis(t, op);
    EventModel& e = p.events;
    e.synops_per_change.assign(op.inputs.size(), 0);
    e.input_cores.assign(op.inputs.size(), 1);
    const int64_t ch = p.axis.channels;
    const std::string& k = op.kind;
    if (k == "attention") {
        if (spec.attention == AttentionFallback::error) {
            throw InputError(
                "op '" + op.name + "' (attention)",
                "an op a neuromorphic core runs natively (softmax needs a max and a division over "
                "the whole sequence; --set fallback.attention=x86 runs it on the embedded x86 cores)",
                "fallback.attention = error");
        }
        if (spec.x86_cores == 0) {
            // A chip without x86 cores has nothing to fall back on (0 cores is not 1 core).
            throw InputError("op '" + op.name + "' (attention)",
                             "x86 cores for the attention fallback (chip.x86_cores >= 1, or a workload "
                             "without attention)",
                             "chip.x86_cores = 0");
        }
        p.unit = Unit::x86;
        return n;
    }
    if (k == "reshape") {
        p.unit = Unit::none;
        return n;
    }
    if (k == "linear" || k == "classifier") {
        const int64_t outs = t.tensor(op.inputs[1]).shape[0], fan_in = t.tensor(op.inputs[1]).shape[1];
        p.neurons = outs;
        p.synapse_bytes = param_bytes(t, op, 1, 3);
        n.unit_bytes = fan_in + (op.inputs.size() == 3 ? 4 : 0);
        n.unit_what = fmt::format("one output neuron's {} synapses", fan_in);
        e.synops_per_change[0] = outs;
        e.updates_on_any = outs;
        e.input_cores[0] = -1;  // every core of the layer holds synapses of every input
    } else if (k == "embedding") {
        const Shape& table = t.tensor(op.inputs[1]).shape;
        p.neurons = table[1];
        p.synapse_bytes = t.tensor(op.inputs[1]).nbytes();
        n.unit_bytes = table[0];
        n.unit_what = fmt::format("one output neuron's {} synapses (one per token id)", table[0]);
        e.synops_per_change[0] = table[1];
        e.updates_on_any = table[1];
        e.input_cores[0] = -1;
    } else if (k == "s4d_scan" || k == "selective_scan") {
        const bool sel = k == "selective_scan";
        const int64_t states = t.tensor(op.inputs[sel ? 2 : 1]).shape[1];
        p.neurons = ch * states + ch;  // state neurons and one readout neuron per channel
        p.synapse_bytes =
            sel ? param_bytes(t, op, 2, 3) + param_bytes(t, op, 5, 6) : param_bytes(t, op, 1, 5);
        if (sel) p.replicated_bytes = param_bytes(t, op, 6, 7) + param_bytes(t, op, 8, 9);  // exp table, LUT
        n.unit_neurons = states + 1;
        n.unit_bytes = p.synapse_bytes / ch;
        n.unit_what = fmt::format("one channel's {} state neurons and its readout", states);
        e.synops_per_change[0] = states;  // u -> the channel's state neurons
        if (sel) {
            e.synops_per_change[1] = states;  // dt
            e.synops_per_change[3] = ch;      // B_t[k] -> state k of every channel
            e.synops_per_change[4] = ch;      // C_t[k] -> readout weight of every channel
            e.input_cores[3] = e.input_cores[4] = -1;
            if (op.inputs.size() == 9) e.synops_per_change[7] = 1;  // z gate
        }
        e.dense_synops = ch * states;  // C h readout inside the core
        e.updates_always = ch * states + ch;
    } else if (k == "conv1d_causal_depthwise") {
        const int64_t taps = t.tensor(op.inputs[1]).shape[1];
        p.neurons = ch;
        p.synapse_bytes = param_bytes(t, op, 1, 3);
        n.unit_bytes = taps + 4;
        n.unit_what = "one channel's taps";
        e.synops_per_change[0] = taps;  // one delayed synapse per tap
        e.updates_always = ch;          // the delay line advances every timestep
    } else if (k == "rmsnorm" || k == "layernorm") {
        p.neurons = ch + 1;  // one per channel and a reduction neuron
        p.synapse_bytes = param_bytes(t, op, 1, 3);
        n.unit_neurons = ch + 1;  // the reduction needs every channel on one core
        n.unit_bytes = p.synapse_bytes;
        n.unit_what = fmt::format("the {} channels a norm reduces over", ch);
        e.synops_per_change[0] = 2;  // to the channel neuron and to the reduction neuron
        e.dense_synops = ch;         // the reduction neuron broadcasts the scale
        e.updates_on_any = ch + 1;
    } else {
        // Elementwise neurons (LUT ops, mul, add, gate) and pool: one neuron per channel.
        p.neurons = ch;
        for (size_t i = 0; i < op.inputs.size(); ++i) {
            const TensorDecl& d = t.tensor(op.inputs[i]);
            if (is_activation_input(t, op, i)) {
                e.synops_per_change[i] = 1;
            } else if (d.shape.size() == 1 && d.shape[0] == 256) {
                p.replicated_bytes += d.nbytes();  // a LUT, in every core's memory
            } else {
                p.synapse_bytes += d.nbytes();  // a constant operand (position embeddings)
                e.updates_always = ch;          // read every timestep
            }
        }
        n.unit_bytes = p.synapse_bytes / std::max<int64_t>(1, ch);
        n.unit_what = "one channel";
        e.updates_per_change = 1;
        e.emits_at_end = k == "pool";
    }
    return n;
}

}  // namespace

namespace {

// Events of one row when every input value changes: the load a core would carry if the layer sat on it.
double dense_row_ns(const Trace& t, const OpDecl& op, const Placement& p, const Spec& s) {
    const EventModel& e = p.events;
    double synops = static_cast<double>(e.dense_synops), changes = 0;
    for (size_t k = 0; k < op.inputs.size(); ++k) {
        if (e.synops_per_change[k] == 0) continue;
        const double c =
            op.kind == "embedding" ? 1.0 : static_cast<double>(time_axis(t.tensor(op.inputs[k])).channels);
        changes += c;
        synops += c * static_cast<double>(e.synops_per_change[k]);
    }
    const double updates = std::min<double>(static_cast<double>(p.neurons),
                                            static_cast<double>(e.updates_always + e.updates_on_any) +
                                                changes * static_cast<double>(e.updates_per_change));
    return synops * s.synop_ns + updates * s.neuron_update_ns +
           static_cast<double>(p.axis.channels) * s.spike_ns;
}

}  // namespace

Mapping map_trace(const Trace& trace, const Spec& s) {
    Mapping m;
    const int64_t npc = s.neurons_per_core, spc = s.synapse_bytes_per_core;
    std::vector<Need> needs;
    int64_t total = 0;
    for (const auto& op : trace.ops) {
        Need n = need_of(trace, op, s);
        Placement& p = n.p;
        if (p.unit == Unit::neurocores) {
            const std::string where = "op '" + op.name + "' (" + op.kind + ")";
            if (n.unit_neurons > npc) {
                throw InputError(
                    where,
                    fmt::format("{} within a core's {} neurons (chip.neurons_per_core)", n.unit_what, npc),
                    fmt::format("{} neurons", n.unit_neurons));
            }
            if (n.unit_bytes + p.replicated_bytes > spc) {
                throw InputError(
                    where,
                    fmt::format("{} ({} bytes) and its tables ({} bytes) within a core's synapse memory "
                                "of {} bytes (chip.synapse_kib_per_core)",
                                n.unit_what, n.unit_bytes, p.replicated_bytes, spc),
                    fmt::format("{} bytes", n.unit_bytes + p.replicated_bytes));
            }
            // The fewest cores that hold the neurons and the synapses, in whole indivisible units.
            const int64_t units = n.units = std::max<int64_t>(1, p.neurons / n.unit_neurons);
            const int64_t per_core = std::max<int64_t>(
                1, std::min(npc / n.unit_neurons,
                            n.unit_bytes > 0 ? (spc - p.replicated_bytes) / n.unit_bytes : units));
            p.cores = ceil_div(units, per_core);
            total += p.cores;
        }
        needs.push_back(std::move(n));
    }
    m.chips_used = std::max<int64_t>(1, ceil_div(total, s.cores_per_chip));
    if (m.chips_used > s.chips) {
        throw InputError(fmt::format("config '{}': system.chips", s.name),
                         fmt::format("at least {} chips for this trace ({} neurocores at {} per chip; "
                                     "--set system.chips={})",
                                     m.chips_used, total, s.cores_per_chip, m.chips_used),
                         std::to_string(s.chips));
    }
    // Balance: the chips' spare cores go, one at a time, to the layer whose cores carry the most work per
    // timestep, since the slowest core sets the length of every timestep.
    std::vector<double> load(trace.ops.size(), 0.0);
    std::priority_queue<std::pair<double, size_t>> heaviest;
    for (size_t i = 0; i < trace.ops.size(); ++i) {
        if (needs[i].p.unit != Unit::neurocores) continue;
        load[i] = dense_row_ns(trace, trace.ops[i], needs[i].p, s);
        heaviest.push({load[i] / static_cast<double>(needs[i].p.cores), i});
    }
    for (int64_t spare = m.chips_used * s.cores_per_chip - total; spare > 0 && !heaviest.empty(); --spare) {
        const size_t i = heaviest.top().second;
        heaviest.pop();
        Placement& p = needs[i].p;
        if (p.cores >= needs[i].units) {
            ++spare;  // cannot split further; the core goes to the next one
            continue;
        }
        ++p.cores;
        heaviest.push({load[i] / static_cast<double>(p.cores), i});
    }
    int64_t next = 0;
    for (auto& n : needs) {
        Placement& p = n.p;
        if (p.unit == Unit::neurocores) {
            // Units (channels, or a norm's whole row) split into contiguous, balanced ranges per core.
            const int64_t units = n.units, per_unit = p.axis.channels / units;
            if (per_unit * units != p.axis.channels)
                throw std::logic_error("neuromorphic mapper: op '" + trace.ops[m.ops.size()].name +
                                       "' has channels in no whole number of units");
            for (int64_t c = 0; c < p.cores; ++c) {
                const int64_t lo = c * units / p.cores, hi = (c + 1) * units / p.cores;
                p.on.push_back({next + c, 1.0 / static_cast<double>(p.cores), lo * per_unit, hi * per_unit});
            }
            next += p.cores;
            for (auto& c : p.events.input_cores) c = c < 0 ? p.cores : c;
            m.neurons += p.neurons;
            m.synapse_bytes += p.synapse_bytes + p.replicated_bytes * p.cores;
        }
        m.ops.push_back(std::move(p));
    }
    m.cores_used = next;
    return m;
}

}  // namespace ssmsim::neuromorphic
