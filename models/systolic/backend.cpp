// The systolic accelerator behind the Backend boundary: resolve and check the config, run the trace
// through the SystemC top, and report cycles, energy, memory traffic, utilisation and a timeline.
#include "models/systolic/backend.h"

#include "models/systolic/top.h"
#include "sim/backend/backend.h"
#include "sim/backend/timed_report.h"
#include "sim/config/hw_config.h"
#include "sim/sc/kernel.h"
#include "sim/util/error.h"
#include "sim/util/progress.h"

namespace ssmsim::systolic {

namespace {

constexpr const char* kDefaultConfig = "systolic-edge";

nlohmann::ordered_json op_entry(const OpDecl& op, const OpStats& st, const Spec& s, bool functional) {
    const double cyc = std::max<double>(1.0, static_cast<double>(st.cycles));
    const auto& p = st.plan;
    const uint64_t compute = std::max({st.busy[0], st.busy[1], st.busy[2]});
    nlohmann::ordered_json j;
    j["name"] = op.name;
    j["kind"] = op.kind;
    j["start_cycle"] = st.start;
    j["cycles"] = st.cycles;
    j["energy_pj"] = st.energy_pj;
    j["dram_read_bytes"] = st.dram_read;
    j["dram_write_bytes"] = st.dram_write;
    j["sram_bytes"] = p.sram_bytes;
    j["macs"] = p.macs;
    j["utilisation"] = {{"array", static_cast<double>(p.macs) / (cyc * static_cast<double>(s.rows * s.cols))},
                        {"scan", static_cast<double>(p.lane_updates) / (cyc * static_cast<double>(s.lanes))},
                        {"vector", static_cast<double>(st.busy[2]) / cyc},
                        {"dram", static_cast<double>(st.dram_busy) / cyc}};
    j["busy_cycles"] = {
        {"array", st.busy[0]}, {"scan", st.busy[1]}, {"vector", st.busy[2]}, {"dram", st.dram_busy}};
    j["bound"] = st.dram_busy > compute ? "memory" : "compute";
    j["stall_cycles"] = st.cycles > compute ? st.cycles - compute : 0;
    if (functional) j["saturations"] = st.saturations;
    j["mapping"] = p.mapping;
    return j;
}

class SystolicBackend : public Backend {
public:
    RunResult run(const RunRequest& req) override {
        const HwConfig config = HwConfig::resolve("systolic", kDefaultConfig, req.config_file, req.overrides);
        const Spec spec = parse_spec(config);
        if (req.trace.numerics != Numerics::int8) {
            throw InputError("--model systolic",
                             "an int8 trace (the accelerator computes the integer contract)",
                             "a float32 trace");
        }
        auto* top = dynamic_cast<SystolicTop*>(sc::top("systolic"));

        FunctionalState fn;
        if (req.data) {
            fn.store = *req.data;
            fn.scan = make_scan_engine(spec.scan_unit);
        }
        Timeline timeline("ssmsim systolic (" + spec.name + ")", spec.clock_hz);
        Progress bar("systolic", req.trace.ops.size(), req.progress);
        RunJob job;
        job.spec = &spec;
        job.trace = &req.trace;
        job.fn = req.data ? &fn : nullptr;
        std::vector<std::string> op_hashes(req.hash_ops && req.data ? req.trace.ops.size() : 0);
        if (!op_hashes.empty()) job.op_hashes = &op_hashes;
        job.timeline = &timeline;
        job.progress = [&](size_t done) { bar.update(done, req.trace.ops[done - 1].name); };
        top->run(job);
        bar.finish();

        RunResult result;
        result.op_sha256 = std::move(op_hashes);
        auto& r = result.report;
        put_run_totals(r, config, spec.clock_hz, static_cast<double>(job.cycles), job.energy);
        put_validation(r, config, req.config_file, req.overrides);
        int64_t rd = 0, wr = 0, macs = 0, updates = 0;
        uint64_t sat = 0, busy[kUnits] = {0, 0, 0}, dram_busy = 0, stalls = 0;
        int mem_bound = 0;
        auto ops = nlohmann::ordered_json::array();
        for (size_t i = 0; i < job.ops.size(); ++i) {
            const OpStats& st = job.ops[i];
            rd += st.dram_read;
            wr += st.dram_write;
            macs += st.plan.macs;
            updates += st.plan.lane_updates;
            sat += st.saturations;
            for (int u = 0; u < kUnits; ++u) busy[u] += st.busy[u];
            dram_busy += st.dram_busy;
            auto e = op_entry(req.trace.ops[i], st, spec, req.data != nullptr);
            stalls += e["stall_cycles"].get<uint64_t>();
            mem_bound += e["bound"] == "memory" ? 1 : 0;
            ops.push_back(std::move(e));
        }
        r["dram_bytes"] = rd + wr;
        r["dram_read_bytes"] = rd;
        r["dram_write_bytes"] = wr;
        r["sram_peak_bytes"] = job.sram_peak;
        r["sram_capacity_bytes"] = spec.weights.bytes + spec.activations.bytes + spec.state.bytes;
        r["sram_area_mm2"] = spec.sram_area_mm2;  // 28 nm table (sim/cost/sram_cost.h)
        if (req.data) r["saturations"] = sat;
        const double cyc = std::max<double>(1.0, static_cast<double>(job.cycles));
        r["utilisation"] = {
            {"array", static_cast<double>(macs) / (cyc * static_cast<double>(spec.rows * spec.cols))},
            {"scan", static_cast<double>(updates) / (cyc * static_cast<double>(spec.lanes))},
            {"vector", static_cast<double>(busy[2]) / cyc},
            {"dram", static_cast<double>(dram_busy) / cyc}};
        r["busy_cycles"] = {{"array", busy[0]}, {"scan", busy[1]}, {"vector", busy[2]}, {"dram", dram_busy}};
        r["stall_cycles"] = stalls;
        r["memory_bound_ops"] = mem_bound;
        r["compute_bound_ops"] = static_cast<int>(job.ops.size()) - mem_bound;
        r["scan_unit"] = spec.scan_unit;
        r["ops"] = std::move(ops);
        result.files["timeline.json"] = timeline.dump();
        if (req.data) {
            for (const auto& name : req.trace.outputs)
                result.outputs.emplace(name, std::move(fn.store.at(name)));
        }
        return result;
    }
};

}  // namespace

void register_backend() {
    sc::register_top("systolic", [] { return new SystolicTop("systolic"); });
    BackendRegistry::add(
        {"systolic",
         "systolic-array SSM accelerator (SystemC/TLM): array, scan unit, vector unit, SRAM, DRAM", false,
         [] { return std::make_unique<SystolicBackend>(); }, kDefaultConfig});
}

}  // namespace ssmsim::systolic
