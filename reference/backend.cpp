// The software reference as a model: functional only, no timing. Its report carries the work of every op
// and the saturation counts, which the hardware models' reports must match.
#include "reference/backend.h"

#include "reference/executor.h"
#include "sim/backend/backend.h"
#include "sim/report/report.h"
#include "sim/util/progress.h"

namespace ssmsim::reference {

namespace {

class ReferenceBackend : public Backend {
public:
    RunResult run(const RunRequest& req) override {
        if (!req.data)
            throw std::invalid_argument("the reference model needs data: it cannot run a shape-only trace");
        if (!req.overrides.empty()) {
            throw std::invalid_argument("the reference model has no configuration: --set " +
                                        req.overrides.begin().key() + " does not apply");
        }
        Progress bar("reference", req.trace.ops.size(), req.progress);
        RunResult result;
        ObserverFn hash_op;
        if (req.hash_ops) {
            result.op_sha256.resize(req.trace.ops.size());
            hash_op = [&](const OpDecl& op, const TensorStore& live) {
                result.op_sha256[static_cast<size_t>(&op - req.trace.ops.data())] =
                    op_output_sha256(op, live);
            };
        }
        Execution ex = execute(
            req.trace, *req.data, [&](size_t done, const std::string& op) { bar.update(done, op); }, false,
            hash_op);
        bar.finish();
        auto& r = result.report;
        r["saturations"] = ex.saturations;
        r["host_peak_bytes"] = ex.peak_bytes;
        // The reference defines the integer contract (docs/numerics.md): it has no time or energy to
        // validate.
        r["validation"] = {{"time", nullptr},
                           {"energy", nullptr},
                           {"energy_node_nm", nullptr},
                           {"outputs", "the integer contract itself (docs/numerics.md); no time or energy"}};
        auto ops = op_work(req.trace);
        for (size_t i = 0; i < ops.size(); ++i) ops[i]["saturations"] = ex.ops[i].saturations;
        r["ops"] = std::move(ops);
        result.outputs = std::move(ex.outputs);
        return result;
    }
};

}  // namespace

void register_backend() {
    BackendRegistry::add({"reference", "the plain C++ software reference (functional, no timing)", true,
                          [] { return std::make_unique<ReferenceBackend>(); }, ""});
}

}  // namespace ssmsim::reference
