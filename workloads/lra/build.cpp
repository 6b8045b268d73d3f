// Assembles an LRA workload: task input -> embedding -> encoder -> mean pool -> head -> int32 logits,
// as float32, then (int8 mode) calibrated on a prefix of the input and quantized by the contract; a batch
// is this workload of sample 0, widened (batch.cpp).
#include <algorithm>
#include <cmath>

#include <filesystem>

#include <fmt/format.h>

#include "sim/trace/npy.h"
#include "sim/trace/trace_io.h"
#include "sim/util/error.h"
#include "sim/util/input_file.h"
#include "workloads/inputs/inputs.h"
#include "workloads/lra/archs.h"
#include "workloads/lra/batch.h"
#include "workloads/lra/quantize.h"

namespace ssmsim::workloads {

TaskInput make_input(Task t, uint64_t seed, int64_t len, PathfinderDifficulty difficulty) {
    switch (t) {
        case Task::listops:
            return make_listops(seed, len);
        case Task::text:
            return make_text(seed, len);
        case Task::retrieval:
            return make_retrieval(seed, len);
        case Task::image:
            return make_image(seed, len);
        case Task::pathfinder:
        case Task::pathx:
            return make_pathfinder(seed, len, difficulty);
    }
    return {};
}

// The first `len` steps of every row.
Tensor token_prefix(const TaskInput& in, int64_t len) {
    std::vector<int32_t> v;
    for (int64_t r = 0; r < in.rows; ++r) {
        const auto row = in.tokens.begin() + r * in.seq_len;
        v.insert(v.end(), row, row + len);
    }
    return Tensor::from<int32_t>({in.rows, len}, v);
}

namespace {

// Calibration runs on at most this many time steps of the input: activation ranges settle long before,
// and it keeps gen and `run --workload lra:` from paying for a second full-length run.
constexpr int64_t kCalibrationLength = 1024;

struct FloatGraph {
    Trace trace;
    TensorStore data;
};

// `with_data` false: the declarations alone, nothing drawn (`in` gives only rows and vocab).
FloatGraph build_float(const WorkloadSpec& spec, const TaskInput& in, int64_t len, bool with_data = true) {
    const ArchConfig c = arch_config(spec.task, spec.arch);
    const TaskInfo& task = task_info(spec.task);
    GraphBuilder g(spec.name(), spec.seed, with_data);
    const std::string tokens =
        with_data ? g.tokens("tokens", token_prefix(in, len)) : g.tokens("tokens", Shape{in.rows, len});
    const int64_t d = c.d_model;
    std::string x =
        g.op("embedding", "embed", {tokens, g.normal("embed.table", {in.vocab, d}, 1.0)}, {in.rows, len, d});
    switch (spec.arch) {
        case Arch::s4d:
            x = s4d_encoder(g, c, x);
            break;
        case Arch::mamba:
            x = mamba_encoder(g, c, x);
            break;
        case Arch::transformer:
            x = transformer_encoder(g, c, x);
            break;
    }
    std::string pooled = g.op("pool", "pool", {x}, {in.rows, d});
    if (in.rows == 2) {
        // Retrieval: the two documents' embeddings side by side, as the released LRA code combines them.
        pooled = g.op("reshape", "pair", {pooled}, {1, 2 * d}, {{"shape", {1, 2 * d}}});
    }
    if (spec.arch == Arch::transformer) {
        pooled = g.unary("relu", "head_act",
                         g.linear("head", pooled, c.mlp_dim, true));  // LRA: Dense, ReLU, Dense
    } else if (in.rows == 2) {
        pooled = g.unary("gelu", "head_act", g.linear("head", pooled, d, true));  // S4: Linear, GELU, Linear
    }
    const int64_t k = g.width(pooled);
    const double bound = 1.0 / std::sqrt(static_cast<double>(k));
    const std::string logits = g.op("classifier", "logits",
                                    {pooled, g.uniform("classifier.w", {task.classes, k}, bound),
                                     g.uniform("classifier.b", {task.classes}, bound)},
                                    {in.rows == 2 ? 1 : in.rows, task.classes});
    nlohmann::json meta = {{"task", task.name},
                           {"arch", arch_name(spec.arch)},
                           {"seed", spec.seed},
                           {"seq_len", len},
                           {"label", in.label},
                           {"vocab", in.vocab},
                           {"generator", "ssmsim gen"},
                           {"config",
                            {{"layers", c.layers},
                             {"d_model", c.d_model},
                             {"d_state", c.d_state},
                             {"bidirectional", c.bidirectional},
                             {"prenorm", c.prenorm},
                             {"heads", c.heads},
                             {"qkv_dim", c.qkv_dim},
                             {"mlp_dim", c.mlp_dim},
                             {"source", c.source}}}};
    Trace t = g.take_trace({logits}, meta);
    return {std::move(t), g.take_data()};
}

// Replaces generated parameters by the user's float32 .npy files (named after the tensors) before
// calibration and quantization. Every file must match a parameter's name and shape: a typo is an error, and
// so is a folder that replaces nothing (an empty folder would run silently on the generated weights).
// Records in meta.weights how many parameters it replaced, of how many (reports carry it).
void apply_user_weights(FloatGraph& g, const std::string& dir) {
    if (dir.empty()) return;
    int64_t replaced = 0, parameters = 0;
    for (const TensorDecl& td : g.trace.tensors) parameters += td.is_graph_input() && td.name != "tokens";
    namespace fs = std::filesystem;
    if (!fs::is_directory(dir))
        throw InputError("--weights " + dir, "a folder of .npy files", describe_file_type(dir));
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".npy") continue;
        const std::string name = entry.path().stem().string();
        if (!g.trace.has_tensor(name) || !g.trace.tensor(name).is_graph_input() || name == "tokens") {
            throw InputError(entry.path().string(),
                             "the name of a parameter of " + g.trace.name + " (see ssmsim gen)",
                             "'" + name + "', which it does not have");
        }
        Tensor t = read_npy(entry.path());
        const TensorDecl& d = g.trace.tensor(name);
        if (t.dtype() != DType::float32 || t.shape() != d.shape) {
            throw InputError(entry.path().string(), "float32 of shape " + shape_str(d.shape),
                             std::string(dtype_name(t.dtype())) + " of shape " + shape_str(t.shape()));
        }
        // NaN or inf would pass through calibration into NaN logits or an absurd requantization attribute.
        const auto v = t.as<float>();
        for (size_t i = 0; i < v.size(); ++i) {
            if (!std::isfinite(v[i])) {
                throw InputError(
                    fmt::format("{} (parameter '{}', element {})", entry.path().string(), name, i),
                    "finite float32 values", std::isnan(v[i]) ? "NaN" : "infinity");
            }
        }
        g.data.at(name) = std::move(t);
        ++replaced;
    }
    if (replaced == 0) {
        throw InputError(
            "--weights " + dir,
            "at least one <parameter>.npy of " + g.trace.name + " (see ssmsim gen for the names)",
            "no .npy file in the folder");
    }
    g.trace.meta["weights"] = {{"dir", dir}, {"replaced", replaced}, {"of", parameters}};
}

// What the declarations need of a task's input, without generating it (Path-X at 4M steps draws for
// seconds): its rows and vocabulary (test_lra_declarations checks them against the generators).
TaskInput input_shape(Task t) {
    TaskInput in;
    in.rows = t == Task::retrieval ? 2 : 1;
    in.vocab = t == Task::listops                          ? listops::kVocab
               : (t == Task::text || t == Task::retrieval) ? kByteVocab
                                                           : 256;  // image and pathfinder: grey pixels
    return in;
}

// The declarations of the whole batch, before any weight is drawn or activation allocated, for the memory
// check. In float32 they are exact. In int8 they are a lower bound of the quantized trace's (same ops, same
// shapes, activations int8, every parameter at its narrowest type, int8; the tables are left out), marked
// as an estimate in meta so that the check can say so.
Trace declarations_before_generation(const WorkloadSpec& spec) {
    Trace t = build_float(spec, input_shape(spec.task), spec.length(), false).trace;
    // Generation itself holds sample 0's parameters in float32 and, in int8, their quantized copies too.
    int64_t generation_bytes = 0;
    for (const TensorDecl& td : t.tensors) {
        if (!td.is_graph_input()) continue;
        generation_bytes += td.nbytes();  // float32 parameters, int32 tokens
        if (spec.numerics == Numerics::int8 && td.name != "tokens")
            generation_bytes += element_count(td.shape);
    }
    t.meta["generation_bytes"] = generation_bytes;
    if (spec.numerics == Numerics::int8) {
        for (TensorDecl& td : t.tensors) {
            if (td.name != "tokens") td.dtype = DType::int8;
        }
        for (const OpDecl& op : t.ops) {
            if (op.kind == "classifier") t.tensor(op.outputs.front()).dtype = DType::int32;
        }
        t.numerics = Numerics::int8;
        t.meta["estimate"] = "before generation";
    }
    return spec.batch > 1 ? widen_declarations(t, spec.batch) : t;
}

// Sample 0 alone: the workload of batch 1.
Workload build_one(const WorkloadSpec& spec) {
    const int64_t len = spec.length();
    const TaskInput in = make_input(spec.task, spec.seed, len);
    FloatGraph f = build_float(spec, in, len);
    apply_user_weights(f, spec.weights_dir);
    if (spec.numerics == Numerics::float32) return {std::move(f.trace), std::move(f.data)};
    AbsMax absmax;
    if (spec.calibration_samples > 1) {
        absmax = calibrate(f.trace, f.data);
        for (int64_t i = 1; i < spec.calibration_samples; ++i) {
            FloatGraph other = build_float(spec, make_input(spec.task, sample_seed(spec.seed, i), len), len);
            apply_user_weights(other, spec.weights_dir);
            for (const auto& [name, m] : calibrate(other.trace, other.data))
                absmax[name] = std::max(absmax[name], m);
        }
    } else if (len > kCalibrationLength) {
        FloatGraph calib = build_float(spec, in, kCalibrationLength);
        apply_user_weights(calib, spec.weights_dir);
        absmax = calibrate(calib.trace, calib.data);
    } else {
        absmax = calibrate(f.trace, f.data);
    }
    QuantizedTrace q = quantize(f.trace, f.data, absmax);
    q.trace.meta["numerics"] = "int8";
    q.trace.meta["calibration_len"] = spec.calibration_samples > 1 ? len : std::min(len, kCalibrationLength);
    if (spec.calibration_samples > 1) q.trace.meta["calibration_samples"] = spec.calibration_samples;
    return {std::move(q.trace), std::move(q.data)};
}

}  // namespace

Trace build_lra_shapes(const WorkloadSpec& spec, const TraceCheck& check) {
    // User weights may change what the tables are sized by (A's range): those take the full build.
    if (!spec.weights_dir.empty()) {
        Workload w = build_lra(spec, check);
        w.trace.has_data = false;
        return std::move(w.trace);
    }
    if (spec.batch < 1 || spec.batch > kMaxBatch)
        throw InputError("--batch", fmt::format("an integer in [1, {}]", kMaxBatch),
                         std::to_string(spec.batch));
    if (check) {
        // Nothing is generated here: only the run's own tensors count against the memory budget.
        Trace declared = declarations_before_generation(spec);
        declared.meta.erase("generation_bytes");
        check(declared);
    }
    const int64_t len = spec.length();
    // The input itself only for its label (reports carry it): no weight is drawn, nothing calibrated.
    TaskInput in = make_input(spec.task, spec.seed, len);
    in.tokens.clear();
    Trace t = build_float(spec, in, len, false).trace;
    if (spec.numerics == Numerics::int8) {
        t = quantize_shapes(t);
        t.meta["numerics"] = "int8";
        t.meta["calibration_len"] = std::min(len, kCalibrationLength);
        t.meta["quantization"] = "shapes only: attributes not calibrated (timing-only run)";
    }
    if (spec.batch > 1) {
        nlohmann::json labels = nlohmann::json::array({t.meta.at("label")});
        for (int64_t b = 1; b < spec.batch; ++b)
            labels.push_back(make_input(spec.task, sample_seed(spec.seed, b), len).label);
        t = widen_declarations(t, spec.batch);
        t.meta["labels"] = std::move(labels);
        validate_trace(t, t.name);
    }
    t.has_data = false;
    if (check) check(t);
    return t;
}

Workload build_lra(const WorkloadSpec& spec, const TraceCheck& check) {
    if (spec.batch < 1 || spec.batch > kMaxBatch)
        throw InputError("--batch", fmt::format("an integer in [1, {}]", kMaxBatch),
                         std::to_string(spec.batch));
    if (check) check(declarations_before_generation(spec));  // before the input or any weight is drawn
    Workload one = build_one(spec);
    if (spec.batch > 1) return widen_to_batch(spec, std::move(one), check);
    if (check) check(one.trace);
    return one;
}

}  // namespace ssmsim::workloads
