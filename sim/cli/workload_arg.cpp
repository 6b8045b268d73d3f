#include "sim/cli/workload_arg.h"

#include "sim/trace/trace_io.h"
#include "sim/util/error.h"
#include "workloads/lra/lra.h"

namespace ssmsim::cli {

namespace {

Numerics parse_numerics(const std::string& s) {
    if (s == "int8") return Numerics::int8;
    if (s == "float32") return Numerics::float32;
    throw InputError("--numerics", "int8 or float32", "'" + s + "'");
}

}  // namespace

ResolvedWorkload resolve_workload(const std::string& arg, const WorkloadOptions& opts, bool want_data) {
    if (arg.rfind("lra:", 0) == 0) {
        workloads::WorkloadSpec spec = workloads::parse_workload_spec(arg);
        spec.seed = opts.seed;
        spec.seq_len = opts.seq_len;
        spec.numerics = parse_numerics(opts.numerics);
        spec.weights_dir = opts.weights;
        workloads::Workload w = workloads::build_lra(spec);
        ResolvedWorkload r{spec.name(), std::move(w.trace), std::nullopt};
        if (want_data) r.data = std::move(w.data);
        return r;
    }
    if (!opts.weights.empty()) {
        throw InputError("--weights", "an lra: workload (a trace folder carries its own weights)", arg);
    }
    if (opts.seq_len != 0)
        throw InputError("--seq-len", "no --seq-len with a trace folder (it fixes its shapes)",
                         std::to_string(opts.seq_len));
    ResolvedWorkload r{arg, load_trace(arg), std::nullopt};
    if (want_data && r.trace.has_data) r.data = load_tensor_data(r.trace);
    return r;
}

}  // namespace ssmsim::cli
