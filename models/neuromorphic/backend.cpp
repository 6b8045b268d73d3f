// The neuromorphic system behind the Backend boundary: resolve and check the config, map the trace onto
// cores (refusing what cannot fit before anything runs), run the neurons on the data with sigma-delta
// spikes, replay the activity through the SystemC top, and report time, energy, spikes, sparsity and the
// error against the reference.
#include "models/neuromorphic/backend.h"

#include <cmath>

#include "models/neuromorphic/accuracy.h"
#include "models/neuromorphic/top.h"
#include "reference/executor.h"
#include "sim/backend/backend.h"
#include "sim/backend/timed_report.h"
#include "sim/config/hw_config.h"
#include "sim/sc/kernel.h"
#include "sim/util/error.h"
#include "sim/util/progress.h"

namespace ssmsim::neuromorphic {

namespace {

constexpr const char* kDefaultConfig = "neuromorphic-loihi2";

nlohmann::ordered_json op_entry(const OpDecl& op, const OpStats& st, const Placement& p, const Schedule& sch,
                                size_t i, const Spec& s, const Activity& act, bool functional) {
    const uint64_t cycles = st.end > st.start ? st.end - st.start : 0;
    const double busy = std::ceil(st.busy_ns * s.cycles_per_ns());
    nlohmann::ordered_json j;
    j["name"] = op.name;
    j["kind"] = op.kind;
    j["unit"] = unit_name(p.unit);
    j["segment"] = sch.segment_of[i];
    j["start_cycle"] = st.start;
    j["cycles"] = cycles;
    j["busy_cycles"] = busy;
    j["utilisation"] = cycles > 0 ? busy / static_cast<double>(cycles) : 0.0;
    j["energy_pj"] = st.energy_pj;
    j["cores"] = p.cores;
    j["first_core"] = p.on.empty() ? -1 : p.on.front().core;
    j["neurons"] = p.neurons;
    j["synapse_bytes"] = p.synapse_bytes + p.replicated_bytes * p.cores;
    j["timesteps"] = st.rows;
    j["synops"] = st.synops;
    j["neuron_updates"] = st.updates;
    j["spikes_in"] = st.spikes_in;
    j["spikes_out"] = st.spikes_out;
    j["noc_messages"] = st.messages;
    j["noc_bytes"] = st.messages * static_cast<double>(s.payload_bits) / 8.0;
    if (p.unit == Unit::x86) j["x86_ops"] = st.x86_ops;
    if (functional) j["saturations"] = act.saturations[i];
    return j;
}

class NeuromorphicBackend : public Backend {
public:
    RunResult run(const RunRequest& req) override {
        const HwConfig config =
            HwConfig::resolve("neuromorphic", kDefaultConfig, req.config_file, req.overrides);
        const Spec spec = parse_spec(config);
        if (req.trace.numerics != Numerics::int8) {
            throw InputError("--model neuromorphic",
                             "an int8 trace (neurons compute the integer contract with integer spikes)",
                             "a float32 trace");
        }
        const Schedule schedule = make_schedule(req.trace);
        const Mapping mapping = map_trace(req.trace, spec);  // refuses what does not fit, before running

        FunctionalResult fn;
        if (req.data) {
            // The functional run is most of a run's time: its own bar, over ops (the timing's is over
            // segments).
            Progress ops_bar("neuromorphic", req.trace.ops.size(), req.progress);
            fn = run_functional(req.trace, schedule, mapping, spec, *req.data, req.hash_ops,
                                [&](size_t done) { ops_bar.update(done, req.trace.ops[done - 1].name); });
        } else {
            fn.activity = dense_activity(req.trace, schedule);
        }
        auto* top = dynamic_cast<NeuromorphicTop*>(sc::top("neuromorphic"));
        Timeline timeline("ssmsim neuromorphic (" + spec.name + ")", spec.clock_hz);
        Progress bar("neuromorphic", schedule.segments.size(), req.progress);
        RunJob job;
        job.spec = &spec;
        job.trace = &req.trace;
        job.schedule = &schedule;
        job.mapping = &mapping;
        job.activity = &fn.activity;
        job.timeline = &timeline;
        job.progress = [&](size_t done) { bar.update(done, "segment " + std::to_string(done)); };
        top->run(job);
        bar.finish();

        RunResult result;
        result.op_sha256 = std::move(fn.op_sha256);
        auto& r = result.report;
        const Activity& act = fn.activity;
        put_run_totals(r, config, spec.clock_hz, static_cast<double>(job.cycles), job.energy);
        put_validation(r, config, req.config_file, req.overrides);
        r["dynamic_energy_pj"] = job.energy.total() - job.energy.get("static");
        r["dram_bytes"] = 0;  // no DRAM: weights and state live in the cores; see buffer_bytes
        r["buffer_bytes"] = job.buffer_bytes;
        r["sram_peak_bytes"] = mapping.synapse_bytes + 4 * mapping.neurons;  // synapses + 32-bit neuron state
        double synops = 0, updates = 0, messages = 0;
        uint64_t sat = 0;
        auto ops = nlohmann::ordered_json::array();
        for (size_t i = 0; i < req.trace.ops.size(); ++i) {
            const OpStats& st = job.ops[i];
            synops += st.synops;
            updates += st.updates;
            messages += st.messages;
            if (req.data) sat += act.saturations[i];
            ops.push_back(
                op_entry(req.trace.ops[i], st, mapping.ops[i], schedule, i, spec, act, req.data != nullptr));
        }
        if (req.data) r["saturations"] = sat;
        r["timesteps"] = job.timesteps;
        r["seconds_per_timestep"] =
            job.timesteps > 0 ? r["seconds"].get<double>() / static_cast<double>(job.timesteps) : 0.0;
        r["sigma_delta"] = {
            {"threshold", spec.threshold},
            {"measured", !act.dense},
            {"values", act.encoded_values},
            {"spikes", act.spikes},
            {"sparsity", act.encoded_values > 0
                             ? 1.0 - static_cast<double>(act.spikes) / static_cast<double>(act.encoded_values)
                             : 0.0},
            {"max_payload", act.max_payload}};
        r["spikes"] = act.spikes;
        r["synops"] = synops;
        r["neuron_updates"] = updates;
        r["noc_messages"] = messages;
        r["energy_per_timestep_pj"] =
            job.timesteps > 0 ? job.energy.total() / static_cast<double>(job.timesteps) : 0.0;
        auto fallback = nlohmann::ordered_json::array();
        for (size_t i = 0; i < req.trace.ops.size(); ++i) {
            if (mapping.ops[i].unit == Unit::x86) fallback.push_back(req.trace.ops[i].name);
        }
        r["mapping"] = {{"chips_used", mapping.chips_used},       {"cores_used", mapping.cores_used},
                        {"cores_per_chip", spec.cores_per_chip},  {"neurons", mapping.neurons},
                        {"synapse_bytes", mapping.synapse_bytes}, {"x86_fallback_ops", fallback}};
        auto segs = nlohmann::ordered_json::array();
        for (size_t k = 0; k < schedule.segments.size(); ++k) {
            const Segment& sg = schedule.segments[k];
            segs.push_back({{"kind", segment_kind_name(sg.kind)},
                            {"reverse", sg.reverse},
                            {"ops", sg.ops.size()},
                            {"timesteps", job.segments[k].timesteps},
                            {"start_cycle", job.segments[k].start},
                            {"cycles", job.segments[k].end - job.segments[k].start}});
        }
        r["segments"] = std::move(segs);
        if (req.data && spec.compare_with_reference) {
            const reference::Execution ref = reference::execute(req.trace, *req.data);
            r["error_vs_reference"] = compare_outputs(req.trace, fn.outputs, ref.outputs);
        }
        r["ops"] = std::move(ops);
        result.files["timeline.json"] = timeline.dump();
        if (req.data) result.outputs = std::move(fn.outputs);
        return result;
    }
};

}  // namespace

void register_backend() {
    sc::register_top("neuromorphic", [] { return new NeuromorphicTop("neuromorphic"); });
    BackendRegistry::add(
        {"neuromorphic",
         "Loihi-2-class neuromorphic mesh (SystemC/TLM): neurocores, sigma-delta graded spikes, "
         "NoC, timestep barriers, x86 fallback",
         false, [] { return std::make_unique<NeuromorphicBackend>(); }, kDefaultConfig});
}

}  // namespace ssmsim::neuromorphic
