#include "app/rtl_verify_cosim.h"

#include <fmt/format.h>

#include <algorithm>

#include "models/systolic/scan_engine.h"
#include "models/systolic/scan_timing.h"
#include "reference/executor.h"
#include "sim/backend/backend.h"

namespace ssmsim::cli {

using namespace ssmsim::rtl;

namespace {

// What the engines of one co-simulation saw.
struct CosimStatus {
    std::string error;  // the first chunk the design could not run, or its exception
    uint64_t cycle_mismatches = 0;
};

// The plugin as the systolic model's scan engine. It never throws: an exception unwinding through the
// model's SystemC thread aborts the process, so the first problem is recorded, later chunks are skipped and
// the outputs then differ; the caller reports the problem.
class PluginScanEngine : public systolic::ScanEngine {
public:
    PluginScanEngine(std::unique_ptr<ScanUnitModel> unit, Fit fit, CosimStatus& status)
        : unit_(std::move(unit)), fit_(fit), status_(status) {}
    std::string name() const override { return "rtl"; }
    void run(const systolic::ScanOperands& op, const systolic::ScanChunk& ck, uint64_t& sat) override {
        if (!status_.error.empty()) return;
        try {
            if (const std::string why = unit_->unsupported(op, ck); !why.empty()) {
                status_.error = "the design cannot run a chunk of this workload: expected " + why;
                return;
            }
            const uint64_t got = unit_->run(op, ck, sat);
            const auto want = static_cast<uint64_t>(systolic::scan_chunk_cycles(
                {unit_->params().lanes, fit_.depth, fit_.latency}, (ck.ch1 - ck.ch0) * op.states, ck.steps));
            if (got != want) ++status_.cycle_mismatches;
            cycles_ += got;
        } catch (const std::exception& e) {
            status_.error = e.what();
        }
    }
    uint64_t measured_cycles() const override { return cycles_; }

private:
    std::unique_ptr<ScanUnitModel> unit_;
    Fit fit_;
    CosimStatus& status_;
    uint64_t cycles_ = 0;
};

}  // namespace

bool cosimulate(const ScanPlugin& plugin, const UnitParams& p, const Fit& fit, const ResolvedWorkload& w,
                int64_t seq_len) {
    const reference::Execution ref = reference::execute(w.trace, *w.data);
    CosimStatus status;
    systolic::set_rtl_scan_override(
        {p.lanes, fit.depth, fit.latency,
         [&] { return std::make_unique<PluginScanEngine>(plugin.make(p), fit, status); }});
    struct Clear {
        ~Clear() { systolic::clear_rtl_scan_override(); }
    } clear;
    const BackendInfo* systolic = BackendRegistry::find("systolic");
    RunRequest req{w.trace, &*w.data, nlohmann::json::object(), "", false, false};
    req.overrides = {{"scan.unit", "rtl"},
                     {"scan.lanes", p.lanes},
                     {"scan.pipeline_depth", fit.depth},
                     {"scan.output_latency", fit.latency}};
    RunResult r;
    try {
        r = systolic->make()->run(req);
    } catch (const std::exception& e) {
        fmt::print("FAIL co-simulation on {}: {}\n", w.name, e.what());
        return false;
    }
    if (!status.error.empty()) {
        fmt::print("FAIL co-simulation on {}: {}\n", w.name, status.error);
        return false;
    }
    for (const auto& name : w.trace.outputs) {
        const Tensor &ref_out = ref.outputs.at(name), &rtl_out = r.outputs.at(name);
        const auto want = ref_out.bytes(), got = rtl_out.bytes();
        const auto diff = std::mismatch(want.begin(), want.end(), got.begin(), got.end());
        if (diff.first != want.end()) {
            fmt::print("FAIL co-simulation on {}: output {} differs from the reference at byte {}\n", w.name,
                       name, diff.first - want.begin());
            return false;
        }
    }
    if (r.report.value("saturations", uint64_t{0}) != ref.saturations) {
        fmt::print("FAIL co-simulation on {}: saturations {}, reference {}\n", w.name,
                   r.report.value("saturations", uint64_t{0}), ref.saturations);
        return false;
    }
    fmt::print(
        "co-simulation: {} (seq-len {}) in the systolic model: outputs and saturations equal the "
        "reference's; {} cycles{}\n",
        w.name, seq_len, r.report.value("cycles", 0.0),
        status.cycle_mismatches ? fmt::format(", {} chunks off the closed form", status.cycle_mismatches)
                                : "");
    return status.cycle_mismatches == 0;
}

}  // namespace ssmsim::cli
