#include "models/neuromorphic/top.h"

#include <algorithm>
#include <cmath>

#include "sim/ops/op_schema.h"
#include "sim/sc/kernel.h"

namespace ssmsim::neuromorphic {

NeuromorphicTop::NeuromorphicTop(sc_core::sc_module_name name)
    : sc_core::sc_module(name),
      cores_("neurocores"),
      noc_("noc"),
      barrier_("barrier"),
      x86_("x86"),
      to_cores_("to_cores"),
      to_noc_("to_noc"),
      to_barrier_("to_barrier"),
      to_x86_("to_x86") {
    to_cores_.bind(cores_.socket);
    to_noc_.bind(noc_.socket);
    to_barrier_.bind(barrier_.socket);
    to_x86_.bind(x86_.socket);
    SC_THREAD(controller);
}

void NeuromorphicTop::run(RunJob& job) { runner_.run(job); }

void NeuromorphicTop::controller() {
    runner_.serve([this](RunJob& job) { execute(job); });
}

namespace {

uint64_t to_cycles(double ns, const Spec& s) {
    return static_cast<uint64_t>(std::ceil(ns * s.cycles_per_ns() - 1e-9));
}

// Where the spikes on input k of op j come from: the producing op's first core, or core 0 (the chip's I/O
// and the sequence buffer) for tokens, buffered streams and outputs of the x86 cores.
std::vector<std::vector<InputRoute>> input_routes(const RunJob& job) {
    const Trace& t = *job.trace;
    const Spec& s = *job.spec;
    std::vector<std::vector<InputRoute>> r(t.ops.size());
    for (size_t j = 0; j < t.ops.size(); ++j) {
        const OpDecl& op = t.ops[j];
        const Placement& pj = job.mapping->ops[j];
        r[j].resize(op.inputs.size());
        if (pj.on.empty()) continue;
        for (size_t k = 0; k < op.inputs.size(); ++k) {
            int p = t.tensor(op.inputs[k]).producer;
            while (p >= 0 && t.ops[p].kind == "reshape") p = t.tensor(t.ops[p].inputs[0]).producer;
            const bool local = p >= 0 && job.schedule->segment_of[p] == job.schedule->segment_of[j] &&
                               !job.mapping->ops[p].on.empty();
            const int64_t from = local ? job.mapping->ops[p].on.front().core : 0;
            Route rt = route(s, from, pj.on.front().core);
            r[j][k] = {rt, static_cast<double>(rt.hops) * s.hop_ns +
                               static_cast<double>(rt.chip_crossings) * s.chip_link_ns};
        }
    }
    return r;
}

// Bytes of activations that cross a segment cut: written to the sequence buffer once, read by each
// consuming op of a later segment.
int64_t buffered_bytes(const Trace& t, const Schedule& s) {
    int64_t bytes = 0;
    for (const auto& d : t.tensors) {
        if (d.producer < 0) continue;
        bool written = false;
        for (size_t j = 0; j < t.ops.size(); ++j) {
            const auto& in = t.ops[j].inputs;
            if (std::find(in.begin(), in.end(), d.name) == in.end()) continue;
            if (s.segment_of[j] == s.segment_of[d.producer]) continue;
            bytes += d.nbytes() * (written ? 1 : 2);
            written = true;
        }
    }
    return bytes;
}

}  // namespace

void NeuromorphicTop::execute(RunJob& job) {
    for (auto* u : {&cores_, &noc_, &barrier_, &x86_}) u->reset();
    job.ops.assign(job.trace->ops.size(), OpStats{});
    job.segments.clear();
    routes_ = input_routes(job);
    uint64_t t = 0;
    for (size_t seg = 0; seg < job.schedule->segments.size(); ++seg) {
        const Segment& sg = job.schedule->segments[seg];
        const uint64_t end = sg.kind == SegmentKind::host ? run_host(job, seg, t) : run_stream(job, seg, t);
        if (job.timeline) {
            job.timeline->span(job.timeline->track("segments"), "segment " + std::to_string(seg),
                               segment_kind_name(sg.kind), t, end,
                               {{"ops", sg.ops.size()}, {"reverse", sg.reverse}, {"steps", sg.steps}});
        }
        wait(sc_core::sc_time(static_cast<double>((end - t) * sc::cycle_ps(job.spec->clock_hz)),
                              sc_core::SC_PS));
        t = end;
        if (job.progress) job.progress(seg + 1);
    }
    job.cycles = t;

    // Energy that is not per op: barriers, the sequence buffer, static power of the chips in use.
    const Spec& s = *job.spec;
    job.buffer_bytes = buffered_bytes(*job.trace, *job.schedule);
    job.energy.add("barrier", static_cast<double>(job.timesteps) *
                                  static_cast<double>(job.mapping->cores_used) * s.barrier_pj_per_core);
    job.energy.add("buffer", static_cast<double>(job.buffer_bytes) * s.buffer_pj_per_byte);
    const double seconds = static_cast<double>(job.cycles) / s.clock_hz;
    job.energy.add("static", s.static_mw_per_chip * 1e-3 * static_cast<double>(job.mapping->chips_used) *
                                 seconds * 1e12);
}

uint64_t NeuromorphicTop::run_host(RunJob& job, size_t seg, uint64_t t0) {
    const Spec& s = *job.spec;
    const size_t i = job.schedule->segments[seg].ops.front();
    const OpDecl& op = job.trace->ops[i];
    const OpCost c = find_op_schema(op.kind)->cost(*job.trace, op);
    OpStats& st = job.ops[i];
    st.x86_ops = static_cast<double>(c.macs + c.vector_ops);
    // x86_cores >= 1 here: the mapper refuses x86 work on a chip without x86 cores.
    const double seconds = st.x86_ops / (s.x86_ops_per_cycle * static_cast<double>(s.x86_cores) * s.x86_hz);
    sc::UnitJob j;
    j.ready = t0;
    j.service = static_cast<uint64_t>(std::ceil(seconds * s.clock_hz));
    const uint64_t end = sc::issue(to_x86_, j);
    st.start = t0;
    st.end = end;
    st.busy_ns = seconds * 1e9;
    st.rows = 1;
    st.energy_pj = st.x86_ops * s.x86_pj_per_op;
    job.energy.add("x86", st.energy_pj);
    job.segments.push_back({t0, end, 0});
    if (job.timeline) job.timeline->span(job.timeline->track("x86"), op.name, op.kind, t0, end);
    return end;
}

uint64_t NeuromorphicTop::run_stream(RunJob& job, size_t seg, uint64_t t0) {
    const Spec& s = *job.spec;
    const Trace& trace = *job.trace;
    const Segment& sg = job.schedule->segments[seg];
    const Mapping& m = *job.mapping;
    const Activity& act = *job.activity;
    const auto& routes = routes_;

    int64_t span = 0;  // timesteps: the last op's stage plus its rows
    for (size_t i : sg.ops) {
        if (job.schedule->stage_of[i] >= 0)
            span = std::max(span, job.schedule->stage_of[i] + m.ops[i].axis.rows());
    }
    const uint64_t barrier_cycles =
        to_cycles(s.barrier_ns_per_hop * static_cast<double>(s.mesh_x + s.mesh_y - 2) +
                      (m.chips_used > 1 ? 2.0 * s.chip_link_ns : 0.0),
                  s);
    std::vector<double> core_ns(static_cast<size_t>(std::max<int64_t>(1, m.cores_used)), 0.0);
    std::vector<int64_t> touched;
    uint64_t ready = t0;
    for (int64_t tau = 0; tau < span; ++tau) {
        double noc_ns = 0;
        for (size_t i : sg.ops) {
            const int stage = job.schedule->stage_of[i];
            const Placement& p = m.ops[i];
            if (stage < 0 || p.unit != Unit::neurocores) continue;
            const int64_t step = tau - stage;
            if (step < 0 || step >= p.axis.rows()) continue;
            const int64_t b = step / p.axis.steps, ts = step % p.axis.steps;
            const int64_t row = b * p.axis.steps + (sg.reverse ? p.axis.steps - 1 - ts : ts);
            const EventModel& e = p.events;
            double synops = static_cast<double>(e.dense_synops), changes = 0, msgs = 0, hop_msgs = 0,
                   chip_msgs = 0;
            for (size_t k = 0; k < e.synops_per_change.size(); ++k) {
                const auto& ch = act.input_changes[i][k];
                if (ch.empty()) continue;
                const double c = ch[row];
                if (c == 0) continue;
                changes += c;
                synops += c * static_cast<double>(e.synops_per_change[k]);
                const double mk = c * static_cast<double>(e.input_cores[k]);
                msgs += mk;
                hop_msgs += mk * static_cast<double>(routes[i][k].route.hops);
                chip_msgs += mk * static_cast<double>(routes[i][k].route.chip_crossings);
                noc_ns = std::max(noc_ns, routes[i][k].latency_ns);
            }
            const double updates = std::min(static_cast<double>(p.neurons),
                                            static_cast<double>(e.updates_always) +
                                                changes * static_cast<double>(e.updates_per_change) +
                                                (changes > 0 ? static_cast<double>(e.updates_on_any) : 0.0));
            double spikes_out = 0;
            if (e.emits_at_end) {
                if (ts == p.axis.steps - 1) spikes_out = act.output_spikes[i][b];
            } else {
                spikes_out = act.output_spikes[i][row];
            }
            const double work_ns =
                synops * s.synop_ns + updates * s.neuron_update_ns + spikes_out * s.spike_ns;
            double busiest = 0;
            for (const CoreShare& c : p.on) {
                if (core_ns[c.core] == 0) touched.push_back(c.core);
                core_ns[c.core] += c.share * work_ns;
                busiest = std::max(busiest, c.share);
            }
            OpStats& st = job.ops[i];
            if (st.rows == 0) st.start = ready;
            ++st.rows;
            st.busy_ns += busiest * work_ns;
            st.synops += synops;
            st.updates += updates;
            st.spikes_in += changes;
            st.spikes_out += spikes_out;
            st.messages += msgs;
            st.hop_messages += hop_msgs;
            st.chip_messages += chip_msgs;
        }
        double compute_ns = 0;
        for (int64_t c : touched) {
            compute_ns = std::max(compute_ns, core_ns[c]);
            core_ns[c] = 0;
        }
        touched.clear();
        sc::UnitJob cj;
        cj.ready = ready;
        cj.service = to_cycles(compute_ns, s);
        const uint64_t computed = sc::issue(to_cores_, cj);
        sc::UnitJob nj;
        nj.ready = computed;
        nj.latency = to_cycles(noc_ns, s);
        const uint64_t delivered = sc::issue(to_noc_, nj);
        sc::UnitJob bj;
        bj.ready = delivered;
        bj.latency = barrier_cycles;
        const uint64_t closed = sc::issue(to_barrier_, bj);
        for (size_t i : sg.ops) {
            OpStats& st = job.ops[i];
            const int stage = job.schedule->stage_of[i];
            if (stage >= 0 && tau - stage >= 0 && tau - stage < m.ops[i].axis.rows()) st.end = closed;
        }
        ready = closed;
    }
    job.timesteps += span;
    job.segments.push_back({t0, ready, span});

    // Energy per op, by event.
    for (size_t i : sg.ops) {
        OpStats& st = job.ops[i];
        EnergyLedger e;
        e.add("synop", st.synops * s.synop_pj);
        e.add("neuron_update", st.updates * s.neuron_update_pj);
        e.add("spike", st.spikes_out * s.spike_pj);
        e.add("noc.hop", st.hop_messages * s.hop_pj);
        e.add("noc.chip_link", st.chip_messages * s.chip_link_pj);
        st.energy_pj = e.total();
        for (const auto& [k, v] : e.items()) job.energy.add(k, v);
        if (job.timeline && st.rows > 0) {
            job.timeline->span(job.timeline->track("ops"), trace.ops[i].name, trace.ops[i].kind, st.start,
                               st.end, {{"synops", st.synops}, {"spikes_out", st.spikes_out}});
        }
    }
    return ready;
}

}  // namespace ssmsim::neuromorphic
