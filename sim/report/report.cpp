#include "sim/report/report.h"

#include "sim/ops/op_schema.h"
#include "sim/trace/npy.h"
#include "sim/util/atomic_file.h"
#include "sim/util/sha256.h"

namespace ssmsim {

namespace fs = std::filesystem;

std::string output_sha256(const Trace& trace, const TensorStore& outputs) {
    Sha256 h;
    for (const auto& name : trace.outputs) h.update(outputs.at(name).bytes());
    return h.hex();
}

std::string op_output_sha256(const OpDecl& op, const TensorStore& live) {
    Sha256 h;
    for (const auto& name : op.outputs) h.update(live.at(name).bytes());
    return h.hex();
}

nlohmann::ordered_json op_work(const Trace& trace) {
    auto ops = nlohmann::ordered_json::array();
    for (const auto& op : trace.ops) {
        const OpCost c = find_op_schema(op.kind)->cost(trace, op);
        ops.push_back({{"name", op.name},
                       {"kind", op.kind},
                       {"macs", c.macs},
                       {"vector_ops", c.vector_ops},
                       {"bytes_read", c.bytes_read},
                       {"bytes_written", c.bytes_written}});
    }
    return ops;
}

namespace {

// argmax per row of a [B, C] logits tensor; first maximum wins.
nlohmann::ordered_json predictions(const Tensor& logits) {
    auto out = nlohmann::ordered_json::array();
    if (logits.shape().size() != 2) return out;
    const int64_t rows = logits.shape()[0], cols = logits.shape()[1];
    for (int64_t r = 0; r < rows; ++r) {
        int64_t best = 0;
        for (int64_t c = 1; c < cols; ++c) {
            const bool better =
                logits.dtype() == DType::int32
                    ? logits.as<int32_t>()[r * cols + c] > logits.as<int32_t>()[r * cols + best]
                    : logits.as<float>()[r * cols + c] > logits.as<float>()[r * cols + best];
            if (better) best = c;
        }
        out.push_back(best);
    }
    return out;
}

}  // namespace

nlohmann::ordered_json common_report(const std::string& model, const std::string& workload,
                                     const Trace& trace, const TensorStore* outputs) {
    nlohmann::ordered_json r;
    r["model"] = model;
    r["workload"] = workload;
    r["trace"] = trace.name;
    r["numerics"] = numerics_name(trace.numerics);
    const OpCost work = total_cost(trace);
    r["macs"] = work.macs;
    r["bytes"] = work.bytes_read + work.bytes_written;
    if (outputs) {
        r["output_sha256"] = output_sha256(trace, *outputs);
        auto& outs = r["outputs"] = nlohmann::ordered_json::object();
        for (const auto& name : trace.outputs) {
            const Tensor& t = outputs->at(name);
            outs[name] = {
                {"dtype", dtype_name(t.dtype())}, {"shape", t.shape()}, {"sha256", sha256_hex(t.bytes())}};
        }
        const Tensor& first = outputs->at(trace.outputs.front());
        if (first.dtype() == DType::int32 || first.dtype() == DType::float32)
            r["predicted_class"] = predictions(first);
    }
    if (trace.meta.contains("label")) r["label"] = trace.meta["label"];
    // A batch (ssmsim gen --batch N > 1) labels every sample; `label` stays sample 0's, as in a batch of one.
    if (trace.meta.contains("labels")) r["labels"] = trace.meta["labels"];
    return r;
}

namespace {

// "report.json.tmp.1234": the temporary of write_file_atomic, left by a process killed mid-write.
bool is_stale_temporary(const std::string& name) {
    const auto at = name.rfind(".tmp.");
    if (at == std::string::npos || at + 5 == name.size()) return false;
    return name.find_first_not_of("0123456789", at + 5) == std::string::npos;
}

// Removes the regular files of `dir` that `owned` accepts; nothing else (the folder may be the user's).
template <typename Pred>
void remove_files(const fs::path& dir, Pred owned) {
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(dir, ec))) return;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (fs::is_regular_file(e.symlink_status(ec)) && owned(name)) fs::remove(e.path(), ec);
    }
}

}  // namespace

void clear_previous_report(const fs::path& out_dir) {
    // report.json first: whatever else fails to go, nothing looks complete.
    std::error_code ec;
    fs::remove(out_dir / "report.json", ec);
    remove_files(out_dir, [](const std::string& n) {
        return n == "timeline.json" || n == "ops.csv" || is_stale_temporary(n);
    });
    // Outputs of the earlier run: a new run's outputs/ holds only its own tensors.
    remove_files(out_dir / "outputs",
                 [](const std::string& n) { return n.ends_with(".npy") || is_stale_temporary(n); });
    fs::remove(out_dir / "outputs", ec);  // only if empty now
}

void write_run_output(const fs::path& out_dir, const nlohmann::ordered_json& report,
                      const TensorStore& outputs, const std::map<std::string, std::string>& files) {
    fs::create_directories(out_dir);
    if (!outputs.empty()) {
        fs::create_directories(out_dir / "outputs");
        for (const auto& [name, t] : outputs) write_npy(out_dir / "outputs" / (name + ".npy"), t);
    }
    for (const auto& [name, text] : files) write_file_atomic(out_dir / name, text);
    // A workload named by a path that is not UTF-8 (Linux allows any bytes) gets U+FFFD in its place.
    write_file_atomic(out_dir / "report.json",
                      report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
}

}  // namespace ssmsim
