#include "app/quantize_cmd.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "app/out_dir.h"
#include "reference/executor.h"
#include "sim/trace/npy.h"
#include "sim/trace/trace_io.h"
#include "sim/util/atomic_file.h"
#include "sim/util/csv_rows.h"
#include "sim/util/error.h"
#include "workloads/lra/quantize.h"

namespace ssmsim::cli {

namespace fs = std::filesystem;

namespace {

// The calibration inputs: the trace's own data, with each DIR/<input>.npy in place of that graph input.
TensorStore calibration_data(const Trace& t, TensorStore data, const std::string& dir) {
    if (dir.empty()) return data;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw InputError("--calibration " + dir, "a folder of .npy graph inputs", "no such folder");
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".npy") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw InputError("--calibration " + dir, "at least one <graph input>.npy", "none");
    for (const auto& f : files) {
        const std::string name = f.stem().string();
        if (!data.contains(name))
            throw InputError(f.string(), "a file named after a graph input of the trace", "'" + name + "'");
        const TensorDecl& d = t.tensor(name);
        Tensor x = read_npy(f);
        require_finite(x, f.string());  // a NaN would become every scale of the ops it reaches
        if (x.dtype() != d.dtype || x.shape() != d.shape)
            throw InputError(
                f.string(),
                fmt::format("{} {} (the declaration of '{}')", dtype_name(d.dtype), shape_str(d.shape), name),
                fmt::format("{} {}", dtype_name(x.dtype()), shape_str(x.shape())));
        data[name] = std::move(x);
    }
    return data;
}

// Per op: the calibrated range of its output and the saturations of the int8 trace on its own inputs.
// `scale` is the quantizer's own (QuantizedTrace::scales), not recomputed here.
std::string report_csv(const workloads::QuantizedTrace& q, const workloads::AbsMax& absmax,
                       const reference::Execution& run) {
    std::string csv = "index,name,kind,output,calibrated_absmax,scale,saturations,elements\n";
    for (size_t i = 0; i < q.trace.ops.size(); ++i) {
        const OpDecl& op = q.trace.ops[i];
        const std::string& out = op.outputs[0];
        const auto am = absmax.find(out);
        const auto sc = q.scales.find(out);
        csv += fmt::format("{},{},{},{},{},{},{},{}\n", i, csv_quote(op.name), op.kind, csv_quote(out),
                           am == absmax.end() ? "" : fmt::format("{}", am->second),
                           sc == q.scales.end() ? "" : fmt::format("{}", sc->second), run.ops[i].saturations,
                           element_count(q.trace.tensor(out).shape));
    }
    return csv;
}

}  // namespace

int cmd_quantize(const QuantizeArgs& a) {
    const Trace ft = load_trace(a.trace);
    const std::string file = (fs::path(a.trace) / "trace.json").string();
    if (ft.numerics != Numerics::float32)
        throw InputError(file + ":/numerics", "float32 (a float trace to quantize)",
                         "'" + std::string(numerics_name(ft.numerics)) + "'");
    if (!ft.has_data) throw InputError(a.trace, "a trace with data (its weights)", "a shape-only trace");
    for (size_t i = 0; i < ft.ops.size(); ++i) {
        if (const auto refusal = workloads::unquantizable(ft.ops[i]))
            throw InputError(fmt::format("{}:/ops/{} (op '{}')", file, i, ft.ops[i].name), refusal->expected,
                             refusal->found);
    }
    const TensorStore data = load_tensor_data(ft);
    const TensorStore calib = calibration_data(ft, data, a.calibration);
    prepare_out_dir(a.out, "--out");  // after every input is checked, before the work
    std::error_code ec;
    fs::remove(fs::path(a.out) / "trace.json", ec);  // an earlier trace there never looks like this one
    const workloads::AbsMax absmax = workloads::calibrate(ft, calib);
    workloads::QuantizedTrace q = workloads::quantize(ft, data, absmax);
    q.trace.meta["quantized_from"] = ft.name;
    q.trace.meta["calibration"] = a.calibration.empty() ? "the trace's own inputs" : "--calibration folder";
    const reference::Execution run = reference::execute(q.trace, q.data);
    // The report first: a folder with trace.json is complete (save_trace writes trace.json last).
    write_file_atomic(fs::path(a.out) / "quantize_report.csv", report_csv(q, absmax, run));
    save_trace(a.out, q.trace, q.data);
    uint64_t worst = 0;
    std::string worst_op = "-";
    for (size_t i = 0; i < run.ops.size(); ++i)
        if (run.ops[i].saturations > worst) {
            worst = run.ops[i].saturations;
            worst_op = q.trace.ops[i].name;
        }
    fmt::print("wrote {}: {} ops int8; on its inputs {} saturations (most in {}: {}); per op in {}\n",
               (fs::path(a.out) / "trace.json").string(), q.trace.ops.size(), run.saturations, worst_op,
               worst, (fs::path(a.out) / "quantize_report.csv").string());
    return 0;
}

}  // namespace ssmsim::cli
