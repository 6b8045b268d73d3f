// `ssmsim-gpu-calibrate workloads`: the GPU model against whole LRA workloads measured end to end on the GPU
// (reference/gpu-timings/h200-lra-validation.csv: every workload at three lengths and batch 1, 8, 32, one
// CUDA Graph per forward pass). This is the model's validation family, split from calibration by family: the
// costs are fitted on the kernel grid (h200.csv, `fit`), never on these rows (docs/models/gpu.md).
//
// Each (task, arch, length) is built once at batch 1 (int8; its calibration dominates the tool's time) and
// widened to each batch by its declarations only: timing-only runs need shapes, not data.
#include "models/gpu/tools/lra_validation.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "models/gpu/spec.h"
#include "sim/backend/backend.h"
#include "sim/config/hw_config.h"
#include "sim/util/atomic_file.h"
#include "sim/util/csv_rows.h"
#include "sim/util/error.h"
#include "workloads/lra/batch.h"
#include "workloads/lra/lra.h"

namespace ssmsim::gpu {
namespace {

struct Row {
    std::string task, arch;
    int64_t seq_len = 0, batch = 0;
    double measured_ms = 0, predicted_ms = 0;
    double measured_w = 0, predicted_w = 0;  // board power, where the CSV has it (h200-lra-power.csv)
    double error_pct() const { return 100.0 * (predicted_ms - measured_ms) / measured_ms; }
    double power_error_pct() const { return 100.0 * (predicted_w - measured_w) / measured_w; }
};

std::vector<Row> load_rows(const std::string& path) {
    std::vector<Row> rows;
    for (const auto& m : read_csv_rows(path)) {
        try {
            Row r{m.at("task"), m.at("arch"), std::stoll(m.at("seq_len")), std::stoll(m.at("batch")),
                  std::stod(m.at("graph_ms"))};
            if (m.count("board_w")) r.measured_w = std::stod(m.at("board_w"));
            rows.push_back(r);
        } catch (const std::exception&) {
            throw InputError(path, "task, arch, seq_len, batch and graph_ms in every row",
                             "a row without them (" + m.begin()->second + ", ...)");
        }
    }
    return rows;
}

struct Stats {
    int n = 0;
    double mape = 0, worst = 0;
};
Stats stats(const std::vector<const Row*>& rows, bool power = false) {
    Stats s;
    for (const Row* r : rows) {
        const double e = std::fabs(power ? r->power_error_pct() : r->error_pct());
        s.mape += e;
        s.worst = std::max(s.worst, e);
    }
    s.n = static_cast<int>(rows.size());
    if (s.n) s.mape /= s.n;
    return s;
}

// Per-op validation: the measured ops of every run (per-op CUDA events, median), and the pairs kept.
using RunKey = std::tuple<std::string, std::string, int64_t, int64_t>;  // task, arch, seq_len, batch
struct MeasuredOp {
    std::string name, kind;
    double ms = 0;
};
struct OpPair {
    RunKey run;
    std::string name, kind;
    double measured_ms = 0, predicted_ms = 0;
    double error_pct() const { return 100.0 * (predicted_ms - measured_ms) / measured_ms; }
};
constexpr double kMinOpMs = 0.010;  // the floor: ops of 10 us or more

std::map<RunKey, std::vector<MeasuredOp>> load_ops(const std::string& path) {
    std::map<RunKey, std::vector<MeasuredOp>> ops;
    for (const auto& m : read_csv_rows(path)) {
        try {
            ops[{m.at("task"), m.at("arch"), std::stoll(m.at("seq_len")), std::stoll(m.at("batch"))}]
                .push_back({m.at("op"), m.at("kind"), std::stod(m.at("gpu_ms_median"))});
        } catch (const std::exception& e) {
            throw InputError(path, "task, arch, seq_len, batch, op, kind and gpu_ms_median in every row",
                             std::string("a row without them (") + e.what() + ")");
        }
    }
    return ops;
}

// The model's time of every measured op of one run, matched by op name (the trace's names are unique). The
// run charges each kernel a graph node's launch gap; the op was measured with an event pair around it, so
// its kernel is compared with the event gap in its place (`event_extra_ms`: the difference).
void pair_ops(const RunKey& run, const std::vector<MeasuredOp>& measured, const nlohmann::json& report,
              double event_extra_ms, std::vector<OpPair>& pairs) {
    std::map<std::string, double> model_ms;
    for (const auto& op : report.at("ops")) {
        const double ms = 1e3 * op.at("seconds").get<double>();
        model_ms[op.at("name")] = ms > 0 ? ms + event_extra_ms : ms;  // 0: no kernel
    }
    for (const MeasuredOp& m : measured) {
        if (m.ms < kMinOpMs) continue;
        const auto it = model_ms.find(m.name);
        if (it == model_ms.end())
            throw InputError("per-op CSV", "op '" + m.name + "' in the model's report", "no such op");
        pairs.push_back({run, m.name, m.kind, m.ms, it->second});
    }
}

}  // namespace

int run_workload_validation(const std::string& config, const std::string& csv, const std::string& out,
                            int64_t max_len, const std::string& ops_csv, const std::string& ops_out) {
    std::vector<Row> rows = load_rows(csv);
    const auto measured_ops =
        ops_csv.empty() ? std::map<RunKey, std::vector<MeasuredOp>>{} : load_ops(ops_csv);
    std::vector<OpPair> op_pairs;
    const Spec spec = parse_spec(HwConfig::resolve("gpu", "gpu-h100-sxm", config, nlohmann::json::object()));
    const double event_extra_ms = 1e3 * (spec.event_launch_cycles - spec.launch_cycles) / spec.clock_hz;
    const BackendInfo* gpu = BackendRegistry::find("gpu");
    if (!gpu) throw std::logic_error("the gpu model is not registered");
    std::map<std::tuple<std::string, std::string, int64_t>, workloads::Workload> built;
    for (Row& r : rows) {
        if (max_len && r.seq_len > max_len) continue;
        const auto key = std::make_tuple(r.task, r.arch, r.seq_len);
        auto it = built.find(key);
        if (it == built.end()) {
            workloads::WorkloadSpec spec = workloads::parse_workload_spec("lra:" + r.task + ":" + r.arch);
            spec.seq_len = r.seq_len;
            it = built.emplace(key, workloads::build_lra(spec)).first;
        }
        const Trace trace = workloads::widen_declarations(it->second.trace, r.batch);
        const RunRequest request{trace, nullptr, nlohmann::json::object(), config, false};
        const RunResult result = gpu->make()->run(request);
        const double seconds = result.report.at("seconds").get<double>();
        if (!ops_csv.empty()) {
            const RunKey run{r.task, r.arch, r.seq_len, r.batch};
            const auto m = measured_ops.find(run);
            if (m != measured_ops.end()) pair_ops(run, m->second, result.report, event_extra_ms, op_pairs);
        }
        r.predicted_ms = 1e3 * seconds;
        r.predicted_w = 1e-12 * result.report.at("energy_pj").get<double>() / seconds;
        fmt::print(stderr, "lra:{}:{} L={} b={}: measured {:.3f} ms, model {:.3f} ms ({:+.1f}%){}\n", r.task,
                   r.arch, r.seq_len, r.batch, r.measured_ms, r.predicted_ms, r.error_pct(),
                   r.measured_w > 0 ? fmt::format("; board {:.1f} W, model {:.1f} W ({:+.1f}%)", r.measured_w,
                                                  r.predicted_w, r.power_error_pct())
                                    : "");
    }
    std::vector<const Row*> all;
    std::map<std::string, std::vector<const Row*>> by_arch, by_batch;
    for (const Row& r : rows) {
        if (r.predicted_ms <= 0) continue;
        all.push_back(&r);
        by_arch[r.arch].push_back(&r);
        by_batch["batch " + std::to_string(r.batch)].push_back(&r);
    }
    auto line = [](const std::string& name, const Stats& s) {
        fmt::print("{:14} n={:3}  MAPE {:6.1f}%  worst {:6.1f}%\n", name, s.n, s.mape, s.worst);
    };
    for (const auto& [name, v] : by_arch) line(name, stats(v));
    for (const auto& [name, v] : by_batch) line(name, stats(v));
    line("overall", stats(all));
    const bool power = !all.empty() && all.front()->measured_w > 0;
    if (power) {
        for (const auto& [name, v] : by_arch) line(name + " W", stats(v, true));
        for (const auto& [name, v] : by_batch) line(name + " W", stats(v, true));
        line("overall W", stats(all, true));
        std::vector<const Row*> w = all;
        std::sort(w.begin(), w.end(), [](const Row* a, const Row* b) {
            return std::fabs(a->power_error_pct()) > std::fabs(b->power_error_pct());
        });
        for (size_t i = 0; i < std::min<size_t>(5, w.size()); ++i)
            fmt::print("worst power: lra:{}:{} L={} b={}: {:+.1f}%\n", w[i]->task, w[i]->arch, w[i]->seq_len,
                       w[i]->batch, w[i]->power_error_pct());
    }
    std::vector<const Row*> worst = all;
    std::sort(worst.begin(), worst.end(), [](const Row* a, const Row* b) {
        return std::fabs(a->error_pct()) > std::fabs(b->error_pct());
    });
    for (size_t i = 0; i < std::min<size_t>(5, worst.size()); ++i)
        fmt::print("worst: lra:{}:{} L={} b={}: {:+.1f}%\n", worst[i]->task, worst[i]->arch,
                   worst[i]->seq_len, worst[i]->batch, worst[i]->error_pct());
    if (!op_pairs.empty()) {
        std::map<std::string, std::vector<double>> by_kind;
        for (const OpPair& p : op_pairs) {
            by_kind[p.kind].push_back(std::fabs(p.error_pct()));
            by_kind["overall"].push_back(std::fabs(p.error_pct()));
        }
        for (const auto& [kind, e] : by_kind) {
            double sum = 0;
            for (double x : e) sum += x;
            fmt::print("ops {:16} n={:5}  MAPE {:6.1f}%  worst {:6.1f}%\n", kind, e.size(), sum / e.size(),
                       *std::max_element(e.begin(), e.end()));
        }
        if (!ops_out.empty()) {
            std::string text = "task,arch,seq_len,batch,op,kind,measured_ms,predicted_ms,error_pct\n";
            for (const OpPair& p : op_pairs)
                text += fmt::format("{},{},{},{},{},{},{:.4f},{:.4f},{:.1f}\n", std::get<0>(p.run),
                                    std::get<1>(p.run), std::get<2>(p.run), std::get<3>(p.run), p.name,
                                    p.kind, p.measured_ms, p.predicted_ms, p.error_pct());
            write_file_atomic(ops_out, text);
        }
    }
    if (!out.empty()) {
        std::ofstream f(out);
        if (!f) throw InputError(out, "a writable file", "cannot open it");
        f << "task,arch,seq_len,batch,measured_graph_ms,predicted_ms,error_pct"
          << (power ? ",measured_w,predicted_w,power_error_pct\n" : "\n");
        for (const Row* r : all) {
            f << fmt::format("{},{},{},{},{:.4f},{:.4f},{:.1f}", r->task, r->arch, r->seq_len, r->batch,
                             r->measured_ms, r->predicted_ms, r->error_pct());
            f << (power ? fmt::format(",{:.2f},{:.2f},{:.1f}\n", r->measured_w, r->predicted_w,
                                      r->power_error_pct())
                        : "\n");
        }
    }
    return 0;
}

}  // namespace ssmsim::gpu
