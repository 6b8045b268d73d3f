// The GPU behind the Backend boundary: resolve and check the config, lower every op to its kernels/
// launch, run the stream through the SystemC top, and report cycles, energy, memory traffic, L2 hit rate,
// utilisation and a timeline. Outputs are computed through the launches themselves (datapath.h): CTA by
// CTA and chunk by chunk as the lowering divides each op, so the bytes depend on the model's mapping.
#include "models/gpu/backend.h"

#include <set>

#include "models/gpu/datapath.h"
#include "models/gpu/lower_op.h"
#include "models/gpu/top.h"
#include "sim/backend/backend.h"
#include "sim/backend/timed_report.h"
#include "sim/config/hw_config.h"
#include "sim/report/report.h"
#include "sim/sc/kernel.h"
#include "sim/util/error.h"
#include "sim/util/progress.h"

namespace ssmsim::gpu {

namespace {

constexpr const char* kDefaultConfig = "gpu-h100-sxm";

nlohmann::ordered_json op_entry(const OpItem& item, const OpResult& r, const Spec& s, bool functional,
                                uint64_t saturations) {
    const double cyc = std::max(1.0, r.cycles);
    const KernelLaunch& k = r.launch;
    nlohmann::ordered_json j;
    j["name"] = item.name;
    j["kind"] = item.kind;
    j["start_cycle"] = static_cast<uint64_t>(std::llround(r.start));
    j["cycles"] = static_cast<uint64_t>(std::llround(r.cycles));
    j["seconds"] = r.cycles / s.clock_hz;
    j["energy_pj"] = r.energy_pj;
    j["dram_read_bytes"] = static_cast<int64_t>(std::llround(r.hbm_read));
    j["dram_write_bytes"] = static_cast<int64_t>(std::llround(r.hbm_write));
    j["l2_hit_rate"] = r.l2.hit_rate();
    j["macs"] = r.macs;
    const double peak = k.tensor_cores ? s.int8_macs_per_cycle : s.fp32_fmas_per_cycle;
    const double sms = static_cast<double>(s.sms);
    j["utilisation"] = {{"sm_issue", r.sm_busy / (cyc * sms)},
                        {"mac", r.macs / (cyc * sms * peak)},
                        {"l2", (r.l2.read_hit_bytes + r.l2.read_miss_bytes + r.l2.write_bytes) /
                                   (cyc * s.l2_bytes_per_cycle)},
                        {"hbm", r.hbm_busy / cyc}};
    j["bound"] = r.hbm_busy > r.sm_busy / sms ? "memory" : "compute";
    j["kernel"] = {{"name", kernel_name(k.kind)},
                   {"grid", k.grid},
                   {"threads", k.threads},
                   {"smem_bytes", k.smem},
                   {"ctas_per_sm", k.ctas_per_sm},
                   {"occupancy_limit", k.occupancy_limit},
                   {"waves", r.waves},
                   {"chunks_per_cta", k.chunks}};
    if (functional) j["saturations"] = saturations;
    return j;
}

class GpuBackend : public Backend {
public:
    RunResult run(const RunRequest& req) override {
        const HwConfig config = HwConfig::resolve("gpu", kDefaultConfig, req.config_file, req.overrides);
        const Spec spec = parse_spec(config);
        const Trace& trace = req.trace;
        auto* top = dynamic_cast<GpuTop*>(sc::top("gpu"));

        TensorStore store;
        if (req.data) store = *req.data;
        const std::set<std::string> outputs(trace.outputs.begin(), trace.outputs.end());
        std::vector<uint64_t> saturations(trace.ops.size(), 0);
        std::vector<std::string> op_hashes(req.hash_ops && req.data ? trace.ops.size() : 0);
        std::vector<OpItem> items(trace.ops.size());
        const std::vector<uint32_t> ids = tensor_ids(trace);
        for (size_t i = 0; i < trace.ops.size(); ++i) {
            const OpDecl& op = trace.ops[i];
            OpItem& it = items[i];
            it.name = op.name;
            it.kind = op.kind;
            it.shape = shape_of(trace, ids, op);
            for (const auto& name : op.inputs) {
                const TensorDecl& td = trace.tensor(name);
                if (td.last_reader == static_cast<int>(i) && !outputs.count(name) && !td.is_graph_input())
                    it.freed.push_back(ids[static_cast<size_t>(&td - trace.tensors.data())]);
            }
            if (!req.data) continue;
            it.functional = [&, i](const KernelLaunch& launch) {
                const OpDecl& o = trace.ops[i];
                saturations[i] = run_datapath(launch, items[i].shape, trace, o, store);
                if (!op_hashes.empty()) op_hashes[i] = op_output_sha256(o, store);
                for (const auto& name : o.inputs) {
                    const TensorDecl& td = trace.tensor(name);
                    if (td.last_reader == static_cast<int>(i) && !outputs.count(name)) store.erase(name);
                }
            };
        }

        Timeline timeline("ssmsim gpu (" + spec.name + ")", spec.clock_hz);
        Progress bar("gpu", trace.ops.size(), req.progress);
        GpuJob job;
        job.spec = &spec;
        job.items = &items;
        job.tensor_bytes.resize(trace.tensors.size());
        for (size_t t = 0; t < trace.tensors.size(); ++t)
            job.tensor_bytes[ids[t]] = trace.tensors[t].nbytes();
        job.timeline = &timeline;
        job.progress = [&](size_t done) { bar.update(done, trace.ops[done - 1].name); };
        top->run(job);
        bar.finish();

        RunResult result;
        result.op_sha256 = std::move(op_hashes);
        auto& r = result.report;
        put_run_totals(r, config, spec.clock_hz, job.cycles, job.energy);
        put_validation(r, config, req.config_file, req.overrides);
        double rd = 0, wr = 0, hit = 0, miss = 0, sm_busy = 0, hbm_busy = 0, macs = 0;
        uint64_t sat = 0;
        int mem_bound = 0;
        auto ops = nlohmann::ordered_json::array();
        for (size_t i = 0; i < job.results.size(); ++i) {
            const OpResult& o = job.results[i];
            rd += o.hbm_read;
            wr += o.hbm_write;
            hit += o.l2.read_hit_bytes;
            miss += o.l2.read_miss_bytes;
            sm_busy += o.sm_busy;
            hbm_busy += o.hbm_busy;
            macs += o.macs;
            sat += saturations[i];
            auto e = op_entry(items[i], o, spec, req.data != nullptr, saturations[i]);
            mem_bound += e["bound"] == "memory" ? 1 : 0;
            ops.push_back(std::move(e));
        }
        r["dram_bytes"] = static_cast<int64_t>(std::llround(rd + wr));
        r["dram_read_bytes"] = static_cast<int64_t>(std::llround(rd));
        r["dram_write_bytes"] = static_cast<int64_t>(std::llround(wr));
        r["sram_peak_bytes"] = 0;  // no scratchpad of its own: the L2 is a cache (l2_hit_rate)
        r["l2_hit_rate"] = hit + miss > 0 ? hit / (hit + miss) : 0.0;
        r["l2_read_bytes"] = static_cast<int64_t>(std::llround(hit + miss));
        if (req.data) r["saturations"] = sat;
        const double cyc = std::max(1.0, job.cycles);
        r["utilisation"] = {
            {"sm_issue", sm_busy / (cyc * static_cast<double>(spec.sms))},
            {"hbm", hbm_busy / cyc},
            {"int8_mac", macs / (cyc * static_cast<double>(spec.sms) * spec.int8_macs_per_cycle)}};
        r["memory_bound_ops"] = mem_bound;
        r["compute_bound_ops"] = static_cast<int>(job.results.size()) - mem_bound;
        r["ops"] = std::move(ops);
        result.files["timeline.json"] = timeline.dump();
        if (req.data) {
            for (const auto& name : trace.outputs) result.outputs.emplace(name, std::move(store.at(name)));
        }
        return result;
    }
};

}  // namespace

void register_backend() {
    sc::register_top("gpu", [] { return new GpuTop("gpu"); });
    BackendRegistry::add(
        {"gpu", "tensor-core GPU (SystemC/TLM): SMs, CTAs in waves, partitioned L2, HBM (H100 SXM default)",
         false, [] { return std::make_unique<GpuBackend>(); }, kDefaultConfig});
}

}  // namespace ssmsim::gpu
